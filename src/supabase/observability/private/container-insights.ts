import { RemovalPolicy, aws_eks_v2 as eks, aws_iam as iam, aws_kms as kms, aws_logs as logs } from 'aws-cdk-lib';
import { Construct } from 'constructs';
import { SupabaseCluster } from '../../../eks/supabase-cluster';
import { acknowledgeManagedPolicies } from '../../../private/nag';

/** The log groups the CloudWatch Observability add-on writes to, under `/aws/containerinsights/<cluster>/`. */
const CONTAINER_INSIGHTS_LOGS = ['application', 'dataplane', 'host', 'performance'];
/** The add-on's agent and Fluent Bit run as this service account. */
const AGENT_SERVICE_ACCOUNT = ['amazon-cloudwatch', 'cloudwatch-agent'] as const;

/** What {@link addContainerInsights} needs besides the cluster. */
export interface ContainerInsightsOptions {
  readonly encryptionKey: kms.IKey;
  readonly retention: logs.RetentionDays;
  readonly removalPolicy: RemovalPolicy;
}

/**
 * The Amazon CloudWatch Observability add-on, with an IRSA role for its agent and Fluent Bit, after its log groups
 * exist (created in `scope` with a retention and the key, and pushed onto `logGroups`; the agent only creates
 * missing ones).
 */
export function addContainerInsights(scope: Construct, cluster: SupabaseCluster, options: ContainerInsightsOptions,
  logGroups: logs.ILogGroup[]): eks.Addon {
  for (const name of CONTAINER_INSIGHTS_LOGS) {
    logGroups.push(new logs.LogGroup(scope, `${name.charAt(0).toUpperCase()}${name.slice(1)}Logs`, {
      logGroupName: `/aws/containerinsights/${cluster.clusterName}/${name}`,
      retention: options.retention,
      encryptionKey: options.encryptionKey,
      removalPolicy: options.removalPolicy,
    }));
  }
  // In the cluster's scope, beside the cluster's other IRSA roles and the function that resolves their trust.
  const [namespace, account] = AGENT_SERVICE_ACCOUNT;
  const role = cluster.addServiceAccountRole(`${scope.node.id}CloudWatchAgentRole`, { namespace, name: account });
  role.addManagedPolicy(iam.ManagedPolicy.fromAwsManagedPolicyName('CloudWatchAgentServerPolicy'));
  acknowledgeManagedPolicies(role, {
    CloudWatchAgentServerPolicy: 'The CloudWatch Observability add-on is documented with the AWS managed policy CloudWatchAgentServerPolicy (metrics, logs and the EC2 tags its agent reads); AWS keeps it in step with the agent, and only the add-on\'s service account can assume this role.',
  });
  const addon = new eks.Addon(scope, 'Addon', {
    cluster: cluster.cluster,
    addonName: 'amazon-cloudwatch-observability',
    preserveOnDelete: false,
    // Application Signals would add X-Ray permissions and instrument pods; Supabase's services are not instrumented.
    configurationValues: { containerLogs: { enabled: true } },
  });
  const resource = addon.node.defaultChild as eks.CfnAddon;
  resource.serviceAccountRoleArn = role.roleArn;
  resource.resolveConflicts = 'OVERWRITE';
  addon.node.addDependency(...logGroups, ...cluster.nodeGroups);
  return addon;
}
