import { Chart } from 'cdk8s';
import { Construct } from 'constructs';
import { K8S_SECRETS } from './secrets-chart';
import { PORTS } from '../../private/ports';
import { SecretEnv, ServiceChartProps, databaseEgress, plainEnv } from '../private/chart-props';
import { imageUser } from '../private/image-contract';
import { addServicePolicy, addSupabaseService, httpProbe, resources, startupProbe } from '../private/service';

/**
 * postgres-meta on port 8080, the database API behind Studio (and the gateway's admin-only `/pg/`). It connects as
 * `postgres`, a member of rds_superuser, never as the RDS master user.
 */
export class MetaChart extends Chart {
  constructor(scope: Construct, id: string, props: ServiceChartProps) {
    super(scope, id, { namespace: props.namespace });
    const secrets = new SecretEnv(this);
    const port = PORTS.meta;
    addSupabaseService(this, {
      name: 'meta',
      image: props.image,
      ports: [{ name: 'http', port }],
      env: {
        ...plainEnv({
          PG_META_PORT: String(port),
          PG_META_DB_SSL_MODE: 'require',
          // Studio's queries arrive with a connection string of their own, without `sslmode`: node-postgres then
          // takes TLS from here (encrypted, like libpq's `require`; RDS refuses plain connections).
          PGSSLMODE: 'no-verify',
        }),
        PG_META_DB_HOST: secrets.value(K8S_SECRETS.dbMeta, 'host'),
        PG_META_DB_PORT: secrets.value(K8S_SECRETS.dbMeta, 'port'),
        PG_META_DB_NAME: secrets.value(K8S_SECRETS.dbMeta, 'dbname'),
        PG_META_DB_USER: secrets.value(K8S_SECRETS.dbMeta, 'username'),
        PG_META_DB_PASSWORD: secrets.value(K8S_SECRETS.dbMeta, 'password'),
        CRYPTO_KEY: secrets.value(K8S_SECRETS.metaCrypto, 'crypto-key'),
      },
      readiness: httpProbe('/health', port),
      liveness: httpProbe('/health', port, { failureThreshold: 6 }),
      startup: startupProbe('/health', port, 60),
      resources: resources(50, 500, 128, 512),
      ...imageUser('meta'),
      writablePaths: [{ name: 'tmp', path: '/tmp' }],
      extraEnv: props.extraEnv,
      scaling: props.scaling,
    });
    addServicePolicy(this, 'meta', {
      ingress: [{ peer: { service: 'kong' }, ports: [port] }, { peer: { service: 'studio' }, ports: [port] }],
      egress: databaseEgress(props.network),
    });
  }
}
