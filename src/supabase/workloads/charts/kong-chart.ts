import { Size } from 'aws-cdk-lib';
import { Chart } from 'cdk8s';
import * as kplus from 'cdk8s-plus-28';
import { Construct } from 'constructs';
import { K8S_SECRETS, secretKeyKey } from './secrets-chart';
import { PORTS } from '../../private/ports';
import { SecretEnv, ServiceChartProps, plainEnv, uploadSpoolSize } from '../private/chart-props';
import { imageUser } from '../private/image-contract';
import { KongApiKeys, LEGACY_KEY_VARIABLES, OPAQUE_KEY_VARIABLES, secretKeyVariable } from '../private/kong-api-keys';
import { kongDeclarativeConfig, kongStartScript, kongTemplateVariables } from '../private/kong-config';
import { addServicePolicy, addSupabaseService, httpProbe, resources, startupProbe } from '../private/service';

export interface KongChartProps extends ServiceChartProps {
  /** Whether Edge Functions are deployed (the `/functions/v1/` route). */
  readonly functions: boolean;
  /** The Storage API's largest upload: nginx spools request bodies under Kong's prefix. */
  readonly fileSizeLimit: Size;
}

/** The Service that Realtime is reached under: its first label is the tenant id of self-hosted Realtime. */
export const REALTIME_SERVICE = 'realtime-dev';

/** Where the configuration template is mounted (where upstream Supabase puts it too); not a program directory. */
const TEMPLATE_DIR = '/home/kong/template';
/**
 * Kong's prefix: an emptyDir of its own, as Kong's Helm chart does. The image's default prefix, /usr/local/kong,
 * also holds Kong's OpenSSL, which nginx loads from there: a volume over it would hide the libraries.
 */
export const KONG_PREFIX = '/kong_prefix';

/** The plugins the routes use (and nothing else is loaded); `pre-function` translates opaque API keys, if any. */
export const KONG_PLUGINS = 'request-transformer,cors,key-auth,acl,basic-auth,request-termination,ip-restriction,post-function';
const KONG_PLUGINS_WITH_API_KEY_TRANSLATION = `${KONG_PLUGINS},pre-function`;

/**
 * The API gateway: Kong 3.9 without a database on port 8000. Its declarative configuration is a template in a
 * ConfigMap with placeholders for the anon and service_role keys and the dashboard's credentials; the container's
 * command fills them in from the environment (read from Secrets) into Kong's prefix, an emptyDir, at start. Kong's status
 * listener on 8100 answers the probes and the load balancer's health check (`/status/ready`: configuration
 * loaded). The load balancer's subnets are trusted for `X-Forwarded-For`, so `X-Real-IP` carries the client's address
 * (behind the CDN, the edge server's); Auth's per-client rate limits read it once `auth.rateLimits` sets one.
 */
export class KongChart extends Chart {
  /** Kong's Service. */
  public readonly service: kplus.Service;

  constructor(scope: Construct, id: string, props: KongChartProps) {
    super(scope, id, { namespace: props.namespace });
    const secrets = new SecretEnv(this);
    const port = PORTS.kong;
    const status = PORTS.kongStatus;
    // The legacy keys stay on next to the opaque ones (turning them off is not offered yet).
    const apiKeys: KongApiKeys | undefined = props.signingKeys ? { legacy: true, secretKeyNames: props.signingKeys.secretKeyNames } : undefined;
    const template = new kplus.ConfigMap(this, 'template', {
      metadata: { name: 'kong-template' },
      data: { 'kong.yml': JSON.stringify(kongDeclarativeConfig({ functions: props.functions, realtimeHost: REALTIME_SERVICE, apiKeys }), null, 1) },
    });
    const { service } = addSupabaseService(this, {
      name: 'kong',
      image: props.image,
      ports: [{ name: 'http', port }, { name: 'status', port: status, exposed: false }],
      command: ['/bin/sh', '-c', kongStartScript(`${TEMPLATE_DIR}/kong.yml`, `${KONG_PREFIX}/kong.yml`, kongTemplateVariables(apiKeys))],
      env: {
        ...plainEnv({
          KONG_PREFIX,
          KONG_DATABASE: 'off',
          KONG_DECLARATIVE_CONFIG: `${KONG_PREFIX}/kong.yml`,
          KONG_DNS_ORDER: 'LAST,A,CNAME',
          // Re-resolve the upstream Services soon after they change (Kong's defaults cache a miss for 30 s).
          KONG_DNS_NOT_FOUND_TTL: '1',
          KONG_DNS_VALID_TTL: '5',
          KONG_PLUGINS: apiKeys ? KONG_PLUGINS_WITH_API_KEY_TRANSLATION : KONG_PLUGINS,
          KONG_NGINX_PROXY_PROXY_BUFFER_SIZE: '160k',
          KONG_NGINX_PROXY_PROXY_BUFFERS: '64 160k',
          // One worker per visible core otherwise (about 100 MB each on a large node).
          KONG_NGINX_WORKER_PROCESSES: '2',
          KONG_PROXY_LISTEN: `0.0.0.0:${port}`,
          KONG_STATUS_LISTEN: `0.0.0.0:${status}`,
          KONG_ADMIN_LISTEN: 'off',
          KONG_ADMIN_GUI_LISTEN: 'off',
          KONG_PROXY_ACCESS_LOG: '/dev/stdout combined',
          KONG_PROXY_ERROR_LOG: '/dev/stderr',
          KONG_TRUSTED_IPS: props.network.loadBalancerCidrs.join(','),
          KONG_REAL_IP_HEADER: 'X-Forwarded-For',
          KONG_REAL_IP_RECURSIVE: 'on',
        }),
        [LEGACY_KEY_VARIABLES.anon]: secrets.value(K8S_SECRETS.apiKeys, 'anon-key'),
        [LEGACY_KEY_VARIABLES.serviceRole]: secrets.value(K8S_SECRETS.apiKeys, 'service-role-key'),
        ...(apiKeys ? {
          [OPAQUE_KEY_VARIABLES.publishable]: secrets.value(K8S_SECRETS.signingKeys, 'publishable-key'),
          ...Object.fromEntries(apiKeys.secretKeyNames.map((name) =>
            [secretKeyVariable(name), secrets.value(K8S_SECRETS.signingKeys, secretKeyKey(name))])),
          [OPAQUE_KEY_VARIABLES.anonInternal]: secrets.value(K8S_SECRETS.signingKeys, 'anon-key-asymmetric'),
          [OPAQUE_KEY_VARIABLES.serviceRoleInternal]: secrets.value(K8S_SECRETS.signingKeys, 'service-role-key-asymmetric'),
        } : {}),
        DASHBOARD_USERNAME: secrets.value(K8S_SECRETS.dashboard, 'username'),
        DASHBOARD_PASSWORD: secrets.value(K8S_SECRETS.dashboard, 'password'),
      },
      readiness: httpProbe('/status/ready', status),
      liveness: httpProbe('/status', status, { failureThreshold: 6 }),
      startup: startupProbe('/status/ready', status, 120),
      resources: resources(250, 1000, 256, 512),
      ...imageUser('kong'),
      // The prefix (nginx configuration, pids, sockets, certificates, the LMDB file, request bodies in flight, the
      // rendered configuration) and /tmp (the kong CLI is a resty script, which makes its own prefix there).
      writablePaths: [
        { name: 'prefix', path: KONG_PREFIX, sizeLimit: uploadSpoolSize(props.fileSizeLimit) },
        { name: 'tmp', path: '/tmp' },
      ],
      configMounts: [{ name: 'template', path: TEMPLATE_DIR, configMap: template }],
      extraEnv: props.extraEnv,
      scaling: props.scaling,
    });
    this.service = service;

    const upstreams = [
      { service: 'auth', port: PORTS.auth },
      { service: 'rest', port: PORTS.rest },
      { service: 'realtime', port: PORTS.realtime },
      { service: 'storage', port: PORTS.storage },
      { service: 'meta', port: PORTS.meta },
      { service: 'studio', port: PORTS.studio },
      ...(props.functions ? [{ service: 'functions', port: PORTS.functions }] : []),
    ];
    addServicePolicy(this, 'kong', {
      ingress: [
        // The load balancer's nodes (IP targets): traffic and health checks.
        ...props.network.loadBalancerCidrs.map((cidr) => ({ peer: { cidr }, ports: [port, status] })),
        // Studio and Edge Functions call the other services through the gateway (SUPABASE_URL).
        { peer: { service: 'studio' }, ports: [port] },
        ...(props.functions ? [{ peer: { service: 'functions' }, ports: [port] }] : []),
      ],
      egress: upstreams.map((u) => ({ peer: { service: u.service }, ports: [u.port] })),
    });
  }
}
