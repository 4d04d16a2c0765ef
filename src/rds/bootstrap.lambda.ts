/**
 * Custom resource that bootstraps an RDS for PostgreSQL instance for Supabase: it reads the master and per-service
 * login secrets, connects as the master user over TLS (verified against the RDS CA certificates that Lambda's
 * Node.js runtime loads through NODE_EXTRA_CA_CERTS) and runs the idempotent bootstrap in ./bootstrap.
 *
 * - Create/Update: runs the bootstrap; it creates only what is missing and never drops or truncates anything.
 * - Delete: does nothing; the database keeps every role, schema and row.
 *
 * No password reaches a log, the response or an error message.
 */
import { SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import { Client, ClientConfig } from 'pg';
import { bootstrapDatabase } from './bootstrap';
import { BootstrapProperties } from './bootstrap/properties';
import { CustomResourceEvent, CustomResourceResult, customResourceHandler } from '../private/lambda/custom-resource';
import { readJsonSecret } from '../private/lambda/secrets';
import { POSTGRES_PORT } from '../private/ports';

/** The fields of an RDS-style database secret this handler reads. */
export interface DatabaseSecret {
  readonly username: string;
  readonly password: string;
  readonly host?: string;
  readonly port?: number;
}

/** Opens a connection; injectable so tests can point it at a local server without TLS. */
export type Connect = (config: ClientConfig) => Promise<Client>;

const CONNECT_TIMEOUT_MS = 15_000;
/** PostgreSQL's SQLSTATE for a failed password authentication. */
const INVALID_PASSWORD = '28P01';

export async function readDatabaseSecret(client: SecretsManagerClient, arn: string, what: string): Promise<DatabaseSecret> {
  const parsed = (await readJsonSecret(client, arn, `The ${what} secret`)).value;
  if (typeof parsed?.username !== 'string' || typeof parsed?.password !== 'string' || parsed.password.length === 0) {
    throw new Error(`The ${what} secret lacks a string \`username\` or a non-empty \`password\` field`);
  }
  const port = parsed.port === undefined ? undefined : Number(parsed.port);
  return { username: parsed.username, password: parsed.password, host: parsed.host, port };
}

async function defaultConnect(config: ClientConfig): Promise<Client> {
  const client = new Client(config);
  await client.connect();
  return client;
}

/** The logic of one event, separate from the Lambda entry point for tests. */
export async function onEvent(
  event: CustomResourceEvent<BootstrapProperties>,
  secrets: SecretsManagerClient,
  connect: Connect = defaultConnect,
  ssl: ClientConfig['ssl'] = { rejectUnauthorized: true },
): Promise<CustomResourceResult> {
  const props = event.ResourceProperties;
  const physicalResourceId = `supabase-bootstrap:${props.DatabaseName}`;
  if (event.RequestType === 'Delete') {
    console.log('Delete: nothing to do; the database keeps its roles, schemas and data');
    return { physicalResourceId: event.PhysicalResourceId };
  }

  const logins = await Promise.all(Object.entries(props.LoginSecretArns).map(async ([role, arn]) => {
    const secret = await readDatabaseSecret(secrets, arn, `${role} login`);
    if (secret.username !== role) {
      throw new Error(`The login secret for ${role} names the user '${secret.username}'`);
    }
    return { username: role, password: secret.password };
  }));

  let master = await readDatabaseSecret(secrets, props.MasterSecretArn, 'master');
  const configFor = (m: DatabaseSecret): ClientConfig => {
    if (!m.host) {
      throw new Error('The master secret has no `host` yet: it is not attached to the DB instance');
    }
    return {
      host: m.host,
      port: m.port ?? POSTGRES_PORT,
      database: props.DatabaseName,
      user: m.username,
      password: m.password,
      ssl,
      connectionTimeoutMillis: CONNECT_TIMEOUT_MS,
      application_name: 'supabase-bootstrap',
    };
  };
  let client: Client;
  try {
    client = await connect(configFor(master));
  } catch (e: any) {
    if (e?.code !== INVALID_PASSWORD) {
      throw new Error(`Cannot connect to ${master.host}:${master.port ?? POSTGRES_PORT} as the master user: ${e?.message ?? e}`);
    }
    // The master secret may have been rotated between the read and the login: read it once more.
    console.log('The master password was refused; reading the master secret again (a rotation may have just finished)');
    master = await readDatabaseSecret(secrets, props.MasterSecretArn, 'master');
    client = await connect(configFor(master));
  }

  try {
    const changes = await bootstrapDatabase(client, {
      masterUser: master.username,
      databaseName: props.DatabaseName,
      postgis: props.Postgis === 'true',
      pgCron: props.PgCron === 'true',
      logins,
      // The bootstrap checks each login's password by logging in with it, on the same server and settings.
      connectAs: (user: string, password: string) => connect({ ...configFor(master), user, password }),
    });
    console.log(`${event.RequestType}: ${changes.length} change(s)${changes.map((c) => `\n- ${c}`).join('')}`);
  } finally {
    await client.end();
  }
  return { physicalResourceId };
}

const secretsManager = new SecretsManagerClient({});

export const handler = customResourceHandler<BootstrapProperties>((event) => onEvent(event, secretsManager));
