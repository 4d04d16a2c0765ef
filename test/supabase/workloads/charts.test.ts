import { execFileSync, spawn, spawnSync } from 'child_process';
import * as fs from 'fs';
import * as net from 'net';
import * as os from 'os';
import * as nodePath from 'path';
import { aws_certificatemanager as acm, aws_secretsmanager as secretsmanager } from 'aws-cdk-lib';
import { Testing } from 'cdk8s';
import { parse as parseConnectionString } from 'pg-connection-string';
import { SupabaseSecrets } from '../../../src';
import { realtimeStartScript, realtimeTenantHealthCommand } from '../../../src/supabase/workloads/charts/realtime-chart';
import { renderEsoTemplate } from '../eso-template';
import { buildParts, buildWorkloads } from '../fixture';
import { externalSecretTemplate, secretsChartObjects } from '../secrets-chart-fixture';

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
    images: { functions: '123456789012.dkr.ecr.eu-west-1.amazonaws.com/functions:1.0.0' },
    auth: { siteUrl: 'https://app.example.com', additionalRedirectUrls: ['https://*.example.com/**'] },
  }, parts, {
    certificate: acm.Certificate.fromCertificateArn(parts.stack, 'Certificate', 'arn:aws:acm:eu-west-1:123456789012:certificate/abc'),
    webAclArn: 'arn:aws:wafv2:eu-west-1:123456789012:regional/webacl/supabase/abc',
  });
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
  /** The readiness and startup probes run this command; the liveness probe checks `readiness`. */
  healthCommand?: string[];
  /** The pods of a service without an autoscaler. */
  replicas?: number;
  plain: string[];
  secret: Record<string, [string, string]>;
  autoscaled: boolean;
  /** The directories the service writes to (emptyDirs under the read-only root filesystem). */
  writable: string[];
}[] = [
  {
    name: 'kong',
    image: 'kong/kong:3.9.3',
    port: 8000,
    readiness: ['/status/ready', 8100],
    autoscaled: true,
    writable: ['/kong_prefix', '/tmp'],
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
    writable: ['/tmp'],
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
    writable: ['/tmp'],
    plain: ['PGRST_DB_SCHEMAS', 'PGRST_DB_MAX_ROWS', 'PGRST_DB_EXTRA_SEARCH_PATH', 'PGRST_DB_ANON_ROLE', 'PGRST_DB_USE_LEGACY_GUCS',
      'PGRST_APP_SETTINGS_JWT_EXP', 'PGRST_ADMIN_SERVER_PORT'],
    secret: { PGRST_DB_URI: ['supabase-db-rest', 'uri'], PGRST_JWT_SECRET: ['supabase-jwt', 'jwt-secret'] },
  },
  {
    name: 'realtime',
    serviceName: 'realtime-dev',
    image: 'supabase/realtime:v2.134.10',
    port: 4000,
    readiness: ['/healthcheck', 4000],
    healthCommand: ['/bin/sh', '-c', realtimeTenantHealthCommand(4000)],
    autoscaled: true,
    writable: ['/tmp'],
    // SEED_SELF_HOST and RLIMIT_NOFILE belong to the image's run.sh, which the chart replaces (see below).
    plain: ['PORT', 'DB_AFTER_CONNECT_QUERY', 'ERL_AFLAGS', 'DNS_NODES', 'APP_NAME', 'RUN_JANITOR', 'CLUSTER_STRATEGIES', 'DB_SSL'],
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
      ANON_KEY: ['supabase-api-keys', 'anon-key'],
    },
  },
  {
    name: 'storage',
    image: 'supabase/storage-api:v1.74.0',
    port: 5000,
    readiness: ['/status', 5000],
    autoscaled: true,
    writable: ['/tmp'],
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
    writable: ['/tmp', '/var/cache/fontconfig'],
    plain: ['IMGPROXY_BIND', 'IMGPROXY_USE_ETAG', 'IMGPROXY_AUTO_WEBP', 'IMGPROXY_MAX_SRC_RESOLUTION'],
    secret: {},
  },
  {
    name: 'meta',
    image: 'supabase/postgres-meta:v0.99.0',
    port: 8080,
    readiness: ['/health', 8080],
    autoscaled: false,
    replicas: 2,
    writable: ['/tmp'],
    plain: ['PG_META_PORT', 'PG_META_DB_SSL_MODE', 'PGSSLMODE'],
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
    replicas: 1,
    writable: ['/tmp', '/app/apps/studio/.next/cache', '/var/lib/edge-functions'],
    plain: ['STUDIO_PG_META_URL', 'POSTGRES_USER_READ_WRITE', 'DEFAULT_ORGANIZATION_NAME', 'DEFAULT_PROJECT_NAME', 'SUPABASE_URL',
      'SUPABASE_PUBLIC_URL', 'HOSTNAME'],
    secret: {
      POSTGRES_HOST: ['supabase-db-meta', 'host'],
      POSTGRES_PORT: ['supabase-db-meta', 'port'],
      POSTGRES_DB: ['supabase-db-meta', 'dbname'],
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
    writable: ['/tmp'],
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
    if (svc.healthCommand) {
      expect(c.startupProbe.exec).toEqual({ command: svc.healthCommand });
      expect(c.readinessProbe.exec).toEqual({ command: svc.healthCommand });
    }
    for (const probe of svc.healthCommand ? [c.livenessProbe] : [c.readinessProbe, c.livenessProbe, c.startupProbe]) {
      if (typeof svc.readiness === 'number') {
        expect(probe.tcpSocket).toEqual({ port: svc.readiness });
      } else {
        expect(probe.httpGet).toMatchObject({ port: svc.readiness[1] });
      }
    }
    if (typeof svc.readiness !== 'number') {
      expect((svc.healthCommand ? c.livenessProbe : c.readinessProbe).httpGet.path).toBe(svc.readiness[0]);
    }
    expect(c.startupProbe.failureThreshold * (c.startupProbe.periodSeconds ?? 10)).toBeGreaterThanOrEqual(60);
  });

  test('writes only to emptyDirs, and sees no Service links', () => {
    const pod = find('Deployment', svc.name).spec.template.spec;
    const emptyDirs = new Set(pod.volumes?.filter((v: any) => v.emptyDir).map((v: any) => v.name) ?? []);
    const mounts = (container(svc.name).volumeMounts ?? []).filter((m: any) => emptyDirs.has(m.name)).map((m: any) => m.mountPath);
    expect(mounts.sort()).toEqual([...svc.writable].sort());
    expect(pod.enableServiceLinks).toBe(false);
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
      expect(deployment.spec.replicas).toBe(svc.replicas);
      expect(hpas).toHaveLength(0);
    }
  });
});

describe('studio', () => {
  test('keeps saved snippets on an EBS volume of the cluster\'s StorageClass that outlives the pod; one pod, replaced on update', () => {
    const deployment = find('Deployment', 'studio');
    const pod = deployment.spec.template.spec;
    expect(deployment.spec.replicas).toBe(1);
    expect(deployment.spec.strategy).toEqual({ type: 'Recreate' });
    const claim = find('PersistentVolumeClaim', 'studio-data');
    expect(claim.spec).toEqual({
      accessModes: ['ReadWriteOnce'],
      resources: { requests: { storage: '1Gi' } },
      storageClassName: 'gp3',
      volumeMode: 'Filesystem',
    });
    const volume = pod.volumes.find((v: any) => v.persistentVolumeClaim?.claimName === 'studio-data');
    expect(container('studio').volumeMounts).toContainEqual({ name: volume.name, mountPath: '/var/lib/studio' });
    // Snippets in a folder of the volume (its root holds ext4's lost+found, which Studio would list as a folder).
    expect(envOf('studio').SNIPPETS_MANAGEMENT_FOLDER).toBe('/var/lib/studio/snippets');
  });

  test('as upstream 0.8.1: no Logs Explorer without a log backend, and PostgREST\'s own settings shown', () => {
    const env = envOf('studio');
    expect(env.ENABLED_FEATURES_LOGS_ALL).toBe('false');
    expect(env.NEXT_PUBLIC_ENABLE_LOGS).toBeUndefined();
    expect(env.NEXT_ANALYTICS_BACKEND_PROVIDER).toBeUndefined();
    for (const name of ['PGRST_DB_SCHEMAS', 'PGRST_DB_MAX_ROWS', 'PGRST_DB_EXTRA_SEARCH_PATH']) {
      expect({ name, value: env[name] }).toEqual({ name, value: envOf('rest')[name] });
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

  const render = renderEsoTemplate;
  const login = { username: 'supabase_storage_admin', password: 'a b+c/d@e:f%g?h#i&j=k', host: 'db.abc.eu-west-1.rds.amazonaws.com', port: '5432', dbname: 'postgres' };

  test.each([['supabase-db-auth', 'url', 'require'], ['supabase-db-rest', 'uri', 'require'], ['supabase-db-storage', 'url', 'no-verify'], ['supabase-db-functions', 'url', 'require']])(
    '%s assembles its connection string from the login secret, TLS on (sslmode=%s)', (name, key, sslmode) => {
      const es = find('ExternalSecret', name);
      expect(es.spec.dataFrom).toHaveLength(1);
      expect(es.spec.target.template.engineVersion).toBe('v2');
      const url = render(es.spec.target.template.data[key], login);
      const parsed = parseConnectionString(url);
      expect(parsed).toMatchObject({ user: login.username, password: login.password, host: login.host, port: '5432', database: 'postgres' });
      expect(new URL(url).searchParams.get('sslmode')).toBe(sslmode);
    });

  test('on a replica every connection names the replica\'s host, not the primary\'s in the replicated login secrets', () => {
    const replicaHost = 'supabase-frankfurt-dr.abc.eu-central-1.rds.amazonaws.com';
    const replicaObjects = secretsChartObjects('eu-central-1', { databaseHost: replicaHost }) as K8sObject[];
    const es = (name: string) => replicaObjects.find((o) => o.kind === 'ExternalSecret' && o.metadata.name === name)!;
    for (const [name, key] of [['supabase-db-auth', 'url'], ['supabase-db-rest', 'uri'], ['supabase-db-storage', 'url'], ['supabase-db-functions', 'url']]) {
      expect(parseConnectionString(render(es(name).spec.target.template.data[key], login)).host).toBe(replicaHost);
    }
    for (const name of ['supabase-db-realtime', 'supabase-db-meta']) {
      const data = es(name).spec.target.template.data;
      expect(Object.fromEntries(Object.entries(data).map(([k, v]) => [k, render(v as string, login)])))
        .toEqual({ ...login, host: replicaHost });
    }
  });

  test('with an RDS Proxy, Auth, REST, Storage\'s pool and postgres-meta name the proxy; the rest the instance', () => {
    const proxyHost = 'supabase-prod-proxy.proxy-abc.eu-west-1.rds.amazonaws.com';
    const arn = (name: string) => `arn:aws:secretsmanager:eu-west-1:123456789012:secret:${name}`;
    const pooledObjects = secretsChartObjects('eu-west-1', { pooledHost: proxyHost }) as K8sObject[];
    const data = (name: string) => externalSecretTemplate(pooledObjects, name);
    const hostOf = (name: string, key: string) => parseConnectionString(render(data(name)[key], login)).host;
    expect(hostOf('supabase-db-auth', 'url')).toBe(proxyHost);
    expect(hostOf('supabase-db-rest', 'uri')).toBe(proxyHost);
    expect(hostOf('supabase-db-storage', 'pool-url')).toBe(proxyHost);
    expect(render(data('supabase-db-meta').host, login)).toBe(proxyHost);
    // Logical replication, Storage's migrations (a session advisory lock) and listener, user functions: the instance.
    const realtime = pooledObjects.find((o) => o.kind === 'ExternalSecret' && o.metadata.name === 'supabase-db-realtime')!;
    expect(realtime.spec.data.find((d: any) => d.secretKey === 'host').remoteRef).toEqual({ key: arn('db-realtime'), property: 'host' });
    expect(hostOf('supabase-db-storage', 'url')).toBe(login.host);
    expect(hostOf('supabase-db-functions', 'url')).toBe(login.host);
    // pgx (Auth) with the simple protocol: no named statement cached per connection.
    const authUrl = new URL(render(data('supabase-db-auth').url, login));
    expect(Object.fromEntries(authUrl.searchParams)).toEqual({ sslmode: 'require', prefer_simple_protocol: 'true' });
    expect(new URL(render(data('supabase-db-storage')['pool-url'], login)).searchParams.get('sslmode')).toBe('no-verify');
    // Without a proxy there is no pool URL and Auth keeps pgx's defaults.
    expect(find('ExternalSecret', 'supabase-db-storage').spec.target.template.data['pool-url']).toBeUndefined();
    expect(new URL(render(find('ExternalSecret', 'supabase-db-auth').spec.target.template.data.url, login)).searchParams.get('prefer_simple_protocol')).toBeNull();
  });

  test('the Storage API\'s node-postgres encrypts without verifying the certificate, as libpq\'s `require` does', () => {
    const es = find('ExternalSecret', 'supabase-db-storage');
    expect(parseConnectionString(render(es.spec.target.template.data.url, login)).ssl).toEqual({ rejectUnauthorized: false });
  });
});


describe('realtime', () => {
  test('replaces the image\'s run.sh: tini runs the start script, the pod IP names the Erlang node', () => {
    const c = container('realtime');
    expect(c.command.slice(0, 6)).toEqual(['/usr/bin/tini', '-s', '-g', '--', '/bin/bash', '-c']);
    expect(c.command[6]).toBe(realtimeStartScript(4000));
    expect(envOf('realtime').POD_IP).toEqual({ fieldRef: { fieldPath: 'status.podIP' } });
    expect(envOf('realtime').SEED_SELF_HOST).toBeUndefined();
    expect(envOf('realtime').RELEASE_TMP).toBe('/tmp');
    expect(envOf('realtime').DISABLE_HEALTHCHECK_LOGGING).toBe('true');
    expect(find('Deployment', 'realtime').spec.template.spec.enableServiceLinks).toBe(false);
  });

  test('a headless Service lists the pods for the DNS cluster strategy', () => {
    const headless = find('Service', 'realtime-cluster');
    expect(headless.spec.clusterIP).toBe('None');
    expect(headless.spec.selector).toEqual({ 'app.kubernetes.io/name': 'realtime', 'app.kubernetes.io/part-of': 'supabase' });
    expect(envOf('realtime').DNS_NODES).toBe('realtime-cluster.supabase.svc.cluster.local');
  });

  describe('the start script', () => {
    // A stand-in for the Realtime server, as realtime 2.129.8 behaves (tenant_controller.ex, tenants.ex): /healthcheck
    // fails once; the first PUT creates the tenant but its migrations fail (401), the retry updates it without
    // migrating (200); the tenant's health is 404 before it exists, then `healthy: false` until a health request has
    // retried the migrations (the second one), then true. Every tenant request is logged; a wrong token gets 403.
    const FAKE_SERVER = `
      const http = require('http'); const fs = require('fs');
      const [port, log, token] = process.argv.slice(2);
      let health = 0; let puts = 0; let healthChecks = 0; let tenant = false; let migrated = false;
      http.createServer((req, res) => {
        let body = '';
        req.on('data', (chunk) => { body += chunk; });
        req.on('end', () => {
          if (req.url === '/healthcheck') { health++; res.writeHead(health < 2 ? 503 : 200); res.end('ok'); return; }
          if (req.headers.authorization !== 'Bearer ' + token) { res.writeHead(403); res.end(); return; }
          if (req.method === 'PUT' && req.url === '/api/tenants/realtime-dev') {
            puts++;
            fs.appendFileSync(log, JSON.stringify({ url: req.url, headers: req.headers, body: JSON.parse(body) }) + '\\n');
            if (puts === 1) { tenant = true; res.writeHead(401); res.end('{"message":"Unauthorized"}'); return; }
            res.writeHead(200); res.end(JSON.stringify({ data: { external_id: 'realtime-dev', jwt_secret: JSON.parse(body).tenant.jwt_secret } }));
            return;
          }
          if (req.method === 'GET' && req.url === '/api/tenants/realtime-dev/health') {
            if (!tenant) { res.writeHead(404); res.end('{"message":"not found"}'); return; }
            healthChecks++;
            const healthy = migrated;
            if (healthChecks >= 2) migrated = true;
            res.writeHead(200); res.end(JSON.stringify({ data: { healthy, db_connected: false, connected_cluster: 0 } }));
            return;
          }
          res.writeHead(404); res.end();
        });
      }).listen(Number(port), '127.0.0.1');`;
    const env = {
      ANON_KEY: 'anon.jwt.token',
      API_JWT_SECRET: 'jwt-secret-of-at-least-32-characters!!',
      DB_HOST: 'db.example.eu-west-1.rds.amazonaws.com',
      DB_PORT: '5432',
      DB_NAME: 'postgres',
      DB_USER: 'supabase_admin',
      DB_PASSWORD: 'p"a\\s$s\'word',
    };

    const freePort = () => new Promise<number>((resolve) => {
      const server = net.createServer().listen(0, '127.0.0.1', () => {
        const { port } = server.address() as net.AddressInfo;
        server.close(() => resolve(port));
      });
    });
    /** The script (or the probe's command) with its paths in `dir`, the server replaced by the stand-in, short sleeps. */
    const localised = (script: string, dir: string, port: number) => script
      .split('/tmp/').join(`${dir}/`)
      .replace('/app/bin/migrate', `echo migrated > ${dir}/migrated`)
      .replace('exec /app/bin/server', `exec node ${dir}/server.js ${port} ${dir}/requests ${env.ANON_KEY}`)
      .split('sleep 5').join('sleep 0.2')
      .split('sleep 2').join('sleep 0.2');
    const probe = (dir: string, port: number) =>
      spawnSync('/bin/sh', ['-c', localised(realtimeTenantHealthCommand(port), dir, port)], { encoding: 'utf8' }).status;

    test('registers the tenant with TLS enforced, logs each failure, and is healthy only once the tenant\'s migrations ran', async () => {
      const dir = fs.mkdtempSync(nodePath.join(os.tmpdir(), 'realtime-'));
      const port = await freePort();
      fs.writeFileSync(nodePath.join(dir, 'server.js'), FAKE_SERVER);
      // --norc: Node's stdio pipes are sockets, which makes bash read ~/.bashrc otherwise.
      const child = spawn('/bin/bash', ['--norc', '-c', localised(realtimeStartScript(port), dir, port)],
        { env: { PATH: process.env.PATH, ...env }, detached: true });
      let output = '';
      child.stdout.on('data', (d) => { output += d; });
      child.stderr.on('data', (d) => { output += d; });
      const probes: (number | null)[] = [];
      try {
        for (let i = 0; i < 200 && !output.includes('is healthy\n'); i++) {
          await new Promise((r) => setTimeout(r, 100));
          if (i === 0) probes.push(probe(dir, port));
        }
        expect(output).toContain('Realtime tenant realtime-dev is healthy\n');
        probes.push(probe(dir, port));
      } finally {
        if (child.exitCode === null) {
          process.kill(-child.pid!, 'SIGTERM');
        }
      }
      // The probe failed before the tenant was healthy (unknown tenant, or migrations not run), passes after.
      expect(probes[0]).not.toBe(0);
      expect(probes[probes.length - 1]).toBe(0);
      // Each failure is in the log, with the API's status and answer.
      expect(output).toContain('Realtime tenant realtime-dev: registration failed (HTTP 401): {"message":"Unauthorized"}');
      expect(output).toContain('Realtime tenant realtime-dev registered (HTTP 200); waiting for its migrations');
      expect(output).toContain('Realtime tenant realtime-dev is not healthy yet: {"data":{"healthy":false');
      expect(fs.readFileSync(nodePath.join(dir, 'migrated'), 'utf8')).toBe('migrated\n');
      const requests = fs.readFileSync(nodePath.join(dir, 'requests'), 'utf8').trim().split('\n').map((l) => JSON.parse(l));
      expect(requests).toHaveLength(2);
      for (const r of requests) {
        expect(r.url).toBe('/api/tenants/realtime-dev');
        expect(r.headers.authorization).toBe(`Bearer ${env.ANON_KEY}`);
        expect(r.headers['content-type']).toBe('application/json');
        expect(r.body).toEqual({
          tenant: {
            name: 'realtime-dev',
            external_id: 'realtime-dev',
            jwt_secret: env.API_JWT_SECRET,
            extensions: [{
              type: 'postgres_cdc_rls',
              settings: {
                db_host: env.DB_HOST,
                db_port: '5432',
                db_name: 'postgres',
                db_user: 'supabase_admin',
                db_password: env.DB_PASSWORD,
                region: 'us-east-1',
                poll_interval_ms: 100,
                poll_max_record_bytes: 1048576,
                ssl_enforced: true,
              },
            }],
          },
        });
      }
      // The probes' header file is the pod user's only; the registration's answer (the tenant) is gone; no secret
      // reached the log.
      expect(fs.statSync(nodePath.join(dir, 'tenant-api-header')).mode.toString(8).slice(-3)).toBe('600');
      expect(fs.existsSync(nodePath.join(dir, 'tenant-api-answer'))).toBe(false);
      for (const secret of [env.ANON_KEY, env.API_JWT_SECRET, env.DB_PASSWORD]) {
        expect(output).not.toContain(secret);
      }
    }, 30000);
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

  test('OAuth server discovery for the issuer <publicUrl>/auth/v1 is open and reaches Auth (RFC 8414)', () => {
    const s = route('/.well-known/oauth-authorization-server/auth/v1');
    expect(s.url).toBe('http://auth:9999/.well-known/oauth-authorization-server');
    expect(s.routes[0].strip_path).toBe(true);
    expect(Object.keys(plugins(s))).toEqual(['cors']);
    expect(envOf('auth').GOTRUE_JWT_ISSUER).toBe('https://api.example.com/auth/v1');
  });

  test('as upstream 0.8.1: Kong re-resolves Services quickly, and waits for Edge Functions a little longer than a worker may take', () => {
    expect(envOf('kong')).toMatchObject({ KONG_DNS_NOT_FOUND_TTL: '1', KONG_DNS_VALID_TTL: '5', KONG_PROXY_ACCESS_LOG: '/dev/stdout combined' });
    expect(route('/functions/v1/').read_timeout).toBe(160000);
    const args = container('functions').args;
    expect(args[args.indexOf('--user-worker-request-idle-timeout') + 1]).toBe('150000');
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

  describe('the start command', () => {
    // Runs the container's command with sh: the template and the prefix are in a temporary directory, the prefix
    // holds a previous run's pid file, and a fake entrypoint prints its arguments, the rendered configuration and
    // whether the pid files are still there.
    const run = (env: Record<string, string>) => {
      const dir = fs.mkdtempSync(nodePath.join(os.tmpdir(), 'kong-'));
      const prefix = nodePath.join(dir, 'prefix');
      fs.mkdirSync(nodePath.join(prefix, 'pids'), { recursive: true });
      fs.writeFileSync(nodePath.join(prefix, 'pids', 'nginx.pid'), '4242');
      fs.writeFileSync(nodePath.join(dir, 'template.yml'), find('ConfigMap', 'kong-template').data['kong.yml']);
      fs.writeFileSync(nodePath.join(dir, 'entrypoint.sh'),
        '#!/bin/sh\necho "$@"\n[ -e "$KONG_PREFIX/pids" ] && echo stale pids >&2\ncat "$KONG_PREFIX/kong.yml"\n', { mode: 0o755 });
      const script = container('kong').command[2]
        .replace('/home/kong/template/kong.yml', `${dir}/template.yml`)
        .replace('/kong_prefix/kong.yml', `${prefix}/kong.yml`)
        .replace('/entrypoint.sh /docker-entrypoint.sh', `${dir}/entrypoint.sh`);
      return spawnSync('/bin/sh', ['-c', script], { env: { PATH: process.env.PATH, ...env, KONG_PREFIX: prefix }, encoding: 'utf8' });
    };
    const values = {
      SUPABASE_ANON_KEY: 'anon.jwt.value',
      SUPABASE_SERVICE_KEY: 'service.jwt.value',
      DASHBOARD_USERNAME: 'supabase',
      // Characters that JSON, awk and the shell would each interpret.
      DASHBOARD_PASSWORD: 'a"b\\c&d$e${SUPABASE_ANON_KEY}f',
    };

    test('renders the keys and credentials into the configuration in the prefix, then starts Kong through the entrypoint', () => {
      const result = run(values);
      expect(result.status).toBe(0);
      expect(result.stderr).toBe('');
      const [first, ...rest] = result.stdout.split('\n');
      expect(first).toBe('kong docker-start');
      const rendered = JSON.parse(rest.join('\n'));
      expect(rendered.consumers).toEqual([
        { username: 'DASHBOARD', basicauth_credentials: [{ username: 'supabase', password: values.DASHBOARD_PASSWORD }] },
        { username: 'anon', keyauth_credentials: [{ key: 'anon.jwt.value' }] },
        { username: 'service_role', keyauth_credentials: [{ key: 'service.jwt.value' }] },
      ]);
      expect(envOf('kong')).toMatchObject({ KONG_PREFIX: '/kong_prefix', KONG_DECLARATIVE_CONFIG: '/kong_prefix/kong.yml' });
    });

    test('refuses to start when a value is missing', () => {
      const { DASHBOARD_PASSWORD: _, ...missing } = values;
      const result = run(missing);
      expect(result.status).not.toBe(0);
      expect(result.stderr).toContain('DASHBOARD_PASSWORD');
      expect(result.stdout).toBe('');
    });
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

describe('load balancer', () => {
  test('a TargetGroupBinding keeps the CloudFormation target group\'s IP targets equal to Kong\'s ready pods', () => {
    const binding = find('TargetGroupBinding', 'kong');
    expect(binding.apiVersion).toBe('elbv2.k8s.aws/v1beta1');
    expect(binding.spec).toEqual({
      serviceRef: { name: 'kong', port: 8000 },
      targetGroupARN: expect.any(String),
      targetType: 'ip',
    });
    expect(objects.filter((o) => o.kind === 'Ingress')).toEqual([]);
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

