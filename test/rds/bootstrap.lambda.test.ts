/**
 * The bootstrap custom resource's handler, end to end on a real PostgreSQL 15 set up like RDS (./pg-harness.ts):
 * secrets from a stubbed Secrets Manager, the bootstrap against the server, and what reaches the logs.
 */
import { randomBytes } from 'node:crypto';
import { GetSecretValueCommand, SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import { mockClient } from 'aws-sdk-client-mock';
import { DATABASE, MASTER_USER, PgHarness } from './pg-harness';
import { CustomResourceEvent } from '../../src/private/lambda/custom-resource';
import { LOGIN_ROLES } from '../../src/rds/bootstrap';
import { BootstrapProperties } from '../../src/rds/bootstrap/properties';
import { onEvent } from '../../src/rds/bootstrap.lambda';

jest.setTimeout(300_000);

const MARKER = `pw${randomBytes(6).toString('hex')}`;
const MASTER_PASSWORD = `${MARKER}master${randomBytes(10).toString('hex')}`;
const PASSWORDS = Object.fromEntries(LOGIN_ROLES.map((u) => [u, `${MARKER}${randomBytes(12).toString('hex')}`]));
const MASTER_ARN = 'arn:aws:secretsmanager:eu-west-1:111122223333:secret:master-AbCdEf';
const arnOf = (username: string) => `arn:aws:secretsmanager:eu-west-1:111122223333:secret:login-${username}`;

const sm = mockClient(SecretsManagerClient);
let pg: PgHarness;
const logs: string[] = [];

function givenSecrets(master: object = { username: MASTER_USER, password: MASTER_PASSWORD, host: '127.0.0.1', port: pg.port, engine: 'postgres' }) {
  sm.reset();
  sm.on(GetSecretValueCommand, { SecretId: MASTER_ARN }).resolves({ SecretString: JSON.stringify(master) });
  for (const username of LOGIN_ROLES) {
    sm.on(GetSecretValueCommand, { SecretId: arnOf(username) }).resolves({
      SecretString: JSON.stringify({ username, password: PASSWORDS[username], host: '127.0.0.1', port: pg.port, dbname: DATABASE }),
    });
  }
}

function event(RequestType: 'Create' | 'Update' | 'Delete', logins: string[] = [...LOGIN_ROLES]): CustomResourceEvent<BootstrapProperties> {
  return {
    RequestType,
    ResponseURL: 'https://cloudformation-custom-resource-response.example/r',
    StackId: 'arn:aws:cloudformation:eu-west-1:111122223333:stack/s/1',
    RequestId: 'r',
    LogicalResourceId: 'Bootstrap',
    ResourceType: 'Custom::SupabaseBootstrap',
    PhysicalResourceId: RequestType === 'Create' ? undefined : `supabase-bootstrap:${DATABASE}`,
    ResourceProperties: {
      ServiceToken: 'arn:aws:lambda:eu-west-1:111122223333:function:f',
      MasterSecretArn: MASTER_ARN,
      LoginSecretArns: Object.fromEntries(logins.map((u) => [u, arnOf(u)])),
      DatabaseName: DATABASE,
      Postgis: 'false',
      PgCron: 'false',
    },
  };
}

/** The handler as Lambda would run it, but without TLS (the local server has no certificate). */
const run = (e: CustomResourceEvent<BootstrapProperties>) => onEvent(e, new SecretsManagerClient({ region: 'eu-west-1' }), undefined, false);

beforeAll(async () => {
  pg = await PgHarness.start(15, MASTER_PASSWORD);
  // As on RDS if it lets the master give BYPASSRLS (see the harness and the bootstrap's integration tests).
  await pg.emulateRdsBypassRls();
  jest.spyOn(console, 'log').mockImplementation((...args) => { logs.push(args.join(' ')); });
  jest.spyOn(console, 'error').mockImplementation((...args) => { logs.push(args.join(' ')); });
});

afterAll(async () => {
  jest.restoreAllMocks();
  await pg?.stop();
});

test('create bootstraps the database: every login then works with its secret\'s password', async () => {
  givenSecrets();
  await expect(run(event('Create'))).resolves.toEqual({ physicalResourceId: `supabase-bootstrap:${DATABASE}` });
  expect(logs.join('\n')).toMatch(/Create: [1-9]\d* change\(s\)/);
  for (const username of LOGIN_ROLES) {
    const client = await pg.connect(username, PASSWORDS[username]);
    await client.end();
  }
});

test('an update with nothing new changes nothing', async () => {
  givenSecrets();
  logs.length = 0;
  await run(event('Update'));
  expect(logs).toContain('Update: 0 change(s)');
});

test('delete touches neither Secrets Manager nor the database', async () => {
  givenSecrets();
  await expect(run(event('Delete'))).resolves.toEqual({ physicalResourceId: `supabase-bootstrap:${DATABASE}` });
  expect(sm.calls()).toHaveLength(0);
});

test('a master password rotated between the read and the login: the secret is read again and the run succeeds', async () => {
  sm.reset();
  givenSecrets();
  sm.on(GetSecretValueCommand, { SecretId: MASTER_ARN })
    .resolvesOnce({ SecretString: JSON.stringify({ username: MASTER_USER, password: 'stale-password', host: '127.0.0.1', port: pg.port }) })
    .resolves({ SecretString: JSON.stringify({ username: MASTER_USER, password: MASTER_PASSWORD, host: '127.0.0.1', port: pg.port }) });
  await expect(run(event('Update'))).resolves.toBeDefined();
  expect(sm.commandCalls(GetSecretValueCommand, { SecretId: MASTER_ARN })).toHaveLength(2);
});

test.each<[string, () => void, RegExp]>([
  ['a master secret not yet attached to the instance', () => givenSecrets({ username: MASTER_USER, password: MASTER_PASSWORD }),
    /The master secret has no `host` yet: it is not attached to the DB instance/],
  ['a login secret naming another user', () => {
    givenSecrets();
    sm.on(GetSecretValueCommand, { SecretId: arnOf('authenticator') }).resolves({ SecretString: JSON.stringify({ username: 'someone', password: PASSWORDS.authenticator }) });
  }, /The login secret for authenticator names the user 'someone'/],
  ['a login secret that is not JSON', () => {
    givenSecrets();
    sm.on(GetSecretValueCommand, { SecretId: arnOf('postgres') }).resolves({ SecretString: `not json ${PASSWORDS.postgres}` });
  }, /The postgres login secret does not hold a JSON document/],
  ['a server that cannot be reached', () => givenSecrets({ username: MASTER_USER, password: MASTER_PASSWORD, host: '127.0.0.1', port: 1 }),
    /Cannot connect to 127\.0\.0\.1:1 as the master user/],
])('%s fails with a clear message and no password', async (_name, arrange, message) => {
  arrange();
  const error = await run(event('Update')).catch((e: Error) => e);
  expect((error as Error).message).toMatch(message);
  expect((error as Error).message).not.toContain(MARKER);
});

test('no password reached any log line', () => {
  expect(logs.length).toBeGreaterThan(0);
  for (const line of logs) {
    expect(line).not.toContain(MARKER);
  }
});
