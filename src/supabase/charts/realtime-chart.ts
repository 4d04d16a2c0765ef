import { Chart } from 'cdk8s';
import * as kplus from 'cdk8s-plus-28';
import { Construct } from 'constructs';
import { REALTIME_SERVICE } from './kong-chart';
import { K8S_SECRETS } from './secrets-chart';
import { SecretEnv, ServiceChartProps, databaseEgress, plainEnv } from '../private/chart-props';
import { IMAGE_USERS, PORTS } from '../private/ports';
import { PART_OF, PART_OF_LABEL, addServicePolicy, addSupabaseService, resources } from '../private/service';

/** The headless Service whose DNS records list every Realtime pod, for the Erlang cluster. */
export const REALTIME_HEADLESS_SERVICE = 'realtime-cluster';

/**
 * Realtime on port 4000, reached under the Service `realtime-dev`: self-hosted Realtime takes the tenant id from
 * the first label of the Host header, and seeds its tenant `realtime-dev` at start (`SEED_SELF_HOST`). It connects
 * as `supabase_admin` (granted rds_replication by the database bootstrap, which also installed its schema). Pods
 * find each other through a headless Service and form one Erlang cluster, so that broadcast and presence reach
 * clients on every pod and only one pod streams a tenant's changes.
 */
export class RealtimeChart extends Chart {
  constructor(scope: Construct, id: string, props: ServiceChartProps) {
    super(scope, id, { namespace: props.namespace });
    const secrets = new SecretEnv(this);
    const port = PORTS.realtime;
    const { labels } = addSupabaseService(this, {
      name: 'realtime',
      serviceName: REALTIME_SERVICE,
      image: props.image,
      ports: [{ name: 'http', port }],
      env: {
        ...plainEnv({
          PORT: String(port),
          DB_AFTER_CONNECT_QUERY: 'SET search_path TO _realtime',
          DB_SSL: 'true',
          ERL_AFLAGS: '-proto_dist inet_tcp',
          DNS_NODES: `${REALTIME_HEADLESS_SERVICE}.${props.namespace}.svc.cluster.local`,
          RLIMIT_NOFILE: '10000',
          APP_NAME: 'realtime',
          SEED_SELF_HOST: 'true',
          RUN_JANITOR: 'true',
        }),
        DB_HOST: secrets.value(K8S_SECRETS.dbRealtime, 'host'),
        DB_PORT: secrets.value(K8S_SECRETS.dbRealtime, 'port'),
        DB_USER: secrets.value(K8S_SECRETS.dbRealtime, 'username'),
        DB_PASSWORD: secrets.value(K8S_SECRETS.dbRealtime, 'password'),
        DB_NAME: secrets.value(K8S_SECRETS.dbRealtime, 'dbname'),
        DB_ENC_KEY: secrets.value(K8S_SECRETS.realtime, 'db-enc-key'),
        API_JWT_SECRET: secrets.value(K8S_SECRETS.jwt, 'jwt-secret'),
        METRICS_JWT_SECRET: secrets.value(K8S_SECRETS.jwt, 'jwt-secret'),
        SECRET_KEY_BASE: secrets.value(K8S_SECRETS.realtime, 'secret-key-base'),
        // The Erlang distribution cookie, shared by the pods of the cluster.
        RELEASE_COOKIE: secrets.value(K8S_SECRETS.realtime, 'secret-key-base'),
      },
      readiness: kplus.Probe.fromTcpSocket({ port }),
      liveness: kplus.Probe.fromTcpSocket({ port, failureThreshold: 6 }),
      startup: kplus.Probe.fromTcpSocket({ port, failureThreshold: 24 }),
      resources: resources(250, 2000, 512, 1024),
      ...IMAGE_USERS.realtime,
      writablePaths: [{ name: 'tmp', path: '/tmp' }],
      scaling: props.scaling,
    });
    new kplus.Service(this, 'cluster-service', {
      metadata: { name: REALTIME_HEADLESS_SERVICE, labels: { ...labels, [PART_OF_LABEL]: PART_OF } },
      clusterIP: 'None',
      selector: kplus.Pods.select(this, 'cluster-pods', { labels }),
      ports: [{ name: 'epmd', port: 4369, targetPort: 4369 }],
    });
    addServicePolicy(this, 'realtime', {
      ingress: [
        { peer: { service: 'kong' }, ports: [port] },
        // The Erlang distribution between the pods (epmd and the distribution ports).
        { peer: { service: 'realtime' }, ports: [] },
      ],
      egress: [
        ...databaseEgress(props.network),
        { peer: { service: 'realtime' }, ports: [] },
      ],
    });
  }
}
