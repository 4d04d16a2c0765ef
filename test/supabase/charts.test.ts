import { execFileSync } from 'child_process';
import * as fs from 'fs';
import * as os from 'os';
import * as nodePath from 'path';
import { aws_certificatemanager as acm, aws_secretsmanager as secretsmanager } from 'aws-cdk-lib';
import { Testing } from 'cdk8s';
import { buildParts, buildWorkloads } from './fixture';
import { SupabaseSecrets } from '../../src';

interface K8sObject {
  apiVersion: string;
  kind: string;
  metadata: { name: string; namespace?: string; annotations?: Record<string, string> };
  spec?: any;
  data?: Record<string, string>;
}

/** Every object of every chart of a deployment with SMTP and Edge Functions. */
function synthAll(): K8sObject[] {
  const parts = buildParts();
  const smtpPassword = secretsmanager.Secret.fromSecretNameV2(parts.stack, 'SmtpPassword', 'ses-smtp');
  const secrets = new SupabaseSecrets(parts.stack, 'SecretsWithSmtp', {
    secretNamePrefix: 'supabase/smtp',
    smtp: { host: 'email-smtp.eu-west-1.amazonaws.com', user: 'AKIAEXAMPLE', password: smtpPassword, adminEmail: 'admin@example.com' },
  });
  const { workloads } = buildWorkloads({
    secrets,
    functions: true,
    certificate: acm.Certificate.fromCertificateArn(parts.stack, 'Certificate', 'arn:aws:acm:eu-west-1:123456789012:certificate/abc'),
    webAclArn: 'arn:aws:wafv2:eu-west-1:123456789012:regional/webacl/supabase/abc',
    images: { functions: '123456789012.dkr.ecr.eu-west-1.amazonaws.com/functions:1.0.0' },
    auth: { siteUrl: 'https://app.example.com', additionalRedirectUrls: ['https://*.example.com/**'] },
  }, parts);
  return workloads.charts.flatMap((c) => Testing.synth(c) as K8sObject[]);
}

const objects = synthAll();
const find = (kind: string, name: string) => {
  const found = objects.filter((o) => o.kind === kind && o.metadata.name === name);
  expect(found).toHaveLength(1);
  return found[0];
};
const container = (name: string) => find('Deployment', name).spec.template.spec.containers[0];
const envOf = (name: string): Record<string, any> =>
  Object.fromEntries(container(name).env.map((e: any) => [e.name, e.value !== undefined ? e.value : e.valueFrom]));

/**
 * For every service: image, port, probes, and the environment of shared/supabase-services.md; `secret` lists the
 * variables that must come from a Secret (Secret name, key).
 */
const SERVICES: {
  name: string;
  image: string;
  port: number;
  serviceName?: string;
  readiness: [string, number] | number;
  plain: string[];
  secret: Record<string, [string, string]>;
  autoscaled: boolean;
}[] = [
  {
    name: 'kong',
    image: 'kong/kong:3.9.3',
    port: 8000,
    readiness: ['/status/ready', 8100],
    autoscaled: true,
    plain: ['KONG_DATABASE', 'KONG_DECLARATIVE_CONFIG', 'KONG_DNS_ORDER', 'KONG_PLUGINS', 'KONG_NGINX_PROXY_PROXY_BUFFER_SIZE', 'KONG_NGINX_PROXY_PROXY_BUFFERS', 'KONG_NGINX_WORKER_PROCESSES'],
    secret: {
      SUPABASE_ANON_KEY: ['supabase-api-keys', 'anon-key'],
      SUPABASE_SERVICE_KEY: ['supabase-api-keys', 'service-role-key'],
      DASHBOARD_USERNAME: ['supabase-dashboard', 'username'],
      DASHBOARD_PASSWORD: ['supabase-dashboard', 'password'],
    },
  },
  {
    name: 'auth',
    image: 'supabase/gotrue:v2.196.0',
    port: 9999,
    readiness: ['/health', 9999],
    autoscaled: true,
    plain: ['GOTRUE_API_HOST', 'GOTRUE_API_PORT', 'API_EXTERNAL_URL', 'GOTRUE_DB_DRIVER', 'GOTRUE_SITE_URL', 'GOTRUE_URI_ALLOW_LIST',
      'GOTRUE_DISABLE_SIGNUP', 'GOTRUE_JWT_ADMIN_ROLES', 'GOTRUE_JWT_AUD', 'GOTRUE_JWT_DEFAULT_GROUP_NAME', 'GOTRUE_JWT_EXP',
      'GOTRUE_JWT_ISSUER', 'GOTRUE_EXTERNAL_EMAIL_ENABLED', 'GOTRUE_EXTERNAL_ANONYMOUS_USERS_ENABLED', 'GOTRUE_MAILER_AUTOCONFIRM',
      'GOTRUE_SMTP_ADMIN_EMAIL', 'GOTRUE_SMTP_HOST', 'GOTRUE_SMTP_PORT', 'GOTRUE_SMTP_USER', 'GOTRUE_SMTP_SENDER_NAME',
      'GOTRUE_MAILER_URLPATHS_INVITE', 'GOTRUE_MAILER_URLPATHS_CONFIRMATION', 'GOTRUE_MAILER_URLPATHS_RECOVERY',
      'GOTRUE_MAILER_URLPATHS_EMAIL_CHANGE', 'GOTRUE_EXTERNAL_PHONE_ENABLED', 'GOTRUE_SMS_AUTOCONFIRM'],
    secret: {
      GOTRUE_DB_DATABASE_URL: ['supabase-db-auth', 'url'],
      GOTRUE_JWT_SECRET: ['supabase-jwt', 'jwt-secret'],
      GOTRUE_SMTP_PASS: ['supabase-smtp', 'password'],
    },
  },
  {
    name: 'rest',
    image: 'postgrest/postgrest:v14.17',
    port: 3000,
    readiness: ['/ready', 3001],
    autoscaled: true,
    plain: ['PGRST_DB_SCHEMAS', 'PGRST_DB_MAX_ROWS', 'PGRST_DB_EXTRA_SEARCH_PATH', 'PGRST_DB_ANON_ROLE', 'PGRST_DB_USE_LEGACY_GUCS',
      'PGRST_APP_SETTINGS_JWT_EXP', 'PGRST_ADMIN_SERVER_PORT'],
    secret: { PGRST_DB_URI: ['supabase-db-rest', 'uri'], PGRST_JWT_SECRET: ['supabase-jwt', 'jwt-secret'] },
  },
  {
    name: 'realtime',
    serviceName: 'realtime-dev',
    image: 'supabase/realtime:v2.134.10',
    port: 4000,
    readiness: 4000,
    autoscaled: true,
    plain: ['PORT', 'DB_AFTER_CONNECT_QUERY', 'ERL_AFLAGS', 'DNS_NODES', 'RLIMIT_NOFILE', 'APP_NAME', 'SEED_SELF_HOST', 'RUN_JANITOR'],
    secret: {
      DB_HOST: ['supabase-db-realtime', 'host'],
      DB_PORT: ['supabase-db-realtime', 'port'],
      DB_USER: ['supabase-db-realtime', 'username'],
      DB_PASSWORD: ['supabase-db-realtime', 'password'],
      DB_NAME: ['supabase-db-realtime', 'dbname'],
      DB_ENC_KEY: ['supabase-realtime', 'db-enc-key'],
      API_JWT_SECRET: ['supabase-jwt', 'jwt-secret'],
      SECRET_KEY_BASE: ['supabase-realtime', 'secret-key-base'],
      METRICS_JWT_SECRET: ['supabase-jwt', 'jwt-secret'],
    },
  },
  {
    name: 'storage',
    image: 'supabase/storage-api:v1.74.0',
    port: 5000,
    readiness: ['/status', 5000],
    autoscaled: true,
    plain: ['POSTGREST_URL', 'STORAGE_PUBLIC_URL', 'REQUEST_ALLOW_X_FORWARDED_PATH', 'FILE_SIZE_LIMIT', 'STORAGE_BACKEND',
      'GLOBAL_S3_BUCKET', 'REGION', 'TENANT_ID', 'ENABLE_IMAGE_TRANSFORMATION', 'IMGPROXY_URL'],
    secret: {
      ANON_KEY: ['supabase-api-keys', 'anon-key'],
      SERVICE_KEY: ['supabase-api-keys', 'service-role-key'],
      AUTH_JWT_SECRET: ['supabase-jwt', 'jwt-secret'],
      DATABASE_URL: ['supabase-db-storage', 'url'],
    },
  },
  {
    name: 'imgproxy',
    image: 'darthsim/imgproxy:v3.31.4',
    port: 5001,
    readiness: ['/health', 5001],
    autoscaled: true,
    plain: ['IMGPROXY_BIND', 'IMGPROXY_USE_ETAG', 'IMGPROXY_AUTO_WEBP', 'IMGPROXY_MAX_SRC_RESOLUTION'],
    secret: {},
  },
  {
    name: 'meta',
    image: 'supabase/postgres-meta:v0.99.0',
    port: 8080,
    readiness: ['/health', 8080],
    autoscaled: false,
    plain: ['PG_META_PORT'],
    secret: {
      PG_META_DB_HOST: ['supabase-db-meta', 'host'],
      PG_META_DB_PORT: ['supabase-db-meta', 'port'],
      PG_META_DB_NAME: ['supabase-db-meta', 'dbname'],
      PG_META_DB_USER: ['supabase-db-meta', 'username'],
      PG_META_DB_PASSWORD: ['supabase-db-meta', 'password'],
      CRYPTO_KEY: ['supabase-meta-crypto', 'crypto-key'],
    },
  },
  {
    name: 'studio',
    image: 'supabase/studio:2026.09.07-sha-7996410',
    port: 3000,
    readiness: ['/api/platform/profile', 3000],
    autoscaled: false,
    plain: ['STUDIO_PG_META_URL', 'POSTGRES_USER_READ_WRITE', 'DEFAULT_ORGANIZATION_NAME', 'DEFAULT_PROJECT_NAME', 'SUPABASE_URL',
      'SUPABASE_PUBLIC_URL', 'HOSTNAME'],
    secret: {
      POSTGRES_PASSWORD: ['supabase-db-meta', 'password'],
      PG_META_CRYPTO_KEY: ['supabase-meta-crypto', 'crypto-key'],
      SUPABASE_ANON_KEY: ['supabase-api-keys', 'anon-key'],
      SUPABASE_SERVICE_KEY: ['supabase-api-keys', 'service-role-key'],
      AUTH_JWT_SECRET: ['supabase-jwt', 'jwt-secret'],
    },
  },
  {
    name: 'functions',
    image: '123456789012.dkr.ecr.eu-west-1.amazonaws.com/functions:1.0.0',
    port: 9000,
    readiness: 9000,
    autoscaled: true,
    plain: ['SUPABASE_URL', 'VERIFY_JWT'],
    secret: {
      JWT_SECRET: ['supabase-jwt', 'jwt-secret'],
      SUPABASE_ANON_KEY: ['supabase-api-keys', 'anon-key'],
      SUPABASE_SERVICE_ROLE_KEY: ['supabase-api-keys', 'service-role-key'],
      SUPABASE_DB_URL: ['supabase-db-functions', 'url'],
    },
  },
];

describe.each(SERVICES)('$name', (svc) => {
  test('runs the pinned image and exposes its port through a Service', () => {
    const c = container(svc.name);
    expect(c.image).toBe(svc.image);
    expect(c.imagePullPolicy).toBe('IfNotPresent');
    expect(c.ports).toContainEqual({ containerPort: svc.port, name: 'http' });
    const service = find('Service', svc.serviceName ?? svc.name);
    expect(service.spec.ports).toContainEqual({ name: 'http', port: svc.port, targetPort: svc.port });
    expect(service.spec.selector).toEqual({ 'app.kubernetes.io/name': svc.name, 'app.kubernetes.io/part-of': 'supabase' });
  });

  test('has every environment variable upstream needs, secrets only from Secrets', () => {
    const env = envOf(svc.name);
    for (const name of svc.plain) {
      expect({ name, value: typeof env[name] }).toEqual({ name, value: 'string' });
    }
    for (const [name, [secret, key]] of Object.entries(svc.secret)) {
      expect({ name, from: env[name] }).toEqual({ name, from: { secretKeyRef: { name: secret, key } } });
    }
  });

  test('is probed on its health endpoint', () => {
    const c = container(svc.name);
    for (const probe of [c.readinessProbe, c.livenessProbe, c.startupProbe]) {
      if (typeof svc.readiness === 'number') {
        expect(probe.tcpSocket).toEqual({ port: svc.readiness });
      } else {
        expect(probe.httpGet).toMatchObject({ port: svc.readiness[1] });
      }
    }
    if (typeof svc.readiness !== 'number') {
      expect(c.readinessProbe.httpGet.path).toBe(svc.readiness[0]);
    }
    expect(c.startupProbe.failureThreshold * (c.startupProbe.periodSeconds ?? 10)).toBeGreaterThanOrEqual(60);
  });

  test('requests and limits CPU and memory', () => {
    const { requests, limits } = container(svc.name).resources;
    expect(Object.keys(requests).sort()).toEqual(['cpu', 'memory']);
    expect(Object.keys(limits).sort()).toEqual(['cpu', 'memory']);
  });

  test('runs as a non-root user with a read-only root filesystem and no capabilities', () => {
    const c = container(svc.name);
    expect(c.securityContext).toEqual({
      allowPrivilegeEscalation: false,
      capabilities: { drop: ['ALL'] },
      privileged: false,
      readOnlyRootFilesystem: true,
      runAsNonRoot: true,
      runAsUser: expect.any(Number),
      runAsGroup: expect.any(Number),
      seccompProfile: { type: 'RuntimeDefault' },
    });
    expect(c.securityContext.runAsUser).toBeGreaterThan(0);
    const pod = find('Deployment', svc.name).spec.template.spec;
    expect(pod.securityContext.runAsNonRoot).toBe(true);
    expect(pod.automountServiceAccountToken).toBe(false);
  });

  test('spreads over zones and has a disruption budget', () => {
    const pod = find('Deployment', svc.name).spec.template.spec;
    expect(pod.topologySpreadConstraints).toContainEqual(expect.objectContaining({
      topologyKey: 'topology.kubernetes.io/zone', maxSkew: 1, whenUnsatisfiable: 'DoNotSchedule',
    }));
    expect(find('PodDisruptionBudget', svc.name).spec).toEqual({
      maxUnavailable: 1,
      selector: { matchLabels: { 'app.kubernetes.io/name': svc.name, 'app.kubernetes.io/part-of': 'supabase' } },
    });
  });

  test(svc.autoscaled ? 'scales on CPU between 2 and 10 pods' : 'runs a fixed number of pods', () => {
    const deployment = find('Deployment', svc.name);
    const hpas = objects.filter((o) => o.kind === 'HorizontalPodAutoscaler' && o.metadata.name === svc.name);
    if (svc.autoscaled) {
      expect(deployment.spec.replicas).toBeUndefined();
      expect(hpas).toHaveLength(1);
      expect(hpas[0].apiVersion).toBe('autoscaling/v2');
      expect(hpas[0].spec).toMatchObject({
        minReplicas: 2,
        maxReplicas: 10,
        scaleTargetRef: { apiVersion: 'apps/v1', kind: 'Deployment', name: svc.name },
        metrics: [{ type: 'Resource', resource: { name: 'cpu', target: { type: 'Utilization', averageUtilization: 70 } } }],
      });
    } else {
      expect(deployment.spec.replicas).toBe(2);
      expect(hpas).toHaveLength(0);
    }
  });
});

describe('namespace', () => {
  test('enforces Pod Security Standards restricted', () => {
    const ns = objects.find((o) => o.kind === 'Namespace')!;
    expect(ns.metadata).toMatchObject({
      name: 'supabase',
      labels: expect.objectContaining({ 'pod-security.kubernetes.io/enforce': 'restricted' }),
    });
    expect(ns.metadata.namespace).toBeUndefined();
  });
});

describe('external secrets', () => {
  test('a SecretStore for Secrets Manager in the region, on the operator\'s own role', () => {
    expect(find('SecretStore', 'aws-secrets-manager').spec).toEqual({
      provider: { aws: { service: 'SecretsManager', region: 'eu-west-1' } },
    });
  });

  test('each Secret a service reads is materialised by an ExternalSecret of that store', () => {
    const referenced = new Set<string>();
    for (const svc of SERVICES) {
      Object.values(svc.secret).forEach(([secret]) => referenced.add(secret));
    }
    for (const name of referenced) {
      const es = find('ExternalSecret', name);
      expect(es.apiVersion).toBe('external-secrets.io/v1');
      expect(es.spec.secretStoreRef).toEqual({ kind: 'SecretStore', name: 'aws-secrets-manager' });
      expect(es.spec.target).toMatchObject({ name, creationPolicy: 'Owner' });
    }
  });

  test.each([['supabase-db-auth', 'url'], ['supabase-db-rest', 'uri'], ['supabase-db-storage', 'url'], ['supabase-db-functions', 'url']])(
    '%s assembles its connection string from the login secret, TLS required', (name, key) => {
      const es = find('ExternalSecret', name);
      expect(es.spec.dataFrom).toHaveLength(1);
      expect(es.spec.target.template.engineVersion).toBe('v2');
      expect(es.spec.target.template.data[key]).toMatch(/^postgres:\/\/\{\{ \.username \| urlquery \}\}:\{\{ \.password \| urlquery \}\}@\{\{ \.host \}\}:\{\{ \.port \}\}\/\{\{ \.dbname \}\}\?sslmode=require$/);
    });
});

describe('gateway', () => {
  const config = JSON.parse(find('ConfigMap', 'kong-template').data!['kong.yml']);
  const route = (path: string) => {
    const services = config.services.filter((s: any) => s.routes.some((r: any) => r.paths.includes(path)));
    expect(services).toHaveLength(1);
    return services[0];
  };
  const plugins = (s: any) => Object.fromEntries(s.plugins.map((p: any) => [p.name, p.config ?? {}]));

  test('consumers take their keys and credentials from placeholders, never values', () => {
    expect(config.consumers).toEqual([
      { username: 'DASHBOARD', basicauth_credentials: [{ username: '${DASHBOARD_USERNAME}', password: '${DASHBOARD_PASSWORD}' }] },
      { username: 'anon', keyauth_credentials: [{ key: '${SUPABASE_ANON_KEY}' }] },
      { username: 'service_role', keyauth_credentials: [{ key: '${SUPABASE_SERVICE_KEY}' }] },
    ]);
    expect(config.acls).toEqual([{ consumer: 'anon', group: 'anon' }, { consumer: 'service_role', group: 'admin' }]);
  });

  test.each([
    ['/auth/v1/', 'http://auth:9999/', ['admin', 'anon']],
    ['/rest/v1/', 'http://rest:3000/', ['admin', 'anon']],
    ['~/rest/v1/$', 'http://rest:3000/', ['admin']],
    ['/graphql/v1', 'http://rest:3000/rpc/graphql', ['admin', 'anon']],
    ['/realtime/v1/', 'http://realtime-dev:4000/socket', ['admin', 'anon']],
    ['/realtime/v1/api', 'http://realtime-dev:4000/api', ['admin', 'anon']],
    ['/pg/', 'http://meta:8080/', ['admin']],
  ])('%s goes to %s for the groups %j with an API key', (path, url, groups) => {
    const s = route(path);
    expect(s.url).toBe(url);
    expect(plugins(s)['key-auth']).toBeDefined();
    expect(plugins(s).acl.allow).toEqual(groups);
  });

  test('the WebSocket route speaks ws and GraphQL gets its content profile', () => {
    expect(route('/realtime/v1/').protocol).toBe('ws');
    expect(plugins(route('/graphql/v1'))['request-transformer']).toEqual({ add: { headers: ['Content-Profile:graphql_public'] } });
  });

  test.each(['/auth/v1/verify', '/auth/v1/callback', '/auth/v1/authorize', '/auth/v1/.well-known/jwks.json', '/auth/v1/sso/saml/acs', '/auth/v1/sso/saml/metadata', '/storage/v1/', '/functions/v1/'])(
    '%s is open (CORS only)', (path) => {
      expect(Object.keys(plugins(route(path)))).toEqual(['cors']);
    });

  test.each(['/realtime/v1/api/tenants', '/realtime/v1/api/openapi', '/api/mcp', '/mcp'])('%s is refused with 403', (path) => {
    expect(plugins(route(path))['request-termination']).toEqual({ status_code: 403, message: 'Forbidden' });
  });

  test('Studio sits behind basic authentication', () => {
    const studio = route('/');
    expect(studio.url).toBe('http://studio:3000/');
    expect(plugins(studio)['basic-auth']).toEqual({ hide_credentials: true });
  });

  test('the entrypoint renders the template from the environment, then starts Kong', () => {
    const c = container('kong');
    expect(c.command.slice(0, 2)).toEqual(['/bin/sh', '-c']);
    expect(c.command[2]).toContain('/etc/kong-template/kong.yml > /tmp/kong.yml');
    expect(c.command[2]).toMatch(/exec \/docker-entrypoint.sh kong docker-start$/);
    expect(envOf('kong').KONG_DECLARATIVE_CONFIG).toBe('/tmp/kong.yml');
  });
});

describe('network policies', () => {
  const policy = (name: string) => find('NetworkPolicy', name).spec;
  const fromService = (rules: any[], service: string) =>
    rules.filter((r) => (r.from ?? r.to).some((p: any) => p.podSelector?.matchLabels?.['app.kubernetes.io/name'] === service))
      .flatMap((r) => (r.ports ?? [{ port: 'all' }]).map((p: any) => p.port));
  const cidrPorts = (rules: any[], cidr: string) =>
    rules.filter((r) => (r.from ?? r.to).some((p: any) => p.ipBlock?.cidr === cidr)).flatMap((r) => r.ports.map((p: any) => p.port));

  test('everything is denied by default, DNS to CoreDNS allowed', () => {
    expect(policy('default-deny')).toEqual({ podSelector: {}, policyTypes: ['Egress', 'Ingress'] });
    expect(policy('allow-dns').egress).toEqual([{
      ports: [{ port: 53, protocol: 'UDP' }, { port: 53, protocol: 'TCP' }],
      to: [{ namespaceSelector: { matchLabels: { 'kubernetes.io/metadata.name': 'kube-system' } }, podSelector: { matchLabels: { 'k8s-app': 'kube-dns' } } }],
    }]);
  });

  test('the load balancer\'s subnets reach Kong\'s proxy and status ports, and Kong reaches each service', () => {
    const kong = policy('kong');
    for (const cidr of ['10.100.1.0/24', '10.100.2.0/24', '10.100.3.0/24']) {
      expect(cidrPorts(kong.ingress, cidr)).toEqual([8000, 8100]);
    }
    expect(fromService(kong.egress, 'auth')).toEqual([9999]);
    expect(fromService(kong.egress, 'rest')).toEqual([3000]);
    expect(fromService(kong.egress, 'realtime')).toEqual([4000]);
    expect(fromService(kong.egress, 'storage')).toEqual([5000]);
    expect(fromService(kong.egress, 'meta')).toEqual([8080]);
    expect(fromService(kong.egress, 'studio')).toEqual([3000]);
    expect(fromService(kong.egress, 'functions')).toEqual([9000]);
  });

  test.each([['auth', 9999], ['rest', 3000], ['realtime', 4000], ['storage', 5000], ['meta', 8080], ['studio', 3000], ['functions', 9000]])(
    '%s accepts Kong on %d', (name, port) => {
      expect(fromService(policy(name as string).ingress, 'kong')).toEqual([port]);
    });

  test('Studio reaches postgres-meta, which accepts it', () => {
    expect(fromService(policy('studio').egress, 'meta')).toEqual([8080]);
    expect(fromService(policy('meta').ingress, 'studio')).toEqual([8080]);
  });

  test.each(['auth', 'rest', 'realtime', 'storage', 'meta', 'functions'])('%s reaches the database subnets on 5432 only', (name) => {
    for (const cidr of ['10.100.20.0/24', '10.100.21.0/24', '10.100.22.0/24']) {
      expect(cidrPorts(policy(name).egress, cidr)).toEqual([5432]);
    }
  });

  test.each([['storage', [443]], ['imgproxy', [443]], ['auth', [443, 587]], ['functions', [443]]])(
    '%s may call AWS or internet APIs on %j', (name, ports) => {
      expect(cidrPorts(policy(name as string).egress, '0.0.0.0/0')).toEqual(ports);
    });

  test.each(['kong', 'rest', 'realtime', 'meta', 'studio'])('%s has no internet egress', (name) => {
    expect(cidrPorts(policy(name).egress, '0.0.0.0/0')).toEqual([]);
  });

  test('Storage reaches imgproxy, which accepts only Storage', () => {
    expect(fromService(policy('storage').egress, 'imgproxy')).toEqual([5001]);
    expect(policy('imgproxy').ingress).toHaveLength(1);
    expect(fromService(policy('imgproxy').ingress, 'storage')).toEqual([5001]);
  });
});

describe('ingress', () => {
  test('an internet-facing ALB with IP targets, HTTPS only, health-checked on Kong\'s status port', () => {
    const ingress = find('Ingress', 'supabase');
    expect(ingress.spec).toEqual({
      ingressClassName: 'alb',
      defaultBackend: { service: { name: 'kong', port: { number: 8000 } } },
    });
    expect(ingress.metadata.annotations).toMatchObject({
      'alb.ingress.kubernetes.io/scheme': 'internet-facing',
      'alb.ingress.kubernetes.io/target-type': 'ip',
      'alb.ingress.kubernetes.io/listen-ports': '[{"HTTP": 80}, {"HTTPS": 443}]',
      'alb.ingress.kubernetes.io/ssl-redirect': '443',
      'alb.ingress.kubernetes.io/ssl-policy': 'ELBSecurityPolicy-TLS13-1-2-2021-06',
      'alb.ingress.kubernetes.io/healthcheck-port': '8100',
      'alb.ingress.kubernetes.io/healthcheck-path': '/status/ready',
    });
    expect(ingress.metadata.annotations!['alb.ingress.kubernetes.io/certificate-arn']).toMatch(/certificate/);
    expect(ingress.metadata.annotations!['alb.ingress.kubernetes.io/wafv2-acl-arn']).toMatch(/webacl/);
  });
});

describe('every manifest', () => {
  test('validates against the Kubernetes and External Secrets schemas', () => {
    const file = nodePath.join(fs.mkdtempSync(nodePath.join(os.tmpdir(), 'manifests-')), 'objects.json');
    fs.writeFileSync(file, JSON.stringify(objects));
    const out = JSON.parse(execFileSync(process.execPath, [nodePath.join(__dirname, 'validate-manifests.mjs'), file], { encoding: 'utf8' }));
    expect(out.errors).toEqual([]);
    expect(out.validated).toBe(objects.length);
  });

  test('the validator rejects an invalid object (so the check above can fail)', () => {
    const file = nodePath.join(fs.mkdtempSync(nodePath.join(os.tmpdir(), 'manifests-')), 'objects.json');
    const broken = JSON.parse(JSON.stringify(find('Deployment', 'auth')));
    broken.spec.template.spec.containers[0].ports[0].containerPort = 'http';
    fs.writeFileSync(file, JSON.stringify([broken, { apiVersion: 'example.com/v1', kind: 'Unknown', metadata: { name: 'x' } }]));
    const out = JSON.parse(execFileSync(process.execPath, [nodePath.join(__dirname, 'validate-manifests.mjs'), file], { encoding: 'utf8' }));
    expect(out.errors).toHaveLength(2);
  });
});

