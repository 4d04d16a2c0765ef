import { Chart, Duration } from 'cdk8s';
import * as kplus from 'cdk8s-plus-28';
import { Construct } from 'constructs';
import { REALTIME_SERVICE } from './kong-chart';
import { K8S_SECRETS } from './secrets-chart';
import { PORTS } from '../../private/ports';
import { SecretEnv, ServiceChartProps, databaseEgress, plainEnv, signingKeyEnv } from '../private/chart-props';
import { imageUser } from '../private/image-contract';
import { PART_OF, PART_OF_LABEL, addServicePolicy, addSupabaseService, httpProbe, resources } from '../private/service';

/** The headless Service whose DNS records list every Realtime pod, for the Erlang cluster. */
export const REALTIME_HEADLESS_SERVICE = 'realtime-cluster';

/** The tenant of self-hosted Realtime: the first label of the host name the gateway reaches it under. */
export const REALTIME_TENANT = REALTIME_SERVICE;

/** The file holding the tenant API's Authorization header (mode 600, on the pod's own /tmp). */
const TENANT_API_HEADER = '/tmp/tenant-api-header';

/**
 * The tenant registration: Realtime's tenant API (`PUT /api/tenants/<id>` creates or updates) with the database
 * settings of the `postgres_cdc_rls` extension, TLS enforced (RDS refuses plain connections), and, with signing keys,
 * the published keys (`jwt_jwks`) it verifies asymmetric tokens with. jq reads every value from the environment, so
 * no value lands on a command line or in the log.
 */
function tenantBody(jwks: boolean): string {
  return [
    `{tenant: {name: $id, external_id: $id, jwt_secret: env.API_JWT_SECRET,${jwks ? ' jwt_jwks: (env.API_JWT_JWKS | fromjson),' : ''} extensions: [{type: "postgres_cdc_rls", settings: {`,
    'db_host: env.DB_HOST, db_port: env.DB_PORT, db_name: env.DB_NAME, db_user: env.DB_USER, db_password: env.DB_PASSWORD,',
    'region: "us-east-1", poll_interval_ms: 100, poll_max_record_bytes: 1048576, ssl_enforced: true}}]}}',
  ].join(' ');
}

/**
 * Whether the tenant is healthy: `GET /api/tenants/<id>/health` (any JWT signed with API_JWT_SECRET) answers 200
 * `{"data": {"healthy": ...}}` while the tenant exists. With no database connection and no client, healthy means
 * that every tenant migration ran (and an unhealthy answer retries them); with a connection, that it is up. The
 * answer is compared as text: a failed request leaves it empty (jq's own exit status is 0 on empty input in 1.6).
 */
export function realtimeTenantHealthCommand(port: number): string {
  return `[ "$(curl -fsS --max-time 4 -H @${TENANT_API_HEADER} http://127.0.0.1:${port}/api/tenants/${REALTIME_TENANT}/health | jq -r .data.healthy)" = true ]`;
}

/**
 * The container's command, in place of the image's run.sh (which switches users with sudo, and re-creates the
 * tenant with TLS off at every start): run the migrations of Realtime's own schema, then, in the background once
 * the server answers, register the tenant (retrying until the API accepts it) and wait until the tenant reports
 * healthy, its migrations done; the server runs as the container's main process under tini. Every failed attempt
 * is logged with the API's status and answer (neither holds a secret), so a tenant that does not come up shows in
 * the pod's log, and in its status through the probes, which ask the tenant's health.
 *
 * The tenant's health is what counts: the API creates a tenant and then runs its migrations, so a first call whose
 * migrations fail leaves the tenant in place, and the retry updates it without migrating, with success.
 */
export function realtimeStartScript(port: number, jwks = false): string {
  const api = `http://127.0.0.1:${port}`;
  const tenant = `${api}/api/tenants/${REALTIME_TENANT}`;
  return [
    'set -eu',
    '/app/bin/migrate',
    '(',
    '  set +e',
    '  umask 077',
    `  printf 'Authorization: Bearer %s\\n' "$ANON_KEY" > ${TENANT_API_HEADER}`,
    `  until curl -fsS -o /dev/null ${api}/healthcheck; do sleep 2; done`,
    '  while :; do',
    `    status=$(jq -n --arg id ${REALTIME_TENANT} '${tenantBody(jwks)}' | curl -sS -o /tmp/tenant-api-answer -w '%{http_code}' -X PUT \\`,
    `      -H @${TENANT_API_HEADER} -H 'Content-Type: application/json' --data-binary @- ${tenant})`,
    '    if [ "$status" = 200 ] || [ "$status" = 201 ]; then break; fi',
    `    echo "Realtime tenant ${REALTIME_TENANT}: registration failed (HTTP $status): $(head -c 300 /tmp/tenant-api-answer)" >&2`,
    '    sleep 5',
    '  done',
    // The answer to a successful registration is the tenant, which stays out of the log and off the disk.
    '  rm -f /tmp/tenant-api-answer',
    `  echo "Realtime tenant ${REALTIME_TENANT} registered (HTTP $status); waiting for its migrations"`,
    `  until ${realtimeTenantHealthCommand(port)}; do`,
    `    echo "Realtime tenant ${REALTIME_TENANT} is not healthy yet: $(curl -sS --max-time 4 -H @${TENANT_API_HEADER} ${tenant}/health | head -c 300)" >&2`,
    '    sleep 5',
    '  done',
    `  echo "Realtime tenant ${REALTIME_TENANT} is healthy"`,
    ') &',
    'exec /app/bin/server',
  ].join('\n');
}

/**
 * Realtime on port 4000, reached under the Service `realtime-dev`: self-hosted Realtime takes the tenant id from
 * the first label of the Host header. It connects as `supabase_admin` (granted rds_replication by the database
 * bootstrap, which also installed the tenant schema that needs a superuser). The pods run as `nobody` and form one
 * Erlang cluster through the DNS records of a headless Service (each node is named after its pod IP), so that
 * broadcast and presence reach clients on every pod and only one pod streams a tenant's changes.
 */
export class RealtimeChart extends Chart {
  constructor(scope: Construct, id: string, props: ServiceChartProps) {
    super(scope, id, { namespace: props.namespace });
    const secrets = new SecretEnv(this);
    const port = PORTS.realtime;
    const tenantHealthProbe = (failureThreshold: number) => kplus.Probe.fromCommand(
      ['/bin/sh', '-c', realtimeTenantHealthCommand(port)],
      { failureThreshold, periodSeconds: Duration.seconds(5), timeoutSeconds: Duration.seconds(5) },
    );
    const { labels } = addSupabaseService(this, {
      name: 'realtime',
      serviceName: REALTIME_SERVICE,
      image: props.image,
      ports: [{ name: 'http', port }],
      command: ['/usr/bin/tini', '-s', '-g', '--', '/bin/bash', '-c', realtimeStartScript(port, props.signingKeys !== undefined)],
      env: {
        ...plainEnv({
          PORT: String(port),
          APP_NAME: 'realtime',
          DB_AFTER_CONNECT_QUERY: 'SET search_path TO _realtime',
          // TLS for Realtime's own schema (the tenant's connections follow `ssl_enforced`).
          DB_SSL: 'true',
          // IPv4 Erlang distribution (the image defaults to IPv6).
          ERL_AFLAGS: '-proto_dist inet_tcp',
          CLUSTER_STRATEGIES: 'DNS',
          DNS_NODES: `${REALTIME_HEADLESS_SERVICE}.${props.namespace}.svc.cluster.local`,
          RUN_JANITOR: 'true',
          // The probes' requests stay out of the log.
          DISABLE_HEALTHCHECK_LOGGING: 'true',
          // The release writes its runtime configuration here (the root filesystem is read-only).
          RELEASE_TMP: '/tmp',
          ERL_CRASH_DUMP: '/tmp/erl_crash.dump',
        }),
        // The release names its node realtime@<pod IP>, which the DNS records of the headless Service list.
        POD_IP: kplus.EnvValue.fromFieldRef(kplus.EnvFieldPaths.POD_IP),
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
        // A JWT signed with API_JWT_SECRET, for the tenant API and its health (any such JWT passes; the anon key is the
        // least privileged one, and upstream's health check uses it too).
        ANON_KEY: secrets.value(K8S_SECRETS.apiKeys, 'anon-key'),
        // The published keys for the tenant (Realtime stores them unencrypted, so without the legacy secret, which
        // the tenant's jwt_secret already holds encrypted).
        ...signingKeyEnv(secrets, props.signingKeys, { API_JWT_JWKS: 'public-jwks' }),
      },
      // Ready while the tenant is healthy; alive while the server answers (a database outage makes the pods
      // unready, not restart).
      readiness: tenantHealthProbe(3),
      liveness: httpProbe('/healthcheck', port, { failureThreshold: 6 }),
      // Migrations, then the tenant's registration and its migrations: up to five minutes.
      startup: tenantHealthProbe(60),
      resources: resources(250, 2000, 512, 1024),
      ...imageUser('realtime'),
      writablePaths: [{ name: 'tmp', path: '/tmp' }],
      extraEnv: props.extraEnv,
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
        // The Erlang distribution between the pods (epmd, the distribution port and gen_rpc).
        { peer: { service: 'realtime' }, ports: [] },
      ],
      egress: [
        ...databaseEgress(props.network),
        { peer: { service: 'realtime' }, ports: [] },
      ],
    });
  }
}
