import { Duration, RemovalPolicy, Size, Stack, aws_elasticloadbalancingv2 as elbv2, aws_kms as kms, aws_logs as logs, aws_s3 as s3, aws_sns as sns } from 'aws-cdk-lib';
import { Annotations, Match, Template } from 'aws-cdk-lib/assertions';
import { AwsSolutionsChecks } from 'cdk-nag';
import { SupabaseCluster, SupabaseDatabase, SupabaseNetwork, SupabaseObservability, SupabaseObservabilityProps, SupabaseSecrets, SupabaseStorage } from '../../../src';
import { alarmState } from '../../alarm-evaluator';
import { PolicyRequest, evaluate, resolve } from '../../policy-evaluator';
import { buildParts } from '../fixture';

function observe(props: Partial<SupabaseObservabilityProps> = {}) {
  const parts = buildParts();
  const observability = new SupabaseObservability(parts.stack, 'Observability', {
    cluster: parts.cluster, database: parts.database, storage: parts.storage, ...props,
  });
  return { ...parts, observability, template: Template.fromStack(parts.stack) };
}

const TOPIC = { Ref: expect.stringMatching(/^ObservabilityAlarmTopic/) };

describe('SupabaseObservability defaults', () => {
  const { stack, observability, template, database, cluster } = observe();
  const alarm = (id: string) => {
    const [, resource] = Object.entries(template.findResources('AWS::CloudWatch::Alarm')).find(([key]) => key.startsWith(`Observability${id}`))! as [string, any];
    return resource.Properties;
  };
  const dbDimension = [{ Name: 'DBInstanceIdentifier', Value: { Ref: stack.getLogicalId(database.instance.node.defaultChild as any) } }];
  const clusterDimension = [{ Name: 'ClusterName', Value: cluster.clusterName }];

  test('its key carries the library\'s alias, alias/<stack>/<path>/observability', () => {
    const keyId = stack.getLogicalId(observability.encryptionKey.node.defaultChild as any);
    template.hasResourceProperties('AWS::KMS::Alias', {
      AliasName: 'alias/Test/Observability/observability',
      TargetKeyId: { 'Fn::GetAtt': [keyId, 'Arn'] },
    });
  });

  test.each([
    ['DatabaseCpu', 'CPUUtilization', 'Average', 80, 'GreaterThanThreshold', 3],
    ['DatabaseFreeStorage', 'FreeStorageSpace', 'Minimum', 10 * 1024 ** 3, 'LessThanThreshold', 1],
    ['DatabaseFreeableMemory', 'FreeableMemory', 'Minimum', 256 * 1024 ** 2, 'LessThanThreshold', 3],
    ['DatabaseConnections', 'DatabaseConnections', 'Maximum', 320, 'GreaterThanThreshold', 3],
    ['DatabaseReadLatency', 'ReadLatency', 'Average', 0.02, 'GreaterThanThreshold', 3],
    ['DatabaseWriteLatency', 'WriteLatency', 'Average', 0.05, 'GreaterThanThreshold', 3],
  ])('%s: AWS/RDS %s (%s) against %d, %s, over %d five-minute periods, to the topic', (id, metric, statistic, threshold, operator, periods) => {
    expect(alarm(id)).toMatchObject({
      Namespace: 'AWS/RDS',
      MetricName: metric,
      Statistic: statistic,
      Period: 300,
      Dimensions: dbDimension,
      Threshold: threshold,
      ComparisonOperator: operator,
      EvaluationPeriods: periods,
      DatapointsToAlarm: periods,
      AlarmActions: [TOPIC],
      OKActions: [TOPIC],
    });
  });

  test('no replica-lag, proxy, outage or replication alarm without a replica, a proxy, a load balancer or replication', () => {
    const ids = Object.keys(template.findResources('AWS::CloudWatch::Alarm'));
    for (const absent of ['ReplicaLag', 'Proxy', 'ApiUnavailable', 'Api5xx', 'StorageReplication']) {
      expect({ absent, found: ids.filter((k) => k.includes(absent)) }).toEqual({ absent, found: [] });
    }
  });

  test.each([
    // id, metric, statistic, period, threshold, operator, periods, missing data
    ['MetricsHeartbeat', 'cluster_node_count', 'SampleCount', 60, 1, 'LessThanThreshold', 5, 'breaching'],
    ['FailedNodes', 'cluster_failed_node_count', 'Maximum', 300, 0, 'GreaterThanThreshold', 1, 'notBreaching'],
    ['NodeGroupsAtCapacity', 'cluster_node_count', 'Maximum', 300, 30, 'GreaterThanOrEqualToThreshold', 3, 'missing'],
    ['PodsPending', 'pod_status_pending', 'Sum', 60, 0, 'GreaterThanThreshold', 15, 'notBreaching'],
    ['CrashLoops', 'pod_container_status_waiting_reason_crash_loop_back_off', 'Sum', 60, 0, 'GreaterThanThreshold', 15, 'notBreaching'],
  ])('%s: ContainerInsights %s (%s over %d s) of the cluster against %d, %s, %d periods, no data %s', (id, metric, statistic, period, threshold, operator, periods, missing) => {
    expect(alarm(id as string)).toMatchObject({
      Namespace: 'ContainerInsights',
      MetricName: metric,
      Statistic: statistic,
      Period: period,
      Dimensions: clusterDimension,
      Threshold: threshold,
      ComparisonOperator: operator,
      EvaluationPeriods: periods,
      DatapointsToAlarm: periods,
      TreatMissingData: missing,
      AlarmActions: [TOPIC],
      OKActions: [TOPIC],
    });
  });

  test.each([
    ['PodsNotReady', 'running - ready', { running: ['pod_status_running', 'Sum'], ready: ['pod_status_ready', 'Sum'] }, 15],
    ['NodesNotReady', 'nodes - ready', { nodes: ['cluster_node_count', 'Maximum'], ready: ['node_status_condition_ready', 'Sum'] }, 5],
  ])('%s: %s, per minute, of the cluster', (id, expression, metrics, periods) => {
    const props = alarm(id as string);
    expect(props).toMatchObject({ Threshold: 0, ComparisonOperator: 'GreaterThanThreshold', EvaluationPeriods: periods, AlarmActions: [TOPIC] });
    expect(props.Metrics).toContainEqual(expect.objectContaining({ Expression: expression, ReturnData: true }));
    for (const [metricId, [name, stat]] of Object.entries(metrics as unknown as Record<string, [string, string]>)) {
      expect(props.Metrics).toContainEqual(expect.objectContaining({
        Id: metricId,
        ReturnData: false,
        MetricStat: { Metric: { Namespace: 'ContainerInsights', MetricName: name, Dimensions: clusterDimension }, Period: 60, Stat: stat },
      }));
    }
  });

  describe('what the cluster alarms do with what Container Insights reports (one value per pod or node per minute)', () => {
    const minutes = (n: number, value: number | undefined) => Array.from({ length: n }, () => value);
    test.each<[string, string, Record<string, (number | undefined)[]>, string]>([
      ['MetricsHeartbeat', 'the agent stopped reporting', { cluster_node_count: minutes(15, undefined) }, 'ALARM'],
      ['MetricsHeartbeat', 'the leader reports every minute', { cluster_node_count: minutes(15, 1) }, 'OK'],
      ['PodsPending', 'one pod pending for 15 minutes', { pod_status_pending: minutes(15, 1) }, 'ALARM'],
      ['PodsPending', 'one pod pending for 14 minutes', { pod_status_pending: [0, ...minutes(14, 1)] }, 'OK'],
      ['CrashLoops', 'one container crash-looping for 15 minutes', { pod_container_status_waiting_reason_crash_loop_back_off: minutes(15, 1) }, 'ALARM'],
      ['CrashLoops', 'none (the metric is published only with a crash loop)', { pod_container_status_waiting_reason_crash_loop_back_off: minutes(15, undefined) }, 'OK'],
      ['PodsNotReady', '20 running, 19 ready', { pod_status_running: minutes(15, 20), pod_status_ready: minutes(15, 19) }, 'ALARM'],
      ['PodsNotReady', '20 running, 20 ready', { pod_status_running: minutes(15, 20), pod_status_ready: minutes(15, 20) }, 'OK'],
      ['NodesNotReady', '3 nodes, 2 ready for 5 minutes', { cluster_node_count: minutes(5, 3), node_status_condition_ready: minutes(5, 2) }, 'ALARM'],
      ['NodesNotReady', 'a new node ready within 4 minutes', { cluster_node_count: minutes(5, 3), node_status_condition_ready: [3, 2, 2, 2, 2] }, 'OK'],
    ])('%s: %s -> %s', (id, _what, data, state) => {
      expect(alarmState(alarm(id), data)).toBe(state);
    });
  });

  test('the topic is encrypted with the construct\'s key, TLS only, and CloudWatch may use the key to publish', () => {
    template.hasResourceProperties('AWS::SNS::Topic', { KmsMasterKeyId: { 'Fn::GetAtt': [Match.stringLikeRegexp('^ObservabilityKey'), 'Arn'] } });
    template.hasResourceProperties('AWS::SNS::TopicPolicy', {
      PolicyDocument: { Statement: Match.arrayWith([Match.objectLike({ Effect: 'Deny', Condition: { Bool: { 'aws:SecureTransport': 'false' } } })]) },
    });
    template.hasResourceProperties('AWS::KMS::Key', {
      EnableKeyRotation: true,
      KeyPolicy: { Statement: Match.arrayWith([Match.objectLike({ Sid: 'AllowCloudWatchAlarmsToPublish', Principal: { Service: 'cloudwatch.amazonaws.com' } })]) },
    });
    expect(observability.alarms.length).toBe(13);
  });

  test.each(['application', 'dataplane', 'host', 'performance'])('/aws/containerinsights/<cluster>/%s: a month, KMS-encrypted, retained', (name) => {
    template.hasResource('AWS::Logs::LogGroup', {
      DeletionPolicy: 'Retain',
      Properties: {
        LogGroupName: `/aws/containerinsights/${cluster.clusterName}/${name}`,
        RetentionInDays: 30,
        KmsKeyId: { 'Fn::GetAtt': [Match.stringLikeRegexp('^ObservabilityKey'), 'Arn'] },
      },
    });
  });

  test('the CloudWatch Observability add-on runs with its IRSA role, after its log groups and the nodes', () => {
    const [id, addon] = Object.entries(template.findResources('AWS::EKS::Addon', { Properties: { AddonName: 'amazon-cloudwatch-observability' } }))[0] as [string, any];
    expect(addon.Properties.ServiceAccountRoleArn).toEqual({ 'Fn::GetAtt': [expect.stringMatching(/CloudWatchAgentRole/), 'Arn'] });
    expect(JSON.parse(addon.Properties.ConfigurationValues)).toEqual({ containerLogs: { enabled: true } });
    const logGroups = Object.keys(template.findResources('AWS::Logs::LogGroup')).filter((k) => k.startsWith('Observability'));
    expect(addon.DependsOn).toEqual(expect.arrayContaining([...logGroups, ...Object.keys(template.findResources('AWS::EKS::Nodegroup'))]));
    expect(id).toMatch(/^ObservabilityAddon/);
    const role = Object.entries(template.findResources('AWS::IAM::Role')).find(([k]) => k.includes('CloudWatchAgentRole'))![1] as any;
    expect(JSON.stringify(role.Properties.ManagedPolicyArns)).toContain('CloudWatchAgentServerPolicy');
    expect(JSON.stringify(role.Properties.AssumeRolePolicyDocument)).toContain('AssumeRoleWithWebIdentity');
  });

  test('one dashboard: the alarms, the database, the cluster and the Storage bucket', () => {
    const dashboard = Object.values(template.findResources('AWS::CloudWatch::Dashboard'))[0] as any;
    const body = JSON.stringify(stack.resolve(dashboard.Properties.DashboardBody));
    for (const title of ['Alarms', 'Database CPU (%) and connections', 'Database free storage and memory (bytes)', 'Database latency (s)',
      'Cluster nodes', 'Cluster pods', 'Node CPU and memory (%)', 'Storage bucket size (bytes, daily)', 'Storage objects (daily)']) {
      expect(body).toContain(title);
    }
    expect(body).toContain('BucketSizeBytes');
    expect(dashboard.Properties.DashboardName).toBe(`Supabase-${cluster.clusterName}`);
  });

  test('cdk-nag AwsSolutions finds nothing unacknowledged', () => {
    const errors = new AwsSolutionsChecks().validateScope(stack).violations.filter((v) => v.severity === 'error');
    expect(errors.map((v) => `${v.ruleName} ${v.violatingResources?.map((r) => r.resourceLogicalId).join(',')}`)).toEqual([]);
  });
});

describe('the alarm topic takes the alarms\' notifications', () => {
  const ALARM_ARN = 'arn:aws:cloudwatch:eu-west-1:123456789012:alarm:Supabase-DatabaseCpu';
  /** The topic's and the key's policies, with the topic's ARN and the key's ARN as AWS would see them. */
  function policies(template: Template) {
    const [topicId] = Object.keys(template.findResources('AWS::SNS::Topic'));
    const refs = { [topicId]: 'arn:aws:sns:eu-west-1:123456789012:alarms' };
    const topicPolicy = resolve((Object.values(template.findResources('AWS::SNS::TopicPolicy'))[0] as any).Properties.PolicyDocument, refs);
    const keyPolicy = resolve((Object.values(template.findResources('AWS::KMS::Key', { Properties: { Description: Match.stringLikeRegexp('alarm topic') } }))[0] as any)
      .Properties.KeyPolicy, refs);
    return { topicPolicy, keyPolicy };
  }
  const publish = (context: Record<string, string>, principal: PolicyRequest['principal'] = { service: 'cloudwatch.amazonaws.com' }): PolicyRequest => ({
    principal, action: 'sns:Publish', resource: 'arn:aws:sns:eu-west-1:123456789012:alarms', context,
  });
  const { template } = observe();
  const { topicPolicy, keyPolicy } = policies(template);
  const fromThisAccount = { 'aws:SourceAccount': '123456789012', 'aws:SourceArn': ALARM_ARN, 'aws:SecureTransport': 'true' };

  test('this account\'s alarms may publish to the topic, over TLS, and use its key', () => {
    expect(evaluate(topicPolicy, publish(fromThisAccount))).toBe('allow');
    for (const action of ['kms:Decrypt', 'kms:GenerateDataKey']) {
      expect(evaluate(keyPolicy, { principal: { service: 'cloudwatch.amazonaws.com' }, action, resource: '*', context: fromThisAccount })).toBe('allow');
    }
  });

  test('nothing else: not without TLS, not another account\'s alarms, not another principal', () => {
    expect(evaluate(topicPolicy, publish({ ...fromThisAccount, 'aws:SecureTransport': 'false' }))).toBe('deny');
    expect(evaluate(topicPolicy, publish({
      'aws:SourceAccount': '999999999999', 'aws:SourceArn': 'arn:aws:cloudwatch:eu-west-1:999999999999:alarm:x', 'aws:SecureTransport': 'true',
    }))).not.toBe('allow');
    expect(evaluate(topicPolicy, publish({ ...fromThisAccount, 'aws:SourceArn': 'arn:aws:events:eu-west-1:123456789012:rule/x' }))).not.toBe('allow');
    expect(evaluate(topicPolicy, publish({ 'aws:SecureTransport': 'true' }, { aws: 'arn:aws:iam::999999999999:root' }))).not.toBe('allow');
  });

  test('the check can fail: a topic with the TLS statement alone refuses CloudWatch (SNS\'s default policy is replaced)', () => {
    const tlsOnly = { Statement: topicPolicy.Statement.filter((st: any) => st.Effect === 'Deny') };
    expect(tlsOnly.Statement).toHaveLength(1);
    expect(evaluate(tlsOnly, publish(fromThisAccount))).toBe('implicit-deny');
  });

  test('a topic of one\'s own defined in the app gets the statement; email addresses are subscribed', () => {
    const parts = buildParts();
    const topic = new sns.Topic(parts.stack, 'OnCall', { enforceSSL: true });
    new SupabaseObservability(parts.stack, 'Observability', {
      cluster: parts.cluster, database: parts.database, alarmTopic: topic, alarmEmails: ['oncall@example.com', 'sre@example.com'],
    });
    const t = Template.fromStack(parts.stack);
    const document = resolve((Object.values(t.findResources('AWS::SNS::TopicPolicy'))[0] as any).Properties.PolicyDocument,
      { [parts.stack.getLogicalId(topic.node.defaultChild as any)]: 'arn:aws:sns:eu-west-1:123456789012:alarms' });
    expect(evaluate(document, publish(fromThisAccount))).toBe('allow');
    for (const endpoint of ['oncall@example.com', 'sre@example.com']) {
      t.hasResourceProperties('AWS::SNS::Subscription', { Protocol: 'email', Endpoint: endpoint, TopicArn: { Ref: Match.stringLikeRegexp('^OnCall') } });
    }
  });

  test('an imported topic: a warning that its policy must allow CloudWatch, since it cannot be checked', () => {
    const parts = buildParts();
    const observability = new SupabaseObservability(parts.stack, 'Observability', {
      cluster: parts.cluster, database: parts.database, alarmTopic: sns.Topic.fromTopicArn(parts.stack, 'Imported', 'arn:aws:sns:eu-west-1:123456789012:ops'),
    });
    Annotations.fromStack(parts.stack).hasWarning(`/${observability.node.path}`, Match.stringLikeRegexp('must allow cloudwatch.amazonaws.com to sns:Publish'));
  });

  test.each<[string, (stack: Stack) => Partial<SupabaseObservabilityProps>, RegExp]>([
    ['an imported key for the topic this construct creates', (stack) => ({ encryptionKey: kms.Key.fromKeyArn(stack, 'K', 'arn:aws:kms:eu-west-1:123456789012:key/abc') }),
      /`encryptionKey` is imported, so its key policy cannot be given the statement that lets CloudWatch alarms use it.*pass it as `alarmTopic`/],
    ['an email address without a domain', () => ({ alarmEmails: ['oncall'] }), /`alarmEmails\[0\]` is not an email address, got 'oncall'/],
  ])('rejects %s', (_name, props, message) => {
    const parts = buildParts();
    expect(() => new SupabaseObservability(parts.stack, 'Observability', { cluster: parts.cluster, database: parts.database, ...props(parts.stack) })).toThrow(message);
  });

  test('an imported key is fine with a topic of one\'s own', () => {
    const parts = buildParts();
    expect(() => new SupabaseObservability(parts.stack, 'Observability', {
      cluster: parts.cluster,
      database: parts.database,
      encryptionKey: kms.Key.fromKeyArn(parts.stack, 'K', 'arn:aws:kms:eu-west-1:123456789012:key/abc'),
      alarmTopic: new sns.Topic(parts.stack, 'OnCall'),
    })).not.toThrow();
  });
});

describe('SupabaseObservability options', () => {
  test('thresholds, retention, removal, a topic of one\'s own and no Container Insights', () => {
    const parts = buildParts();
    const topic = new sns.Topic(parts.stack, 'OnCall');
    const observability = new SupabaseObservability(parts.stack, 'Observability', {
      cluster: parts.cluster,
      database: parts.database,
      alarmTopic: topic,
      containerInsights: false,
      logRetention: logs.RetentionDays.ONE_WEEK,
      removalPolicy: RemovalPolicy.DESTROY,
      dashboardName: 'supabase-prod',
      thresholds: {
        databaseCpuPercent: 90,
        databaseFreeStorage: Size.gibibytes(50),
        databaseConnections: 700,
        databaseWriteLatency: Duration.millis(100),
      },
    });
    const template = Template.fromStack(parts.stack);
    expect(observability.addon).toBeUndefined();
    expect(template.findResources('AWS::EKS::Addon', { Properties: { AddonName: 'amazon-cloudwatch-observability' } })).toEqual({});
    expect(template.findResources('AWS::Logs::LogGroup', { Properties: { LogGroupName: Match.stringLikeRegexp('containerinsights') } })).toEqual({});
    expect(observability.alarms).toHaveLength(6);
    template.hasResourceProperties('AWS::CloudWatch::Alarm', { MetricName: 'CPUUtilization', Threshold: 90, AlarmActions: [{ Ref: Match.stringLikeRegexp('^OnCall') }] });
    template.hasResourceProperties('AWS::CloudWatch::Alarm', { MetricName: 'FreeStorageSpace', Threshold: 50 * 1024 ** 3 });
    template.hasResourceProperties('AWS::CloudWatch::Alarm', { MetricName: 'DatabaseConnections', Threshold: 700 });
    template.hasResourceProperties('AWS::CloudWatch::Alarm', { MetricName: 'WriteLatency', Threshold: 0.1 });
    template.hasResourceProperties('AWS::CloudWatch::Dashboard', { DashboardName: 'supabase-prod' });
    template.hasResource('AWS::KMS::Key', { DeletionPolicy: 'Delete', Properties: Match.objectLike({ Description: Match.stringLikeRegexp('container logs') }) });
  });

  describe('with the load balancer and its target group', () => {
    const parts = buildParts();
    const alb = new elbv2.ApplicationLoadBalancer(parts.stack, 'Alb', { vpc: parts.network.vpc, internetFacing: true });
    const targetGroup = new elbv2.ApplicationTargetGroup(parts.stack, 'Kong', { vpc: parts.network.vpc, port: 8000, targetType: elbv2.TargetType.IP });
    alb.addListener('Http', { port: 80, defaultTargetGroups: [targetGroup] });
    new SupabaseObservability(parts.stack, 'Observability', {
      cluster: parts.cluster,
      database: parts.database,
      loadBalancer: alb,
      targetGroup,
      thresholds: { api5xxPercent: 2, apiResponseTime: Duration.millis(800) },
    });
    const template = Template.fromStack(parts.stack);
    const alarmProps = (id: string) => parts.stack.resolve((Object.entries(template.findResources('AWS::CloudWatch::Alarm'))
      .find(([k]) => k.startsWith(`Observability${id}`))![1] as any).Properties);
    const albName = { 'Fn::GetAtt': [parts.stack.getLogicalId(alb.node.defaultChild as any), 'LoadBalancerFullName'] };

    test('ApiUnavailable: the target group\'s HealthyHostCount (minimum per minute) below 1 for 3 minutes, no data too', () => {
      expect(alarmProps('ApiUnavailable')).toMatchObject({
        Namespace: 'AWS/ApplicationELB',
        MetricName: 'HealthyHostCount',
        Statistic: 'Minimum',
        Period: 60,
        // The load balancer's full name, which CDK takes from the listener's ARN (app/<name>/<id>).
        Dimensions: expect.arrayContaining([expect.objectContaining({ Name: 'LoadBalancer' }),
          { Name: 'TargetGroup', Value: { 'Fn::GetAtt': [parts.stack.getLogicalId(targetGroup.node.defaultChild as any), 'TargetGroupFullName'] } }]),
        Threshold: 1,
        ComparisonOperator: 'LessThanThreshold',
        EvaluationPeriods: 3,
        TreatMissingData: 'breaching',
      });
    });

    test('Api5xx: the 5xx of the load balancer and of Kong over the requests, missing counted as zero', () => {
      const props = alarmProps('Api5xx');
      expect(props).toMatchObject({ Threshold: 2, ComparisonOperator: 'GreaterThanThreshold', EvaluationPeriods: 3, TreatMissingData: 'notBreaching' });
      expect(props.Metrics).toEqual(expect.arrayContaining([
        expect.objectContaining({ Id: 'requests', MetricStat: expect.objectContaining({ Stat: 'Sum', Period: 300, Metric: { Namespace: 'AWS/ApplicationELB', MetricName: 'RequestCount', Dimensions: [{ Name: 'LoadBalancer', Value: albName }] } }) }),
        expect.objectContaining({ Id: 'elb', MetricStat: expect.objectContaining({ Metric: expect.objectContaining({ MetricName: 'HTTPCode_ELB_5XX_Count' }) }) }),
        expect.objectContaining({ Id: 'target', MetricStat: expect.objectContaining({ Metric: expect.objectContaining({ MetricName: 'HTTPCode_Target_5XX_Count' }) }) }),
      ]));
    });

    test.each<[string, string, Record<string, (number | undefined)[]>, string]>([
      ['ApiUnavailable', 'no healthy Kong pod', { HealthyHostCount: [0, 0, 0] }, 'ALARM'],
      ['ApiUnavailable', 'no target registered (no data)', { HealthyHostCount: [undefined, undefined, undefined] }, 'ALARM'],
      ['ApiUnavailable', 'two healthy pods', { HealthyHostCount: [2, 2, 2] }, 'OK'],
      ['Api5xx', 'a full outage: the load balancer\'s 503s, no request with a target counted',
        { RequestCount: [undefined, undefined, undefined], HTTPCode_ELB_5XX_Count: [40, 50, 45], HTTPCode_Target_5XX_Count: [undefined, undefined, undefined] }, 'ALARM'],
      ['Api5xx', '3 % of requests failing in Kong', { RequestCount: [1000, 1000, 1000], HTTPCode_ELB_5XX_Count: [undefined, undefined, undefined], HTTPCode_Target_5XX_Count: [30, 30, 30] }, 'ALARM'],
      ['Api5xx', '1 % failing', { RequestCount: [1000, 1000, 1000], HTTPCode_ELB_5XX_Count: [5, 5, 5], HTTPCode_Target_5XX_Count: [5, 5, 5] }, 'OK'],
      ['Api5xx', 'no traffic at all: it recovers', { RequestCount: [undefined, undefined, undefined], HTTPCode_ELB_5XX_Count: [undefined, undefined, undefined], HTTPCode_Target_5XX_Count: [undefined, undefined, undefined] }, 'OK'],
      ['ApiResponseTime', 'p95 of 0.9 s', { TargetResponseTime: [0.9, 0.9, 0.9] }, 'ALARM'],
      ['ApiResponseTime', 'no requests: it recovers', { TargetResponseTime: [undefined, undefined, undefined] }, 'OK'],
    ])('%s: %s -> %s', (id, _what, data, state) => {
      expect(alarmState(alarmProps(id), data)).toBe(state);
    });

    test('the dashboard graphs the API', () => {
      const body = JSON.stringify(parts.stack.resolve((Object.values(template.findResources('AWS::CloudWatch::Dashboard'))[0] as any).Properties.DashboardBody));
      for (const title of ['API requests', 'API errors', 'API response time (s)']) {
        expect(body).toContain(title);
      }
    });
  });

  describe('a read replica, an RDS Proxy and replicated Storage', () => {
    const parts = buildParts(undefined, { proxy: {} });
    const replicaStack = new Stack(parts.app, 'Dr', { env: { account: '123456789012', region: 'eu-central-1' } });
    const network = new SupabaseNetwork(replicaStack, 'Network', { availabilityZones: ['eu-central-1a', 'eu-central-1b', 'eu-central-1c'] });
    const replica = new SupabaseDatabase(replicaStack, 'Database', {
      vpc: network.vpc,
      vpcSubnets: network.databaseSubnets,
      replicaOf: { instanceArn: 'arn:aws:rds:eu-west-1:123456789012:db:supabase-prod', secretNamePrefix: 'supabase/prod' },
    });
    const cluster = new SupabaseCluster(replicaStack, 'Cluster', { vpc: network.vpc, vpcSubnets: network.eksSubnets });
    const drStorage = new SupabaseStorage(replicaStack, 'Storage', { bucketName: 'supabase-prod-dr', replicationSource: 'supabase-prod' });
    new SupabaseObservability(replicaStack, 'Observability', { cluster, database: replica, storage: drStorage });
    const storage = new SupabaseStorage(parts.stack, 'ReplicatedStorage', {
      replication: {
        destinationBucket: s3.Bucket.fromBucketAttributes(parts.stack, 'DrBucket', { bucketArn: 'arn:aws:s3:::supabase-prod-dr', region: 'eu-central-1' }),
        destinationKey: kms.Key.fromKeyArn(parts.stack, 'DrKey', 'arn:aws:kms:eu-central-1:123456789012:alias/supabase-dr'),
      },
    });
    new SupabaseObservability(parts.stack, 'Observability', { cluster: parts.cluster, database: parts.database, storage });
    const props = (stack: Stack, id: string) => stack.resolve((Object.entries(Template.fromStack(stack).findResources('AWS::CloudWatch::Alarm'))
      .find(([k]) => k.startsWith(`Observability${id}`))![1] as any).Properties);

    test('DatabaseReplicaLag: the maximum lag above 10 minutes, an unknown lag (-1) and no data all fire', () => {
      const lag = props(replicaStack, 'DatabaseReplicaLag');
      expect(lag).toMatchObject({ Threshold: 600, ComparisonOperator: 'GreaterThanThreshold', TreatMissingData: 'breaching', EvaluationPeriods: 3 });
      expect(lag.Metrics).toContainEqual(expect.objectContaining({ Id: 'lag', MetricStat: expect.objectContaining({ Stat: 'Maximum', Metric: expect.objectContaining({ Namespace: 'AWS/RDS', MetricName: 'ReplicaLag' }) }) }));
      expect(alarmState(lag, { ReplicaLag: [290, 300, 120] })).toBe('OK'); // an idle primary's WAL-switch sawtooth
      expect(alarmState(lag, { ReplicaLag: [700, 800, 900] })).toBe('ALARM');
      expect(alarmState(lag, { ReplicaLag: [-1, -1, -1] })).toBe('ALARM');
      expect(alarmState(lag, { ReplicaLag: [undefined, undefined, undefined] })).toBe('ALARM');
    });

    test.each<[string, string, string, number, (number | undefined)[], (number | undefined)[]]>([
      ['ProxyConnectionsSetupFailed', 'DatabaseConnectionsSetupFailed', 'Sum', 0, [3], [undefined]],
      ['ProxyClientAuthFailures', 'ClientConnectionsSetupFailedAuth', 'Sum', 0, [1, 2, 1], [undefined, undefined, undefined]],
      ['ProxyBorrowLatency', 'DatabaseConnectionsBorrowLatency', 'Average', 100_000, [150_000, 200_000, 150_000], [500, 500, 500]],
    ])('%s: AWS/RDS %s (%s) of the proxy above %d', (id, metric, statistic, threshold, firing, quiet) => {
      const p = props(parts.stack, id);
      expect(p).toMatchObject({ Namespace: 'AWS/RDS', MetricName: metric, Statistic: statistic, Threshold: threshold, Dimensions: [{ Name: 'ProxyName', Value: expect.anything() }] });
      expect(alarmState(p, { [metric]: firing })).toBe('ALARM');
      expect(alarmState(p, { [metric]: quiet })).toBe('OK');
    });

    test('StorageReplicationFailed at the source, StorageReplicationLatency at the destination, both with the rule\'s dimensions', () => {
      const failed = props(parts.stack, 'StorageReplicationFailed');
      expect(failed).toMatchObject({
        Namespace: 'AWS/S3',
        MetricName: 'OperationsFailedReplication',
        Statistic: 'Sum',
        Threshold: 0,
        EvaluationPeriods: 1,
        TreatMissingData: 'notBreaching',
        Dimensions: expect.arrayContaining([{ Name: 'DestinationBucket', Value: 'supabase-prod-dr' }, { Name: 'RuleId', Value: 'DisasterRecovery' }]),
      });
      expect(alarmState(failed, { OperationsFailedReplication: [2] })).toBe('ALARM');
      expect(alarmState(failed, { OperationsFailedReplication: [undefined] })).toBe('OK');
      const latency = props(replicaStack, 'StorageReplicationLatency');
      expect(latency).toMatchObject({
        Namespace: 'AWS/S3',
        MetricName: 'ReplicationLatency',
        Statistic: 'Maximum',
        Threshold: 900,
        Dimensions: [{ Name: 'DestinationBucket', Value: expect.anything() }, { Name: 'RuleId', Value: 'DisasterRecovery' }, { Name: 'SourceBucket', Value: 'supabase-prod' }],
      });
      expect(alarmState(latency, { ReplicationLatency: [1000, 1200, 1100] })).toBe('ALARM');
      expect(alarmState(latency, { ReplicationLatency: [5, undefined, 30] })).toBe('OK');
      Template.fromStack(parts.stack).hasResourceProperties('AWS::S3::Bucket', {
        ReplicationConfiguration: { Rules: [Match.objectLike({ Id: 'DisasterRecovery', Destination: Match.objectLike({ Metrics: Match.objectLike({ Status: 'Enabled' }) }) })] },
      });
    });
  });

  test('replicated secrets: a check every five minutes that only describes them, and an alarm that also fires when it stops', () => {
    const parts = buildParts();
    const secrets = new SupabaseSecrets(parts.stack, 'Replicated', { secretNamePrefix: 'supabase/prod', replicaRegions: [{ region: 'eu-central-1' }] });
    new SupabaseObservability(parts.stack, 'Observability', {
      cluster: parts.cluster, database: parts.database, secretReplication: { secrets: secrets.replicatedSecrets, regions: secrets.replicaRegions },
    });
    const template = Template.fromStack(parts.stack);
    const [, fn] = Object.entries(template.findResources('AWS::Lambda::Function')).find(([k]) => k.startsWith('ObservabilitySecretReplicationCheck'))! as [string, any];
    expect(fn.Properties.Environment.Variables.REGIONS).toBe('eu-central-1');
    expect(parts.stack.resolve(fn.Properties.Environment.Variables.SECRET_ARNS)['Fn::Join'][1].filter((p: any) => p.Ref)).toHaveLength(6);
    template.hasResourceProperties('AWS::Events::Rule', { ScheduleExpression: 'rate(5 minutes)' });
    const policy = Object.values(template.findResources('AWS::IAM::Policy')).find((p: any) => JSON.stringify(p.Properties.Roles ?? []).includes('SecretReplicationCheckRole')) as any;
    const actions = policy.Properties.PolicyDocument.Statement.flatMap((s: any) => [s.Action].flat());
    expect(actions.sort()).toEqual(['cloudwatch:PutMetricData', 'logs:CreateLogStream', 'logs:PutLogEvents', 'secretsmanager:DescribeSecret']);
    const [, alarm] = Object.entries(template.findResources('AWS::CloudWatch::Alarm')).find(([k]) => k.startsWith('ObservabilitySecretReplicationFailed'))! as [string, any];
    expect(alarm.Properties).toMatchObject({
      Namespace: 'Supabase/SecretReplication',
      MetricName: 'ReplicasNotInSync',
      Statistic: 'Maximum',
      Period: 300,
      Threshold: 0,
      EvaluationPeriods: 3,
      TreatMissingData: 'breaching',
    });
    expect(alarmState(alarm.Properties, { ReplicasNotInSync: [1, 1, 1] })).toBe('ALARM');
    expect(alarmState(alarm.Properties, { ReplicasNotInSync: [undefined, undefined, undefined] })).toBe('ALARM');
    expect(alarmState(alarm.Properties, { ReplicasNotInSync: [0, 1, 0] })).toBe('OK');
    const errors = new AwsSolutionsChecks().validateScope(parts.stack).violations.filter((v) => v.severity === 'error');
    expect(errors.map((v) => `${v.ruleName} ${v.violatingResources?.map((r) => r.resourceLogicalId).join(',')}`)).toEqual([]);
  });

  test('the cluster alarms\' thresholds can be changed too', () => {
    const { template } = observe({
      thresholds: { failedNodes: 1, nodeCapacityPercent: 90, podsPending: 2, podsNotReady: 3, crashLoopingContainers: 4 },
    });
    template.hasResourceProperties('AWS::CloudWatch::Alarm', { MetricName: 'cluster_failed_node_count', Threshold: 1 });
    template.hasResourceProperties('AWS::CloudWatch::Alarm', { MetricName: 'cluster_node_count', Threshold: 27 }); // 90 % of 30
    template.hasResourceProperties('AWS::CloudWatch::Alarm', { MetricName: 'pod_status_pending', Threshold: 2 });
    template.hasResourceProperties('AWS::CloudWatch::Alarm', { AlarmDescription: Match.stringLikeRegexp('running pods are not ready'), Threshold: 3 });
    template.hasResourceProperties('AWS::CloudWatch::Alarm', { MetricName: 'pod_container_status_waiting_reason_crash_loop_back_off', Threshold: 4 });
  });

  test.each<[string, Partial<SupabaseObservabilityProps>, RegExp]>([
    ['a node capacity of 120 %', { thresholds: { nodeCapacityPercent: 120 } }, /`thresholds.nodeCapacityPercent` must be above 0 and at most 100, got 120/],
    ['a negative pending-pod count', { thresholds: { podsPending: -1 } }, /`thresholds.podsPending` must be a whole number of at least 0, got -1/],
    ['a CPU threshold of 100', { thresholds: { databaseCpuPercent: 100 } }, /`thresholds.databaseCpuPercent` must be between 0 and 100 \(exclusive\), got 100/],
    ['a fractional connection count', { thresholds: { databaseConnections: 10.5 } }, /`thresholds.databaseConnections` must be a positive whole number, got 10.5/],
    ['a zero latency', { thresholds: { databaseReadLatency: Duration.millis(0) } }, /`thresholds.databaseReadLatency` must be longer than zero/],
  ])('rejects %s', (_name, props, message) => {
    expect(() => observe(props)).toThrow(message);
  });
});
