import { ApiObject, Chart, ChartProps } from 'cdk8s';
import { Construct } from 'constructs';
import { SIGNING_KEYS_SECRET } from '../private/chart-props';
import { serviceEnvSecretName } from '../private/secret-env';
import { NAME_LABEL, PART_OF, PART_OF_LABEL } from '../private/service';

/** The Kubernetes Secrets the services read, each materialised by External Secrets Operator. */
export const K8S_SECRETS = {
  /** `jwt-secret` */
  jwt: 'supabase-jwt',
  /** `anon-key`, `service-role-key` */
  apiKeys: 'supabase-api-keys',
  /** `username`, `password` */
  dashboard: 'supabase-dashboard',
  /** `secret-key-base`, `db-enc-key` */
  realtime: 'supabase-realtime',
  /** `crypto-key` */
  metaCrypto: 'supabase-meta-crypto',
  /** `password` */
  smtp: 'supabase-smtp',
  /** `url` (GoTrue's connection URL) */
  dbAuth: 'supabase-db-auth',
  /** `uri` (PostgREST's connection URI) */
  dbRest: 'supabase-db-rest',
  /** `url` (the Storage API's connection URL, to the instance), `pool-url` (through the RDS Proxy, if any) */
  dbStorage: 'supabase-db-storage',
  /** `username`, `password`, `host`, `port`, `dbname` of Realtime's login */
  dbRealtime: 'supabase-db-realtime',
  /** `username`, `password`, `host`, `port`, `dbname` of postgres-meta's and Studio's login */
  dbMeta: 'supabase-db-meta',
  /** `url` (Edge Functions' SUPABASE_DB_URL, the meta login) */
  dbFunctions: 'supabase-db-functions',
  /** `host`, `port`, `password` (the AUTH token), `url` (`rediss://:<password>@<host>:<port>`) of the cache, if any */
  cache: 'supabase-cache',
  /**
   * The signing keys and opaque API keys, if any: `jwt-keys` (Auth's set), `jwks` (the verifiers' set, with the
   * legacy secret), `public-jwks`, `publishable-key`, `publishable-keys` and `secret-keys` (JSON objects by name),
   * `secret-key-<name>`, `anon-key-asymmetric`, `service-role-key-asymmetric`
   */
  signingKeys: SIGNING_KEYS_SECRET,
} as const;

/** The key of the secret API key `name` in the signing keys' Secret. */
export function secretKeyKey(name: string): string {
  return `secret-key-${name}`;
}

/** A service's variables from Secrets Manager: each one's name, secret (ARN) and JSON field (none: the whole string). */
export interface ServiceSecretEnv {
  readonly service: string;
  readonly variables: { readonly name: string; readonly secretArn: string; readonly field?: string }[];
}

/** The Secrets Manager secrets (ARNs or names) the ExternalSecrets read. */
export interface SecretSources {
  readonly region: string;
  readonly jwt: string;
  readonly apiKeys: string;
  readonly dashboard: string;
  readonly realtimeSecretKeyBase: string;
  readonly realtimeDbEncKey: string;
  readonly metaCryptoKey: string;
  readonly dbAuth: string;
  readonly dbRest: string;
  readonly dbStorage: string;
  readonly dbRealtime: string;
  readonly dbMeta: string;
  /** The database host the services connect to, instead of the `host` field of the login secrets. */
  readonly databaseHost?: string;
  /**
   * The RDS Proxy's endpoint, if any. Auth, REST, Storage's request pool and postgres-meta (with Studio) connect
   * through it; Realtime (logical replication), Storage's migrations and listener, and Edge Functions connect to the
   * instance.
   */
  readonly pooledHost?: string;
  /** The SMTP password's secret, and its JSON field (none: the whole secret string). */
  readonly smtpPassword?: { readonly secret: string; readonly field?: string };
  /** Whether Edge Functions are deployed (they get a connection URL). */
  readonly functions: boolean;
  /** The cache, if any: its AUTH token's secret (JSON field `password`), host and port. */
  readonly cache?: { readonly secret: string; readonly host: string; readonly port: number };
  /** Each service's own variables from Secrets Manager, into its Secret `supabase-<service>-env`. */
  readonly serviceEnv?: ServiceSecretEnv[];
  /** The signing keys' secret and the secret API keys' names, if the deployment has signing keys. */
  readonly signingKeys?: { readonly secret: string; readonly secretKeyNames: string[] };
}

export interface SecretsChartProps extends ChartProps {
  readonly namespace: string;
  readonly sources: SecretSources;
  /** How often the operator re-reads the secrets. */
  readonly refreshInterval: string;
}

/** Where an ExternalSecret's data comes from, and the template that shapes it. */
interface ExternalSecretSource {
  readonly data?: unknown[];
  readonly dataFrom?: unknown[];
  readonly template?: Record<string, string>;
}

/** The SecretStore's name. */
export const SECRET_STORE = 'aws-secrets-manager';

/**
 * External Secrets for the Supabase namespace: a SecretStore for AWS Secrets Manager in the deployment's region,
 * authenticated by the operator's own IRSA role (no static key, no token in the namespace), and one
 * ExternalSecret per Kubernetes Secret the services read. Database connection strings are assembled by the
 * ExternalSecret's template from the login secret's fields, with `sslmode=require`: the manifest holds secret
 * ARNs and templates, never a value.
 */
export class SecretsChart extends Chart {
  constructor(scope: Construct, id: string, props: SecretsChartProps) {
    super(scope, id, { ...props, labels: { [PART_OF_LABEL]: PART_OF, ...props.labels } });
    const s = props.sources;

    new ApiObject(this, 'store', {
      apiVersion: 'external-secrets.io/v1',
      kind: 'SecretStore',
      metadata: { name: SECRET_STORE },
      spec: {
        provider: {
          // No `auth`: the operator uses its pod's credentials, the IRSA role that may read only this
          // deployment's secrets.
          aws: { service: 'SecretsManager', region: s.region },
        },
      },
    });

    const fields = (name: string, source: string, map: Record<string, string>) =>
      this.externalSecret(name, props.refreshInterval, {
        data: Object.entries(map).map(([secretKey, property]) => ({ secretKey, remoteRef: { key: source, property } })),
      });
    fields(K8S_SECRETS.jwt, s.jwt, { 'jwt-secret': 'jwtSecret' });
    fields(K8S_SECRETS.apiKeys, s.apiKeys, { 'anon-key': 'anonKey', 'service-role-key': 'serviceRoleKey' });
    fields(K8S_SECRETS.dashboard, s.dashboard, { username: 'username', password: 'password' });
    fields(K8S_SECRETS.metaCrypto, s.metaCryptoKey, { 'crypto-key': 'cryptoKey' });
    this.externalSecret(K8S_SECRETS.realtime, props.refreshInterval, {
      data: [
        { secretKey: 'secret-key-base', remoteRef: { key: s.realtimeSecretKeyBase, property: 'secretKeyBase' } },
        { secretKey: 'db-enc-key', remoteRef: { key: s.realtimeDbEncKey, property: 'dbEncKey' } },
      ],
    });
    if (s.smtpPassword) {
      this.externalSecret(K8S_SECRETS.smtp, props.refreshInterval, {
        data: [{
          secretKey: 'password',
          remoteRef: { key: s.smtpPassword.secret, ...(s.smtpPassword.field ? { property: s.smtpPassword.field } : {}) },
        }],
      });
    }

    const loginFields = ['username', 'password', 'host', 'port', 'dbname'];
    const direct = s.databaseHost ?? '{{ .host }}';
    const pooled = s.pooledHost ?? direct;
    const urls = (login: string, name: string, templates: Record<string, string>) => this.externalSecret(name, props.refreshInterval, {
      dataFrom: [{ extract: { key: login } }],
      template: templates,
    });
    // pgx (Auth) caches named prepared statements per connection unless told to use the simple protocol: under a
    // transaction pooler they would meet other clients' connections.
    urls(s.dbAuth, K8S_SECRETS.dbAuth, { url: connectionUrl('require', pooled, s.pooledHost ? '&prefer_simple_protocol=true' : '') });
    urls(s.dbRest, K8S_SECRETS.dbRest, { uri: connectionUrl('require', pooled) });
    // node-postgres (pg-connection-string 2.x) reads `require` as verify-full against Node's own CA list, which
    // lacks the RDS CAs; `no-verify` is what libpq calls `require`. Storage runs its migrations (a session advisory
    // lock) and its LISTEN on `url`, its request pool on `pool-url`.
    urls(s.dbStorage, K8S_SECRETS.dbStorage, {
      url: connectionUrl('no-verify', direct),
      ...(s.pooledHost ? { 'pool-url': connectionUrl('no-verify', s.pooledHost) } : {}),
    });
    if (s.functions) {
      urls(s.dbMeta, K8S_SECRETS.dbFunctions, { url: connectionUrl('require', direct) });
    }
    const login = (name: string, source: string, host: string | undefined) => (host
      ? this.externalSecret(name, props.refreshInterval, {
        dataFrom: [{ extract: { key: source } }],
        template: Object.fromEntries(loginFields.map((f) => [f, f === 'host' ? host : `{{ .${f} }}`])),
      })
      : fields(name, source, Object.fromEntries(loginFields.map((f) => [f, f]))));
    login(K8S_SECRETS.dbRealtime, s.dbRealtime, s.databaseHost);
    login(K8S_SECRETS.dbMeta, s.dbMeta, s.pooledHost ?? s.databaseHost);
    if (s.cache) {
      // The token is letters and digits (the secret's generation excludes punctuation), so it needs no escaping.
      this.externalSecret(K8S_SECRETS.cache, props.refreshInterval, {
        dataFrom: [{ extract: { key: s.cache.secret } }],
        template: {
          host: s.cache.host,
          port: String(s.cache.port),
          password: '{{ .password }}',
          url: `rediss://:{{ .password }}@${s.cache.host}:${s.cache.port}`,
        },
      });
    }
    if (s.signingKeys) {
      fields(K8S_SECRETS.signingKeys, s.signingKeys.secret, {
        'jwt-keys': 'jwtKeys',
        'jwks': 'jwks',
        'public-jwks': 'publicJwks',
        'publishable-key': 'publishableKey',
        'publishable-keys': 'publishableKeys',
        'secret-keys': 'secretKeys',
        ...Object.fromEntries(s.signingKeys.secretKeyNames.map((name) => [secretKeyKey(name), `secretKey_${name}`])),
        'anon-key-asymmetric': 'anonKeyAsymmetric',
        'service-role-key-asymmetric': 'serviceRoleKeyAsymmetric',
      });
    }
    this.serviceEnv(s, props.refreshInterval);
  }

  private serviceEnv(s: SecretSources, refreshInterval: string) {
    for (const { service, variables } of s.serviceEnv ?? []) {
      if (variables.length === 0) {
        continue;
      }
      this.externalSecret(serviceEnvSecretName(service), refreshInterval, {
        data: variables.map((v) => ({ secretKey: v.name, remoteRef: { key: v.secretArn, ...(v.field ? { property: v.field } : {}) } })),
      });
    }
  }

  private externalSecret(name: string, refreshInterval: string, source: ExternalSecretSource) {
    return new ApiObject(this, name, {
      apiVersion: 'external-secrets.io/v1',
      kind: 'ExternalSecret',
      metadata: { name, labels: { [NAME_LABEL]: name } },
      spec: {
        refreshInterval,
        secretStoreRef: { kind: 'SecretStore', name: SECRET_STORE },
        target: {
          name,
          creationPolicy: 'Owner',
          ...(source.template ? { template: { engineVersion: 'v2', data: source.template } } : {}),
        },
        ...(source.data ? { data: source.data } : {}),
        ...(source.dataFrom ? { dataFrom: source.dataFrom } : {}),
      },
    });
  }
}

/**
 * A PostgreSQL URL from a login secret's fields, with TLS (RDS enforces it with `rds.force_ssl`): encrypted, the
 * server's certificate not verified. The user name and password are percent-encoded in case a rotated password
 * holds reserved characters (`urlquery` writes a space as `+`, which is a plus sign in the user-info part).
 */
function connectionUrl(sslmode: string, host: string, extraQuery = ''): string {
  const encoded = (field: string) => `{{ .${field} | urlquery | replace "+" "%20" }}`;
  return `postgres://${encoded('username')}:${encoded('password')}@${host}:{{ .port }}/{{ .dbname }}?sslmode=${sslmode}${extraQuery}`;
}
