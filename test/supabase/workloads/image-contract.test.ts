/**
 * Every Supabase container of every example (and of a fixture with every optional service) held against what its
 * image really is (src/supabase/workloads/private/image-contract.ts): no volume over the program's own directories, every
 * path it writes on a writable volume, probes on endpoints it serves, commands it has, secrets it reads, the user
 * it runs as. Synthesis, schemas and cdk-nag cannot see these defects; a pod that hits one does not start.
 */
import * as path from 'node:path';
import { EXAMPLE_APPS, allDeployments, supabaseDeployments } from './deployments';
import { SHELL_BUILTINS, commandWords, programsOf } from './shell-commands';
import { USER_ENVIRONMENT_ANNOTATION } from '../../../src/supabase/workloads/private/extra-env';
import { IMAGE_CONTRACTS, ImageContract, ListenAddress, SupabaseService, readsSecretEnv } from '../../../src/supabase/workloads/private/image-contract';

const SOURCES = allDeployments();

const CONTAINERS = SOURCES.flatMap((source) => supabaseDeployments(source.objects).flatMap((deployment) =>
  deployment.spec.template.spec.containers.map((container: any) => ({
    where: `${source.name}: ${deployment.metadata.name}/${container.name}`,
    service: container.name as SupabaseService,
    pod: deployment.spec.template.spec,
    container,
    userEnv: userEnvironment(deployment),
  }))));

/** The variables the user set through `environment` (the escape hatch): the user's responsibility, not the image's. */
function userEnvironment(deployment: any): string[] {
  return deployment.metadata.annotations?.[USER_ENVIRONMENT_ANNOTATION]?.split(',') ?? [];
}

/** Is `inner` the same path as `outer`, or below it? */
const within = (inner: string, outer: string) => {
  const rel = path.posix.relative(outer, inner);
  return rel === '' || (!rel.startsWith('..') && !path.posix.isAbsolute(rel));
};

/** The container's plain env value of `name`, if set. */
const envValue = (container: any, name: string): string | undefined =>
  container.env?.find((e: any) => e.name === name && e.value !== undefined)?.value;

/** The value of a command-line option (`--port 9000` or `--port=9000`) in the container's command and args. */
const optionValue = (container: any, option: string): string | undefined => {
  const argv: string[] = [...(container.command ?? []), ...(container.args ?? [])];
  const i = argv.findIndex((a) => a === option || a.startsWith(`${option}=`));
  return i < 0 ? undefined : argv[i].includes('=') ? argv[i].split('=')[1] : argv[i + 1];
};

/** Where the endpoint listens in this container: host (undefined: every address) and port, or nothing. */
function resolveListen(container: any, listen: ListenAddress): { host?: string; port: number } | undefined {
  const value = (listen.option && optionValue(container, listen.option))
    ?? (listen.env && envValue(container, listen.env)) ?? listen.default;
  if (value === undefined) return undefined;
  const first = value.split(',')[0].trim().split(/\s+/)[0];
  const match = /^(?:(.*):)?(\d+)$/.exec(first);
  if (!match) throw new Error(`cannot read a listen address from '${value}'`);
  return { host: match[1] || undefined, port: Number(match[2]) };
}

const LOOPBACK = new Set(['127.0.0.1', 'localhost', '[::1]', '::1']);

/** The endpoints the image serves in this container, reachable from the kubelet (not on the loopback). */
function servedEndpoints(container: any, contract: ImageContract): { path?: string; port: number }[] {
  return contract.endpoints.flatMap((e) => {
    const at = resolveListen(container, e.listen);
    return at && !(at.host && LOOPBACK.has(at.host)) ? [{ path: e.path, port: at.port }] : [];
  });
}

/** The paths the image writes to in this container (a file's directory). */
function writtenPaths(container: any, contract: ImageContract): string[] {
  return contract.writes.flatMap((w) => {
    const value = w.path ?? (w.env && envValue(container, w.env)) ?? w.default;
    if (value === undefined) return [];
    return [w.file ? path.posix.dirname(value) : value];
  });
}

/** The container's writable volumes' mount paths (emptyDirs and claims, not read-only). */
function writableMounts(pod: any, container: any): string[] {
  const writable = new Set((pod.volumes ?? []).filter((v: any) => v.emptyDir || v.persistentVolumeClaim).map((v: any) => v.name));
  return (container.volumeMounts ?? []).filter((m: any) => writable.has(m.name) && !m.readOnly).map((m: any) => m.mountPath);
}

/**
 * What is wrong with a container against its image's contract; empty when nothing is. `userEnv` names the variables
 * the user set through `environment`: the library does not vouch for their use.
 */
function violations(pod: any, container: any, contract: ImageContract, userEnv: string[] = []): string[] {
  const problems: string[] = [];
  const written = writtenPaths(container, contract);

  // The user the image's files belong to.
  const user = container.securityContext?.runAsUser ?? pod.securityContext?.runAsUser;
  const group = container.securityContext?.runAsGroup ?? pod.securityContext?.runAsGroup;
  if (user !== contract.user || group !== contract.group) {
    problems.push(`runs as ${user}:${group}, the image's user is ${contract.user}:${contract.group} (${contract.imageUser})`);
  }

  // No volume over, above or inside a program directory, unless it is a path the program writes to.
  for (const mount of container.volumeMounts ?? []) {
    for (const dir of contract.programDirectories) {
      if (within(dir, mount.mountPath)) {
        problems.push(`volume ${mount.name} at ${mount.mountPath} hides the program directory ${dir}`);
      } else if (within(mount.mountPath, dir) && !written.some((w) => w === mount.mountPath)) {
        problems.push(`volume ${mount.name} at ${mount.mountPath} is inside the program directory ${dir} and is no path the program writes`);
      }
    }
  }

  // Every path the program writes is on a writable volume.
  const mounts = writableMounts(pod, container);
  for (const w of written) {
    if (!mounts.some((m) => within(w, m))) {
      problems.push(`the program writes to ${w}, which is on no writable volume (the root filesystem is read-only)`);
    }
  }

  // Ports and probes hit what the image serves.
  const served = servedEndpoints(container, contract);
  const portNumber = (port: number | string) => (typeof port === 'number' ? port
    : container.ports?.find((p: any) => p.name === port)?.containerPort);
  for (const p of container.ports ?? []) {
    if (!served.some((e) => e.port === p.containerPort)) {
      problems.push(`port ${p.name} (${p.containerPort}) is not one the image listens on (${served.map((e) => e.port).join(', ')})`);
    }
  }
  for (const kind of ['readinessProbe', 'livenessProbe', 'startupProbe']) {
    const probe = container[kind];
    if (!probe) {
      problems.push(`no ${kind}`);
    } else if (probe.httpGet) {
      const port = portNumber(probe.httpGet.port);
      if (!served.some((e) => e.path === probe.httpGet.path && e.port === port)) {
        problems.push(`${kind} GETs ${probe.httpGet.path} on ${port}, which the image does not serve there`);
      }
    } else if (probe.tcpSocket) {
      if (!served.some((e) => e.port === portNumber(probe.tcpSocket.port))) {
        problems.push(`${kind} connects to ${probe.tcpSocket.port}, where the image does not listen`);
      }
    } else if (probe.exec) {
      problems.push(...missingTools(`${kind}`, probe.exec.command, contract));
    }
  }

  // Commands use only what the image has.
  if (container.command) {
    problems.push(...missingTools('the command', [...container.command, ...(container.args ?? [])], contract));
  }

  // Secrets only where the image reads them (the user's own variables are the user's business).
  for (const e of container.env ?? []) {
    if (e.valueFrom?.secretKeyRef && !readsSecretEnv(contract, e.name) && !userEnv.includes(e.name)) {
      problems.push(`gets ${e.name} from Secret ${e.valueFrom.secretKeyRef.name}, which the image does not read`);
    }
  }
  return problems;
}

function missingTools(what: string, argv: string[], contract: ImageContract): string[] {
  return programsOf(argv)
    .filter((p) => p !== '$dynamic' && !SHELL_BUILTINS.has(p) && !contract.tools.includes(p))
    .map((p) => `${what} runs ${p}, which the image does not have`);
}

test('every example is covered, with every Supabase service', () => {
  expect(EXAMPLE_APPS).toEqual(expect.arrayContaining(['frankfurt-dr', 'ireland-dev', 'ireland-prod', 'ireland-staging']));
  for (const app of EXAMPLE_APPS) {
    expect(CONTAINERS.some((c) => c.where.startsWith(`${app}/`))).toBe(true);
  }
  expect(new Set(CONTAINERS.map((c) => c.service))).toEqual(new Set(Object.keys(IMAGE_CONTRACTS)));
});

describe.each(CONTAINERS.map((c) => [c.where, c] as const))('%s', (_where, { service, pod, container, userEnv }) => {
  test('runs as its image allows', () => {
    const contract = IMAGE_CONTRACTS[service as SupabaseService];
    expect(contract).toBeDefined();
    expect(violations(pod, container, contract, userEnv)).toEqual([]);
  });
});

describe('the checks themselves', () => {
  const kongContainer = () => JSON.parse(JSON.stringify(CONTAINERS.find((c) => c.service === 'kong')!));

  test('an emptyDir over Kong\'s program directory, its default prefix, is found', () => {
    const { pod, container } = kongContainer();
    container.env = container.env.filter((e: any) => e.name !== 'KONG_PREFIX');
    pod.volumes.push({ name: 'old-prefix', emptyDir: {} });
    container.volumeMounts.push({ name: 'old-prefix', mountPath: '/usr/local/kong' });
    expect(violations(pod, container, IMAGE_CONTRACTS.kong)).toContain('volume old-prefix at /usr/local/kong hides the program directory /usr/local/kong');
  });

  test('a written path without a volume, a probe on the loopback-only status listener, a missing tool and a stray secret are found', () => {
    const { pod, container } = kongContainer();
    container.volumeMounts = container.volumeMounts.filter((m: any) => m.mountPath !== '/tmp');
    container.env = container.env.filter((e: any) => e.name !== 'KONG_STATUS_LISTEN');
    container.env.push({ name: 'JWT_SECRET', valueFrom: { secretKeyRef: { name: 'supabase-jwt', key: 'jwt-secret' } } });
    container.command = ['/bin/sh', '-c', 'curl -fsS http://127.0.0.1:8100/status && exec /entrypoint.sh kong docker-start'];
    expect(violations(pod, container, IMAGE_CONTRACTS.kong)).toEqual(expect.arrayContaining([
      'the program writes to /tmp, which is on no writable volume (the root filesystem is read-only)',
      'readinessProbe GETs /status/ready on 8100, which the image does not serve there',
      'the command runs curl, which the image does not have',
      'gets JWT_SECRET from Secret supabase-jwt, which the image does not read',
    ]));
  });

  test('a secret the user set through `environment` is the user\'s; one the library adds unannounced is still found', () => {
    const fixture = CONTAINERS.find((c) => c.where.startsWith('fixture') && c.service === 'studio')!;
    // The fixture gives Studio OPENAI_API_KEY through the escape hatch, from the pods' own Secret.
    expect(fixture.userEnv).toContain('OPENAI_API_KEY');
    expect(fixture.container.env).toContainEqual({ name: 'OPENAI_API_KEY', valueFrom: { secretKeyRef: { name: 'supabase-studio-env', key: 'OPENAI_API_KEY' } } });
    expect(violations(fixture.pod, fixture.container, IMAGE_CONTRACTS.studio, fixture.userEnv)).toEqual([]);
    expect(violations(fixture.pod, fixture.container, IMAGE_CONTRACTS.studio)).toEqual(['gets OPENAI_API_KEY from Secret supabase-studio-env, which the image does not read']);
    const { pod, container, userEnv } = JSON.parse(JSON.stringify(fixture));
    container.env.push({ name: 'JWT_SECRET', valueFrom: { secretKeyRef: { name: 'supabase-studio-env', key: 'JWT_SECRET' } } });
    expect(violations(pod, container, IMAGE_CONTRACTS.studio, userEnv)).toEqual(['gets JWT_SECRET from Secret supabase-studio-env, which the image does not read']);
  });

  test('a shell command in PostgREST\'s image, which has no shell, is found', () => {
    const rest = JSON.parse(JSON.stringify(CONTAINERS.find((c) => c.service === 'rest')!));
    rest.container.readinessProbe = { exec: { command: ['sh', '-c', 'postgrest --ready'] } };
    expect(violations(rest.pod, rest.container, IMAGE_CONTRACTS.rest)).toEqual(['readinessProbe runs sh, which the image does not have']);
  });

  test('the shell reader finds the programs of a script', () => {
    const script = [
      'set -eu',
      ': "${A:?is not set}"',
      'FOO=1 awk -v x="a;b|c" \'{ print $0 }\' /in > /out 2>&1',
      'for e in /a /b; do',
      '  if [ -x "$e" ]; then exec "$e" run; fi',
      'done',
      '( until curl -fsS http://x/ -o /dev/null; do sleep 2; done; jq -n \'{}\' | curl -d @- http://y ) &',
      'echo "$(date +%s)" >&2',
      'exec /app/bin/server',
    ].join('\n');
    expect(commandWords(script)).toEqual(['set', ':', 'awk', '[', 'exec', '$dynamic', 'curl', 'sleep', 'jq', 'curl', 'echo', 'exec', '/app/bin/server', 'date']);
    expect(programsOf(['/usr/bin/tini', '-s', '-g', '--', '/bin/bash', '-c', 'touch /tmp/x'])).toEqual(['/usr/bin/tini', '/bin/bash', 'touch']);
  });
});
