/**
 * Every call a service is configured to make to another service of the namespace is allowed at both ends: by the
 * caller's egress policy and by the callee's ingress policy (the namespace denies everything else). The calls are
 * derived from what is rendered (each container's env, and the gateway's declarative configuration), never from a
 * second hand-written list; a call one side does not allow is dropped silently at run time.
 */
import { allDeployments, supabaseDeployments } from './deployments';

const NAME = 'app.kubernetes.io/name';

/** A call from the pods of one service to a Service of the namespace. */
interface Call {
  readonly from: string;
  readonly service: string;
  /** The Service port called; undefined: every port (e.g. an Erlang cluster's peers). */
  readonly port?: number;
  /** Where the call is configured. */
  readonly via: string;
}

/** Service references in a value: `scheme://host[:port]`, or a bare `<service>.<namespace>.svc.cluster.local`. */
function references(value: string, namespace: string): { host: string; port?: number }[] {
  const found: { host: string; port?: number }[] = [];
  const defaults: Record<string, number> = { http: 80, ws: 80, https: 443, wss: 443 };
  for (const m of value.matchAll(/\b(https?|wss?|rediss?|postgres(?:ql)?):\/\/(?:[^@/\s]*@)?([a-z0-9.-]+)(?::(\d+))?/gi)) {
    const port = m[3] ? Number(m[3]) : defaults[m[1].toLowerCase()];
    found.push({ host: m[2], port });
  }
  const bare = new RegExp(`^([a-z0-9-]+)\\.${namespace}\\.svc\\.cluster\\.local$`).exec(value.trim());
  if (bare) found.push({ host: value.trim() });
  return found;
}

/** The Service a host name refers to from inside the namespace, if it is one of the namespace's Services. */
function serviceOf(host: string, namespace: string, services: Map<string, any>): any | undefined {
  const [first, ...rest] = host.split('.');
  const inNamespace = rest.length === 0 || rest[0] === namespace;
  return inNamespace ? services.get(first) : undefined;
}

/** The configured calls of a deployment's services. */
function configuredCalls(objects: any[]): { calls: Call[]; services: Map<string, any>; namespace: string } {
  const services = new Map<string, any>(objects.filter((o) => o.kind === 'Service').map((s) => [s.metadata.name, s]));
  const namespace = objects.find((o) => o.kind === 'Service')?.metadata.namespace ?? 'supabase';
  const calls: Call[] = [];
  const add = (from: string, value: string, via: string) => {
    for (const ref of references(value, namespace)) {
      if (serviceOf(ref.host, namespace, services)) {
        calls.push({ from, service: ref.host.split('.')[0], port: ref.port, via });
      }
    }
  };
  for (const deployment of supabaseDeployments(objects)) {
    const from = deployment.spec.template.metadata.labels[NAME];
    for (const container of deployment.spec.template.spec.containers) {
      for (const e of container.env ?? []) {
        if (typeof e.value === 'string') add(from, e.value, `env ${e.name}`);
      }
    }
  }
  // The gateway's upstreams are in its declarative configuration.
  const kongConfig = objects.find((o) => o.kind === 'ConfigMap' && o.metadata.name === 'kong-template');
  if (kongConfig) {
    for (const s of JSON.parse(kongConfig.data['kong.yml']).services) {
      add('kong', s.url, `kong.yml service ${s.name}`);
    }
  }
  return { calls, services, namespace };
}

/** Whether a policy's rules let `peer` through on `port` (undefined: on every port). No or empty ports: every port. */
function allows(rules: any[] | undefined, peer: string, port: number | undefined): boolean {
  return (rules ?? []).some((rule) => (rule.from ?? rule.to ?? []).some((p: any) => p.podSelector?.matchLabels?.[NAME] === peer)
    && ((rule.ports ?? []).length === 0 || (port !== undefined && rule.ports.some((p: any) => p.port === port))));
}

/** What is wrong with the calls of a deployment: each call must be allowed by both ends' policies. */
function refusedCalls(objects: any[]): string[] {
  const { calls, services } = configuredCalls(objects);
  const policies = new Map<string, any>(objects.filter((o) => o.kind === 'NetworkPolicy' && o.spec.podSelector.matchLabels?.[NAME])
    .map((p) => [p.spec.podSelector.matchLabels[NAME], p.spec]));
  const problems: string[] = [];
  for (const call of calls) {
    const service = services.get(call.service);
    const callee = service.spec.selector[NAME];
    const servicePort = call.port === undefined ? undefined : service.spec.ports.find((p: any) => p.port === call.port);
    if (call.port !== undefined && !servicePort) {
      problems.push(`${call.from} calls ${call.service}:${call.port} (${call.via}), a port the Service does not expose`);
      continue;
    }
    const port = servicePort ? Number(servicePort.targetPort ?? servicePort.port) : undefined;
    const what = `${call.from} -> ${callee}${port === undefined ? ' (every port)' : `:${port}`} (${call.via})`;
    if (!allows(policies.get(call.from)?.egress, callee, port)) problems.push(`${what}: ${call.from}'s egress policy does not allow it`);
    if (!allows(policies.get(callee)?.ingress, call.from, port)) problems.push(`${what}: ${callee}'s ingress policy does not admit it`);
  }
  return problems;
}

const DEPLOYMENTS = allDeployments().filter((d) => supabaseDeployments(d.objects).length > 0);
const fixture = DEPLOYMENTS[0].objects;

test('the calls are derived from what is rendered, the gateway\'s, Studio\'s, Storage\'s, Realtime\'s and Edge Functions\' included', () => {
  const calls = configuredCalls(fixture).calls.map((c) => `${c.from}->${c.service}:${c.port ?? '*'}`);
  expect(calls).toEqual(expect.arrayContaining([
    'kong->auth:9999', 'kong->rest:3000', 'kong->realtime-dev:4000', 'kong->storage:5000', 'kong->meta:8080',
    'kong->studio:3000', 'kong->functions:9000', 'studio->meta:8080', 'studio->kong:8000', 'storage->rest:3000',
    'storage->imgproxy:5001', 'realtime->realtime-cluster:*', 'functions->kong:8000',
  ]));
  // External addresses (the public URL, the database) are not calls inside the namespace.
  expect(calls.filter((c) => c.includes('example.com') || c.includes('rds'))).toEqual([]);
});

describe.each(DEPLOYMENTS.map((d) => [d.name, d] as const))('%s', (_name, deployment) => {
  test('every configured call is allowed by the caller\'s egress and the callee\'s ingress', () => {
    expect(configuredCalls(deployment.objects).calls.length).toBeGreaterThan(0);
    expect(refusedCalls(deployment.objects)).toEqual([]);
  });
});

test('a callee that does not admit its caller is found (Edge Functions -> Kong without Kong\'s ingress rule)', () => {
  const objects = JSON.parse(JSON.stringify(fixture));
  const kong = objects.find((o: any) => o.kind === 'NetworkPolicy' && o.metadata.name === 'kong');
  kong.spec.ingress = kong.spec.ingress.filter((r: any) => !allows([r], 'functions', 8000));
  expect(refusedCalls(objects)).toEqual(['functions -> kong:8000 (env SUPABASE_URL): kong\'s ingress policy does not admit it']);
});

test('a caller whose egress does not allow the call is found', () => {
  const objects = JSON.parse(JSON.stringify(fixture));
  const storage = objects.find((o: any) => o.kind === 'NetworkPolicy' && o.metadata.name === 'storage');
  storage.spec.egress = storage.spec.egress.filter((r: any) => !allows([r], 'rest', 3000));
  expect(refusedCalls(objects)).toEqual(['storage -> rest:3000 (env POSTGREST_URL): storage\'s egress policy does not allow it']);
});
