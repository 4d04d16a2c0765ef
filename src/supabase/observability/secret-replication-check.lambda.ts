/**
 * Checks, on a schedule, that every replicated Supabase secret is in sync in each region it should be replicated
 * to, and publishes how many replicas are not: Secrets Manager publishes no metric for replication (only
 * `DescribeSecret`'s `ReplicationStatus` tells), so this is what the `SecretReplicationFailed` alarm watches.
 *
 * A replica counts as failed when its status is `Failed`, or when a region it should be in has none. `InProgress`
 * is a replication under way and counts as in sync. A secret that cannot be described counts as failed in every
 * region (and the error is logged, without a value: DescribeSecret returns none).
 */
import { CloudWatchClient, PutMetricDataCommand } from '@aws-sdk/client-cloudwatch';
import { DescribeSecretCommand, SecretsManagerClient } from '@aws-sdk/client-secrets-manager';

/** The namespace and metric the alarm watches. */
export const METRIC_NAMESPACE = 'Supabase/SecretReplication';
export const METRIC_NAME = 'ReplicasNotInSync';

/** What to check: the secrets' ARNs and the regions each must be replicated to. */
export interface CheckConfig {
  readonly secretArns: string[];
  readonly regions: string[];
  /** The metric's dimension: the deployment the secrets belong to. */
  readonly deployment: string;
}

/** One replica that is not in sync. */
export interface Problem {
  readonly secretArn: string;
  readonly region: string;
  readonly status: string;
  readonly message?: string;
}

/** The replicas not in sync. */
export async function findProblems(config: CheckConfig, secretsManager: SecretsManagerClient): Promise<Problem[]> {
  const problems: Problem[] = [];
  for (const secretArn of config.secretArns) {
    let statuses: { Region?: string; Status?: string; StatusMessage?: string }[];
    try {
      statuses = (await secretsManager.send(new DescribeSecretCommand({ SecretId: secretArn }))).ReplicationStatus ?? [];
    } catch (e) {
      problems.push(...config.regions.map((region) => ({ secretArn, region, status: 'Unknown', message: `DescribeSecret failed: ${(e as Error).name}` })));
      continue;
    }
    for (const region of config.regions) {
      const replica = statuses.find((s) => s.Region === region);
      if (!replica) {
        problems.push({ secretArn, region, status: 'Missing' });
      } else if (replica.Status === 'Failed') {
        problems.push({ secretArn, region, status: 'Failed', message: replica.StatusMessage });
      }
    }
  }
  return problems;
}

/** Checks and publishes the count; returns the problems (logged by the handler). */
export async function check(config: CheckConfig, secretsManager: SecretsManagerClient, cloudWatch: CloudWatchClient): Promise<Problem[]> {
  const problems = await findProblems(config, secretsManager);
  await cloudWatch.send(new PutMetricDataCommand({
    Namespace: METRIC_NAMESPACE,
    MetricData: [{ MetricName: METRIC_NAME, Dimensions: [{ Name: 'Deployment', Value: config.deployment }], Value: problems.length, Unit: 'Count' }],
  }));
  return problems;
}

/** The configuration from the function's environment. */
export function configFromEnvironment(env: NodeJS.ProcessEnv): CheckConfig {
  const list = (name: string) => (env[name] ?? '').split(',').filter((v) => v.length > 0);
  return { secretArns: list('SECRET_ARNS'), regions: list('REGIONS'), deployment: env.DEPLOYMENT ?? 'supabase' };
}

const secretsManager = new SecretsManagerClient({});
const cloudWatch = new CloudWatchClient({});

export async function handler(): Promise<{ problems: number }> {
  const problems = await check(configFromEnvironment(process.env), secretsManager, cloudWatch);
  for (const p of problems) {
    console.log(`Replica of ${p.secretArn} in ${p.region}: ${p.status}${p.message ? ` (${p.message})` : ''}`);
  }
  return { problems: problems.length };
}
