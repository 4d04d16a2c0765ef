import { Chart } from 'cdk8s';
import * as kplus from 'cdk8s-plus-28';
import { Construct } from 'constructs';
import { K8S_SECRETS } from './secrets-chart';
import { SecretEnv, ServiceChartProps, plainEnv } from '../private/chart-props';
import { kongDeclarativeConfig, kongStartScript } from '../private/kong-config';
import { IMAGE_USERS, PORTS } from '../private/ports';
import { addServicePolicy, addSupabaseService, httpProbe, resources, startupProbe } from '../private/service';

export interface KongChartProps extends ServiceChartProps {
  /** Whether Edge Functions are deployed (the `/functions/v1/` route). */
  readonly functions: boolean;
}

/** The Service that Realtime is reached under: its first label is the tenant id of self-hosted Realtime. */
export const REALTIME_SERVICE = 'realtime-dev';

const TEMPLATE_DIR = '/etc/kong-template';
const CONFIG_DIR = '/tmp';

/** The plugins the routes use (and nothing else is loaded). */
export const KONG_PLUGINS = 'request-transformer,cors,key-auth,acl,basic-auth,request-termination,ip-restriction,post-function';

/**
 * The API gateway: Kong 3.9 without a database on port 8000. Its declarative configuration is a template in a
 * ConfigMap with placeholders for the anon and service_role keys and the dashboard's credentials; the container's
 * command fills them in from the environment (read from Secrets) into an emptyDir at start. Kong's status
 * listener on 8100 answers the probes and the load balancer's health check (`/status/ready`: configuration
 * loaded). The load balancer's subnets are trusted for `X-Forwarded-For`, so Auth's rate limits see the client.
 */
export class KongChart extends Chart {
  /** Kong's Service. */
  public readonly service: kplus.Service;

  constructor(scope: Construct, id: string, props: KongChartProps) {
    super(scope, id, { namespace: props.namespace });
    const secrets = new SecretEnv(this);
    const port = PORTS.kong;
    const status = PORTS.kongStatus;
    const template = new kplus.ConfigMap(this, 'template', {
      metadata: { name: 'kong-template' },
      data: { 'kong.yml': JSON.stringify(kongDeclarativeConfig({ functions: props.functions, realtimeHost: REALTIME_SERVICE }), null, 1) },
    });
    const { service } = addSupabaseService(this, {
      name: 'kong',
      image: props.image,
      ports: [{ name: 'http', port }, { name: 'status', port: status, exposed: false }],
      command: ['/bin/sh', '-c', kongStartScript(`${TEMPLATE_DIR}/kong.yml`, `${CONFIG_DIR}/kong.yml`)],
      env: {
        ...plainEnv({
          KONG_DATABASE: 'off',
          KONG_DECLARATIVE_CONFIG: `${CONFIG_DIR}/kong.yml`,
          KONG_DNS_ORDER: 'LAST,A,CNAME',
          KONG_PLUGINS: KONG_PLUGINS,
          KONG_NGINX_PROXY_PROXY_BUFFER_SIZE: '160k',
          KONG_NGINX_PROXY_PROXY_BUFFERS: '64 160k',
          // One worker per visible core otherwise (about 100 MB each on a large node).
          KONG_NGINX_WORKER_PROCESSES: '2',
          KONG_PROXY_LISTEN: `0.0.0.0:${port}`,
          KONG_STATUS_LISTEN: `0.0.0.0:${status}`,
          KONG_ADMIN_LISTEN: 'off',
          KONG_ADMIN_GUI_LISTEN: 'off',
          KONG_PROXY_ACCESS_LOG: '/dev/stdout',
          KONG_PROXY_ERROR_LOG: '/dev/stderr',
          KONG_TRUSTED_IPS: props.network.loadBalancerCidrs.join(','),
          KONG_REAL_IP_HEADER: 'X-Forwarded-For',
          KONG_REAL_IP_RECURSIVE: 'on',
        }),
        SUPABASE_ANON_KEY: secrets.value(K8S_SECRETS.apiKeys, 'anon-key'),
        SUPABASE_SERVICE_KEY: secrets.value(K8S_SECRETS.apiKeys, 'service-role-key'),
        DASHBOARD_USERNAME: secrets.value(K8S_SECRETS.dashboard, 'username'),
        DASHBOARD_PASSWORD: secrets.value(K8S_SECRETS.dashboard, 'password'),
      },
      readiness: httpProbe('/status/ready', status),
      liveness: httpProbe('/status', status, { failureThreshold: 6 }),
      startup: startupProbe('/status/ready', status, 120),
      resources: resources(250, 1000, 256, 512),
      ...IMAGE_USERS.kong,
      // Kong's prefix (nginx configuration, sockets, temporary files) and the rendered configuration.
      writablePaths: [{ name: 'prefix', path: '/usr/local/kong' }, { name: 'tmp', path: CONFIG_DIR }],
      configMounts: [{ name: 'template', path: TEMPLATE_DIR, configMap: template }],
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
        // Studio calls the other services through the gateway.
        { peer: { service: 'studio' }, ports: [port] },
      ],
      egress: upstreams.map((u) => ({ peer: { service: u.service }, ports: [u.port] })),
    });
  }
}
