import { CloudWatchClient, PutMetricDataCommand } from '@aws-sdk/client-cloudwatch';
import { DescribeSecretCommand, SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import { mockClient } from 'aws-sdk-client-mock';
import { check, configFromEnvironment } from '../../../src/supabase/observability/secret-replication-check.lambda';

const JWT = 'arn:aws:secretsmanager:eu-west-1:111122223333:secret:supabase/prod/jwt-AbCdEf';
const KEYS = 'arn:aws:secretsmanager:eu-west-1:111122223333:secret:supabase/prod/api-keys-GhIjKl';
const config = { secretArns: [JWT, KEYS], regions: ['eu-central-1'], deployment: 'Prod/Supabase/Observability' };

const sm = mockClient(SecretsManagerClient);
const cw = mockClient(CloudWatchClient);
const clients = () => [new SecretsManagerClient({ region: 'eu-west-1' }), new CloudWatchClient({ region: 'eu-west-1' })] as const;
const published = () => cw.commandCalls(PutMetricDataCommand).map((c) => c.args[0].input.MetricData![0]);

beforeEach(() => {
  sm.reset();
  cw.reset();
  cw.on(PutMetricDataCommand).resolves({});
});

test('every replica in sync (or still being made): 0 published, no problem', async () => {
  sm.on(DescribeSecretCommand, { SecretId: JWT }).resolves({ ReplicationStatus: [{ Region: 'eu-central-1', Status: 'InSync' }] });
  sm.on(DescribeSecretCommand, { SecretId: KEYS }).resolves({ ReplicationStatus: [{ Region: 'eu-central-1', Status: 'InProgress' }] });
  expect(await check(config, ...clients())).toEqual([]);
  expect(published()).toEqual([{ MetricName: 'ReplicasNotInSync', Dimensions: [{ Name: 'Deployment', Value: 'Prod/Supabase/Observability' }], Value: 0, Unit: 'Count' }]);
});

test('a failed replica, a missing one and a secret that cannot be described each count', async () => {
  sm.on(DescribeSecretCommand, { SecretId: JWT }).resolves({
    ReplicationStatus: [{ Region: 'eu-central-1', Status: 'Failed', StatusMessage: 'Access denied to the KMS key alias/supabase/prod' }],
  });
  sm.on(DescribeSecretCommand, { SecretId: KEYS }).resolves({ ReplicationStatus: [] });
  sm.on(DescribeSecretCommand, { SecretId: 'arn:aws:secretsmanager:eu-west-1:111122223333:secret:gone-x' })
    .rejects(Object.assign(new Error('Secrets Manager can\'t find the specified secret.'), { name: 'ResourceNotFoundException' }));
  expect(await check({ ...config, secretArns: [JWT, KEYS, 'arn:aws:secretsmanager:eu-west-1:111122223333:secret:gone-x'] }, ...clients())).toEqual([
    { secretArn: JWT, region: 'eu-central-1', status: 'Failed', message: 'Access denied to the KMS key alias/supabase/prod' },
    { secretArn: KEYS, region: 'eu-central-1', status: 'Missing' },
    { secretArn: 'arn:aws:secretsmanager:eu-west-1:111122223333:secret:gone-x', region: 'eu-central-1', status: 'Unknown', message: 'DescribeSecret failed: ResourceNotFoundException' },
  ]);
  expect(published()[0].Value).toBe(3);
});

test('the configuration comes from the environment', () => {
  expect(configFromEnvironment({ SECRET_ARNS: `${JWT},${KEYS}`, REGIONS: 'eu-central-1', DEPLOYMENT: 'd' })).toEqual({ secretArns: [JWT, KEYS], regions: ['eu-central-1'], deployment: 'd' });
  expect(configFromEnvironment({})).toEqual({ secretArns: [], regions: [], deployment: 'supabase' });
});
