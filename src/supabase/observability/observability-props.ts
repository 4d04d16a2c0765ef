import { RemovalPolicy, aws_elasticloadbalancingv2 as elbv2, aws_kms as kms, aws_logs as logs, aws_secretsmanager as secretsmanager, aws_sns as sns } from 'aws-cdk-lib';
import { SupabaseAlarmThresholds } from './thresholds';
import { SupabaseCluster } from '../../eks/supabase-cluster';
import { SupabaseDatabase } from '../../rds/supabase-database';
import { SupabaseStorage } from '../../storage/supabase-storage';

/**
 * The settings of a `SupabaseObservability` other than the parts it watches: what `SupabaseOnAws` takes.
 */
export interface SupabaseObservabilityOptions {
  /**
   * The SNS topic the alarms notify (subscribe your on-call tool to it). A topic defined in this app gets a policy
   * statement that lets this account's CloudWatch alarms publish to it; an imported topic's policy must allow that
   * itself (a warning says so). Otherwise a new topic, encrypted with this construct's key, which CloudWatch may use.
   *
   * @default - a new topic, encrypted with `encryptionKey`, TLS only, that this account's alarms may publish to
   */
  readonly alarmTopic?: sns.ITopic;

  /**
   * Email addresses subscribed to the alarm topic. Each receives a confirmation email from SNS on the first
   * deployment and is notified only after confirming it.
   *
   * @default - no subscription: subscribe your on-call tool to `alarmTopic`
   */
  readonly alarmEmails?: string[];

  /** The alarms' thresholds. @default - see SupabaseAlarmThresholds */
  readonly thresholds?: SupabaseAlarmThresholds;

  /**
   * Whether the Amazon CloudWatch Observability add-on collects the containers' logs (Fluent Bit) and metrics
   * (Container Insights with enhanced observability) into KMS-encrypted log groups. Without it there are no
   * cluster alarms or cluster widgets.
   *
   * @default true
   */
  readonly containerInsights?: boolean;

  /**
   * How long the container log groups keep their logs. Only the day counts of `logs.RetentionDays` are accepted;
   * another number is a synth-time error naming the nearest.
   *
   * @default logs.RetentionDays.ONE_MONTH
   */
  readonly logRetention?: logs.RetentionDays;

  /**
   * The key that encrypts the container log groups and the alarm topic. A key defined in this app gets the policy
   * statements that let CloudWatch Logs and CloudWatch alarms use it; an imported key's policy cannot be changed
   * here, so it is an error unless `alarmTopic` is given too (create that topic with a key whose policy allows
   * `cloudwatch.amazonaws.com` `kms:Decrypt` and `kms:GenerateDataKey*`).
   * Checked at synth when imported by ARN (kms.Key.fromKeyArn): a key ARN (`key/<id>`, not an alias ARN, which IAM
   * policies and grants cannot name) of this stack's region.
   *
   * @default - a new key with rotation enabled and the alias `alias/<stack name>/<path>/observability`
   */
  readonly encryptionKey?: kms.IKey;

  /**
   * What happens to the log groups and the key this construct creates when they leave the stack.
   *
   * @default RemovalPolicy.RETAIN
   */
  readonly removalPolicy?: RemovalPolicy;

  /** The dashboard's name. @default - derived from the cluster's name, e.g. `Supabase-<cluster>` */
  readonly dashboardName?: string;
}

/**
 * Secrets replicated to other regions, checked by `SupabaseObservability`.
 */
export interface SupabaseSecretReplication {
  /** The primary secrets (in this stack's region). */
  readonly secrets: secretsmanager.ISecret[];
  /** The regions each must have an in-sync replica in. */
  readonly regions: string[];
}

/**
 * Properties of a `SupabaseObservability`.
 */
export interface SupabaseObservabilityProps extends SupabaseObservabilityOptions {
  /** The cluster whose nodes and pods are watched (and where the add-on goes). */
  readonly cluster: SupabaseCluster;
  /** The database whose health is watched. */
  readonly database: SupabaseDatabase;
  /** The Storage bucket shown on the dashboard. @default - no Storage widgets */
  readonly storage?: SupabaseStorage;
  /** The public load balancer in front of the API gateway. @default - no API alarms or widgets */
  readonly loadBalancer?: elbv2.IApplicationLoadBalancer;
  /**
   * The load balancer's target group of the API gateway's pods, for the alarm on a full outage (no healthy target).
   *
   * @default - no outage alarm
   */
  readonly targetGroup?: elbv2.IApplicationTargetGroup;
  /**
   * Secrets replicated to the disaster-recovery region. Secrets Manager publishes no metric for replication, so a
   * function checks every replica's status every five minutes, publishes how many are not in sync
   * (`Supabase/SecretReplication` `ReplicasNotInSync`), and an alarm fires on any (or when the check stops).
   *
   * @default - no check
   */
  readonly secretReplication?: SupabaseSecretReplication;
}
