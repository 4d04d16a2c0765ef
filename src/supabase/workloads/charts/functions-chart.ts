import { Chart } from 'cdk8s';
import * as kplus from 'cdk8s-plus-28';
import { Construct } from 'constructs';
import { K8S_SECRETS } from './secrets-chart';
import { FUNCTIONS_REQUEST_TIMEOUT_MS, PORTS } from '../../private/ports';
import { ANY_IPV4, SecretEnv, ServiceChartProps, databaseEgress, plainEnv, signingKeyEnv } from '../private/chart-props';
import { imageUser } from '../private/image-contract';
import { addServicePolicy, addSupabaseService, resources } from '../private/service';

export interface FunctionsChartProps extends ServiceChartProps {
  /** The public URL of the API gateway. */
  readonly publicUrl: string;
}

/** Where the edge runtime finds the main service that routes requests to the functions. */
export const FUNCTIONS_MAIN_SERVICE = '/home/deno/functions/main';


/**
 * Edge Functions (the edge runtime) on port 9000, opt-in. The image is yours: built from
 * `supabase/edge-runtime` with your functions and a main service under `/home/deno/functions`, as the Supabase
 * CLI lays them out. The functions get the gateway's internal URL, the keys, the JWT secret (to verify callers'
 * JWTs), a connection URL of the `postgres` login and, with a cache, its URL (`REDIS_URL`), and may call HTTPS APIs.
 */
export class FunctionsChart extends Chart {
  constructor(scope: Construct, id: string, props: FunctionsChartProps) {
    super(scope, id, { namespace: props.namespace });
    const secrets = new SecretEnv(this);
    const port = PORTS.functions;
    addSupabaseService(this, {
      name: 'functions',
      image: props.image,
      ports: [{ name: 'http', port }],
      args: ['start', '--main-service', FUNCTIONS_MAIN_SERVICE, '--port', String(port),
        '--user-worker-request-idle-timeout', String(FUNCTIONS_REQUEST_TIMEOUT_MS)],
      env: {
        ...plainEnv({
          SUPABASE_URL: `http://kong:${PORTS.kong}`,
          SUPABASE_PUBLIC_URL: props.publicUrl,
          VERIFY_JWT: 'true',
          DENO_DIR: '/tmp/deno',
        }),
        JWT_SECRET: secrets.value(K8S_SECRETS.jwt, 'jwt-secret'),
        // For the functions' own code, under the names hosted Supabase gives them.
        ...signingKeyEnv(secrets, props.signingKeys, {
          SUPABASE_JWKS: 'jwks', SUPABASE_PUBLISHABLE_KEYS: 'publishable-keys', SUPABASE_SECRET_KEYS: 'secret-keys',
        }),
        SUPABASE_ANON_KEY: secrets.value(K8S_SECRETS.apiKeys, 'anon-key'),
        SUPABASE_SERVICE_ROLE_KEY: secrets.value(K8S_SECRETS.apiKeys, 'service-role-key'),
        SUPABASE_DB_URL: secrets.value(K8S_SECRETS.dbFunctions, 'url'),
        ...(props.network.cache ? { REDIS_URL: secrets.value(K8S_SECRETS.cache, 'url') } : {}),
      },
      readiness: kplus.Probe.fromTcpSocket({ port }),
      liveness: kplus.Probe.fromTcpSocket({ port, failureThreshold: 6 }),
      startup: kplus.Probe.fromTcpSocket({ port, failureThreshold: 24 }),
      resources: resources(100, 1000, 256, 1024),
      ...imageUser('functions'),
      writablePaths: [{ name: 'tmp', path: '/tmp' }],
      extraEnv: props.extraEnv,
      scaling: props.scaling,
    });
    addServicePolicy(this, 'functions', {
      ingress: [{ peer: { service: 'kong' }, ports: [port] }],
      egress: [
        ...databaseEgress(props.network),
        { peer: { service: 'kong' }, ports: [PORTS.kong] },
        { peer: { cidr: ANY_IPV4 }, ports: [443] },
        ...(props.network.cache?.cidrs ?? []).map((cidr) => ({ peer: { cidr }, ports: [props.network.cache!.port] })),
      ],
    });
  }
}
