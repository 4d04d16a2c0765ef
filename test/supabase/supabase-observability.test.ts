import { Duration, RemovalPolicy, Size, Stack, aws_elasticloadbalancingv2 as elbv2, aws_kms as kms, aws_logs as logs, aws_sns as sns } from 'aws-cdk-lib';
import { Annotations, Match, Template } from 'aws-cdk-lib/assertions';
import { AwsSolutionsChecks } from 'cdk-nag';
import { buildParts } from './fixture';
import { SupabaseCluster, SupabaseDatabase, SupabaseNetwork, SupabaseObservability, SupabaseObservabilityProps } from '../../src';
import { PolicyRequest, evaluate, resolve } from '../policy-evaluator';

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

  test('no replica-lag alarm on a primary', () => {
    expect(Object.keys(template.findResources('AWS::CloudWatch::Alarm')).some((k) => k.includes('ReplicaLag'))).toBe(false);
  });

  test.each([
    ['FailedNodes', 'cluster_failed_node_count', 'Maximum', 0, 'GreaterThanThreshold', 1],
    ['NodeGroupsAtCapacity', 'cluster_node_count', 'Maximum', 30, 'GreaterThanOrEqualToThreshold', 3],
    ['PodsPending', 'pod_status_pending', 'Average', 0, 'GreaterThanThreshold', 3],
    ['CrashLoops', 'pod_container_status_waiting_reason_crash_loop_back_off', 'Maximum', 0, 'GreaterThanThreshold', 3],
  ])('%s: ContainerInsights %s (%s) of the cluster against %d, %s', (id, metric, statistic, threshold, operator, periods) => {
    expect(alarm(id)).toMatchObject({
      Namespace: 'ContainerInsights',
      MetricName: metric,
      Statistic: statistic,
      Dimensions: clusterDimension,
      Threshold: threshold,
      ComparisonOperator: operator,
      EvaluationPeriods: periods,
      AlarmActions: [TOPIC],
    });
  });

  test('PodsNotReady: running minus ready pods of the cluster above zero for 15 minutes', () => {
    const props = alarm('PodsNotReady');
    expect(props).toMatchObject({ Threshold: 0, ComparisonOperator: 'GreaterThanThreshold', EvaluationPeriods: 3, AlarmActions: [TOPIC] });
    expect(props.Metrics).toEqual(expect.arrayContaining([
      expect.objectContaining({ Expression: 'running - ready', ReturnData: true }),
      expect.objectContaining({ Id: 'running', ReturnData: false, MetricStat: expect.objectContaining({ Metric: expect.objectContaining({ MetricName: 'pod_status_running', Dimensions: clusterDimension }) }) }),
      expect.objectContaining({ Id: 'ready', ReturnData: false, MetricStat: expect.objectContaining({ Metric: expect.objectContaining({ MetricName: 'pod_status_ready' }) }) }),
    ]));
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
    expect(observability.alarms.length).toBe(11);
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

  test('with the load balancer: the API\'s 5xx share and p95 response time are alarmed and graphed', () => {
    const parts = buildParts();
    const alb = new elbv2.ApplicationLoadBalancer(parts.stack, 'Alb', { vpc: parts.network.vpc, internetFacing: true });
    new SupabaseObservability(parts.stack, 'Observability', {
      cluster: parts.cluster, database: parts.database, loadBalancer: alb, thresholds: { api5xxPercent: 2, apiResponseTime: Duration.millis(800) },
    });
    const template = Template.fromStack(parts.stack);
    const albName = { 'Fn::GetAtt': [parts.stack.getLogicalId(alb.node.defaultChild as any), 'LoadBalancerFullName'] };
    const [, api5xx] = Object.entries(template.findResources('AWS::CloudWatch::Alarm')).find(([k]) => k.startsWith('ObservabilityApi5xx'))! as [string, any];
    expect(api5xx.Properties).toMatchObject({ Threshold: 2, ComparisonOperator: 'GreaterThanThreshold', EvaluationPeriods: 3 });
    expect(api5xx.Properties.Metrics).toEqual(expect.arrayContaining([
      expect.objectContaining({ Expression: 'IF(requests > 0, 100 * (FILL(elb, 0) + FILL(target, 0)) / requests, 0)', ReturnData: true }),
      expect.objectContaining({ Id: 'requests', MetricStat: expect.objectContaining({ Stat: 'Sum', Metric: { Namespace: 'AWS/ApplicationELB', MetricName: 'RequestCount', Dimensions: [{ Name: 'LoadBalancer', Value: albName }] } }) }),
      expect.objectContaining({ Id: 'elb', MetricStat: expect.objectContaining({ Metric: expect.objectContaining({ MetricName: 'HTTPCode_ELB_5XX_Count' }) }) }),
      expect.objectContaining({ Id: 'target', MetricStat: expect.objectContaining({ Metric: expect.objectContaining({ MetricName: 'HTTPCode_Target_5XX_Count' }) }) }),
    ]));
    template.hasResourceProperties('AWS::CloudWatch::Alarm', {
      Namespace: 'AWS/ApplicationELB', MetricName: 'TargetResponseTime', ExtendedStatistic: 'p95', Threshold: 0.8, Dimensions: [{ Name: 'LoadBalancer', Value: albName }],
    });
    const body = JSON.stringify(parts.stack.resolve((Object.values(template.findResources('AWS::CloudWatch::Dashboard'))[0] as any).Properties.DashboardBody));
    for (const title of ['API requests', 'API errors', 'API response time (s)']) {
      expect(body).toContain(title);
    }
  });

  test('a read replica gets a replica-lag alarm that also fires when the lag stops being reported', () => {
    const parts = buildParts();
    const replicaStack = new Stack(parts.app, 'Dr', { env: { account: '123456789012', region: 'eu-central-1' } });
    const network = new SupabaseNetwork(replicaStack, 'Network', { availabilityZones: ['eu-central-1a', 'eu-central-1b', 'eu-central-1c'] });
    const replica = new SupabaseDatabase(replicaStack, 'Database', {
      vpc: network.vpc,
      vpcSubnets: network.databaseSubnets,
      replicaOf: { instanceArn: 'arn:aws:rds:eu-west-1:123456789012:db:supabase-prod', secretNamePrefix: 'supabase/prod' },
    });
    const cluster = new SupabaseCluster(replicaStack, 'Cluster', { vpc: network.vpc, vpcSubnets: network.eksSubnets });
    new SupabaseObservability(replicaStack, 'Observability', { cluster, database: replica });
    Template.fromStack(replicaStack).hasResourceProperties('AWS::CloudWatch::Alarm', {
      Namespace: 'AWS/RDS', MetricName: 'ReplicaLag', Statistic: 'Maximum', Threshold: 300, TreatMissingData: 'breaching',
    });
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
