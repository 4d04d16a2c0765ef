import { Chart } from 'cdk8s';
import { Construct } from 'constructs';
import { K8S_SECRETS } from './secrets-chart';
import { PORTS } from '../../private/ports';
import { SecretEnv, ServiceChartProps, databaseEgress, plainEnv } from '../private/chart-props';
import { imageUser } from '../private/image-contract';
import { addServicePolicy, addSupabaseService, httpProbe, resources, startupProbe } from '../private/service';
import { SupabaseRestSettings } from '../settings';

export interface RestChartProps extends ServiceChartProps {
  readonly settings: SupabaseRestSettings;
  /** How long a user's access token is valid, in seconds (`PGRST_APP_SETTINGS_JWT_EXP`). */
  readonly jwtExpirySeconds: number;
  /** Whether PostgREST connects through a transaction pooler (the RDS Proxy). */
  readonly pooled: boolean;
}

/** The schemas PostgREST exposes unless told otherwise. */
export const DEFAULT_REST_SCHEMAS = ['public', 'storage', 'graphql_public'];

/** PostgREST's schemas, row limit and search path: its own settings, which Studio shows too. */
export function restDatabaseSettings(settings: SupabaseRestSettings): Record<string, string> {
  return {
    PGRST_DB_SCHEMAS: (settings.schemas ?? DEFAULT_REST_SCHEMAS).join(','),
    PGRST_DB_MAX_ROWS: String(settings.maxRows ?? 1000),
    PGRST_DB_EXTRA_SEARCH_PATH: (settings.extraSearchPath ?? ['public', 'extensions']).join(','),
  };
}

/**
 * Supabase REST (PostgREST) on port 3000, connecting as `authenticator`, which switches to anon, authenticated or
 * service_role per request. Its admin server on 3001 answers `/live` and `/ready` (ready once the schema cache is
 * loaded) and is not exposed by the Service. The schema cache reloads on `NOTIFY pgrst, 'reload schema'`: on RDS
 * there is no event trigger that sends it after DDL. Through the RDS Proxy, prepared statements are off; the
 * listener's LISTEN pins its one connection to a database connection, so reloads still arrive.
 */
export class RestChart extends Chart {
  constructor(scope: Construct, id: string, props: RestChartProps) {
    super(scope, id, { namespace: props.namespace });
    const secrets = new SecretEnv(this);
    const port = PORTS.rest;
    const admin = PORTS.restAdmin;
    addSupabaseService(this, {
      name: 'rest',
      image: props.image,
      ports: [{ name: 'http', port }, { name: 'admin', port: admin, exposed: false }],
      env: {
        ...plainEnv({
          ...restDatabaseSettings(props.settings),
          PGRST_DB_ANON_ROLE: 'anon',
          PGRST_DB_USE_LEGACY_GUCS: 'false',
          PGRST_APP_SETTINGS_JWT_EXP: String(props.jwtExpirySeconds),
          PGRST_SERVER_PORT: String(port),
          PGRST_ADMIN_SERVER_PORT: String(admin),
          // Through a transaction pooler each transaction may get another server connection: named prepared
          // statements, prepared once per connection, would be missing there (or pin every session on RDS Proxy).
          ...(props.pooled ? { PGRST_DB_PREPARED_STATEMENTS: 'false' } : {}),
        }),
        PGRST_DB_URI: secrets.value(K8S_SECRETS.dbRest, 'uri'),
        // Only here: as PGRST_APP_SETTINGS_JWT_SECRET it would be readable by any SQL as
        // current_setting('app.settings.jwt_secret') (upstream dropped it in 0.8.1).
        // With signing keys, the verifiers' JWKS (the published keys and the legacy secret as an `oct` key).
        PGRST_JWT_SECRET: props.signingKeys
          ? secrets.value(K8S_SECRETS.signingKeys, 'jwks')
          : secrets.value(K8S_SECRETS.jwt, 'jwt-secret'),
      },
      readiness: httpProbe('/ready', admin),
      liveness: httpProbe('/live', admin, { failureThreshold: 6 }),
      startup: startupProbe('/live', admin, 60),
      resources: resources(100, 1000, 128, 512),
      ...imageUser('rest'),
      writablePaths: [{ name: 'tmp', path: '/tmp' }],
      extraEnv: props.extraEnv,
      scaling: props.scaling,
    });
    addServicePolicy(this, 'rest', {
      // Kong proxies the REST API; Storage calls it too (POSTGREST_URL).
      ingress: [{ peer: { service: 'kong' }, ports: [port] }, { peer: { service: 'storage' }, ports: [port] }],
      egress: databaseEgress(props.network),
    });
  }
}
