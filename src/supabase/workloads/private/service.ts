import { ApiObject, Duration, JsonPatch, Size } from 'cdk8s';
import * as kplus from 'cdk8s-plus-28';
import { Construct } from 'constructs';
import { ExtraEnv, mergeExtraEnv, userEnvironmentAnnotations } from './extra-env';
import { serviceEnvSecretName } from './secret-env';

/** The label every Supabase pod carries with its service's name; selectors and network policies match on it. */
export const NAME_LABEL = 'app.kubernetes.io/name';
/** Marks every object of this library. */
export const PART_OF_LABEL = 'app.kubernetes.io/part-of';
export const PART_OF = 'supabase';

/** A port of a service's container. */
export interface ServicePort {
  readonly name: string;
  readonly port: number;
  /** Whether the Kubernetes Service exposes it (default true). */
  readonly exposed?: boolean;
}

/** A directory that must be writable although the root filesystem is read-only: an emptyDir is mounted there. */
export interface WritablePath {
  readonly name: string;
  readonly path: string;
  readonly sizeLimit?: Size;
}

/**
 * A directory on a PersistentVolumeClaim of its own (ReadWriteOnce): it outlives the pod. A Deployment with one is
 * updated by recreating its pod, since the new pod cannot mount the volume while the old one holds it.
 */
export interface PersistentPath {
  readonly name: string;
  readonly path: string;
  readonly size: Size;
  /** The StorageClass; its reclaim policy decides what happens to the volume when the claim goes. */
  readonly storageClassName: string;
}

/** A ConfigMap mounted read-only into the container. */
export interface ConfigMount {
  readonly name: string;
  readonly path: string;
  readonly configMap: kplus.IConfigMap;
}

/** Replicas and autoscaling of a service, resolved from the user's settings. */
export interface ResolvedScaling {
  readonly minReplicas: number;
  readonly maxReplicas: number;
  readonly targetCpuUtilization: number;
  /** Whether a HorizontalPodAutoscaler scales the Deployment; otherwise it runs `minReplicas` pods. */
  readonly autoscale: boolean;
}

/** What one Supabase service is: the container, how it is checked, secured and scaled. */
export interface ServiceSpec {
  /** The Deployment's name, the container's name and the value of the `app.kubernetes.io/name` label. */
  readonly name: string;
  /** The Kubernetes Service's name. @default name */
  readonly serviceName?: string;
  readonly image: string;
  readonly ports: ServicePort[];
  readonly env: Record<string, kplus.EnvValue>;
  /**
   * Variables whose values External Secrets copies from Secrets Manager into the Secret `supabase-<name>-env`
   * (one key per variable): the service's own secrets beyond the shared ones.
   */
  readonly secretEnv?: string[];
  /** The user's further variables (`environment.<service>`), merged over the library's. */
  readonly extraEnv: ExtraEnv;
  readonly command?: string[];
  readonly args?: string[];
  readonly readiness: kplus.Probe;
  readonly liveness: kplus.Probe;
  readonly startup: kplus.Probe;
  readonly resources: kplus.ContainerResources;
  /** The numeric user and group the image runs as (its own non-root user). */
  readonly user: number;
  readonly group: number;
  readonly writablePaths?: WritablePath[];
  readonly persistentPaths?: PersistentPath[];
  readonly configMounts?: ConfigMount[];
  readonly scaling: ResolvedScaling;
  /** The service account (for IRSA); without it the pod gets no API token. */
  readonly serviceAccountName?: string;
  readonly terminationGracePeriod?: Duration;
}

/** The objects of one service. */
export interface SupabaseServiceObjects {
  readonly deployment: kplus.Deployment;
  readonly service: kplus.Service;
  readonly labels: Record<string, string>;
}

/**
 * Adds a service to `scope`: a Deployment (non-root, read-only root filesystem, no capabilities, RuntimeDefault
 * seccomp: what Pod Security Standards "restricted" asks for), a ClusterIP Service, a PodDisruptionBudget and,
 * when it autoscales, a HorizontalPodAutoscaler on CPU. Pods spread over zones (hard) and nodes (soft).
 */
export function addSupabaseService(scope: Construct, spec: ServiceSpec): SupabaseServiceObjects {
  const labels = { [NAME_LABEL]: spec.name, [PART_OF_LABEL]: PART_OF };
  const volumeMounts: kplus.VolumeMount[] = [
    ...(spec.writablePaths ?? []).map((w) => ({
      path: w.path,
      volume: kplus.Volume.fromEmptyDir(scope, `${spec.name}-${w.name}-volume`, w.name, { sizeLimit: w.sizeLimit ?? Size.mebibytes(64) }),
    })),
    ...(spec.persistentPaths ?? []).map((p) => ({
      path: p.path,
      volume: kplus.Volume.fromPersistentVolumeClaim(scope, `${spec.name}-${p.name}-volume`, new kplus.PersistentVolumeClaim(scope, `${spec.name}-${p.name}-claim`, {
        metadata: { name: `${spec.name}-${p.name}`, labels },
        accessModes: [kplus.PersistentVolumeAccessMode.READ_WRITE_ONCE],
        storage: p.size,
        storageClassName: p.storageClassName,
      }), { name: p.name }),
    })),
    ...(spec.configMounts ?? []).map((c) => ({
      path: c.path,
      readOnly: true,
      volume: kplus.Volume.fromConfigMap(scope, `${spec.name}-${c.name}-volume`, c.configMap, { name: c.name }),
    })),
  ];
  let ownSecret: kplus.ISecret | undefined;
  const fromOwnSecret = (key: string) => {
    ownSecret ??= kplus.Secret.fromSecretName(scope, `${spec.name}-env-secret`, serviceEnvSecretName(spec.name));
    return kplus.EnvValue.fromSecretValue({ secret: ownSecret, key });
  };
  const twice = (spec.secretEnv ?? []).filter((name) => name in spec.env);
  if (twice.length > 0) {
    throw new Error(`${spec.name}: ${twice.join(', ')} set both as a value and from Secrets Manager`);
  }
  const env = mergeExtraEnv({
    ...spec.env,
    ...Object.fromEntries((spec.secretEnv ?? []).map((name) => [name, fromOwnSecret(name)])),
  }, spec.extraEnv, fromOwnSecret);
  const annotations = userEnvironmentAnnotations(spec.extraEnv);
  const deployment = new kplus.Deployment(scope, `${spec.name}-deployment`, {
    metadata: { name: spec.name, labels, ...(annotations ? { annotations } : {}) },
    podMetadata: { labels },
    select: false,
    // An autoscaled Deployment leaves the count to its HorizontalPodAutoscaler.
    replicas: spec.scaling.autoscale ? undefined : spec.scaling.minReplicas,
    strategy: spec.persistentPaths?.length ? kplus.DeploymentStrategy.recreate() : undefined,
    serviceAccount: spec.serviceAccountName
      ? kplus.ServiceAccount.fromServiceAccountName(scope, `${spec.name}-service-account`, spec.serviceAccountName)
      : undefined,
    // Only a pod with a service account needs a token (the IRSA web identity token is mounted separately).
    automountServiceAccountToken: false,
    terminationGracePeriod: spec.terminationGracePeriod,
    securityContext: { ensureNonRoot: true, user: spec.user, group: spec.group, fsGroup: spec.group },
    containers: [{
      name: spec.name,
      image: spec.image,
      imagePullPolicy: kplus.ImagePullPolicy.IF_NOT_PRESENT,
      ports: spec.ports.map((p) => ({ name: p.name, number: p.port })),
      command: spec.command,
      args: spec.args,
      envVariables: env,
      readiness: spec.readiness,
      liveness: spec.liveness,
      startup: spec.startup,
      resources: spec.resources,
      securityContext: {
        ensureNonRoot: true,
        user: spec.user,
        group: spec.group,
        readOnlyRootFilesystem: true,
        allowPrivilegeEscalation: false,
        privileged: false,
        capabilities: { drop: [kplus.Capability.ALL] },
        seccompProfile: { type: kplus.SeccompProfileType.RUNTIME_DEFAULT },
      },
      volumeMounts,
    }],
  });
  deployment.select(kplus.LabelSelector.of({ labels }));
  const matchLabels = { matchLabels: labels };
  // No `<SERVICE>_PORT=tcp://...` variables for the namespace's Services: they would land in the prefixes the images
  // read their configuration from (KONG_*, IMGPROXY_*, REALTIME_*). The services find each other through DNS.
  ApiObject.of(deployment).addJsonPatch(JsonPatch.add('/spec/template/spec/enableServiceLinks', false));
  ApiObject.of(deployment).addJsonPatch(JsonPatch.add('/spec/template/spec/topologySpreadConstraints', [
    // Across zones: a zone's loss leaves the others serving (hard: the Cluster Autoscaler adds a node in the
    // zone that lacks one).
    { maxSkew: 1, topologyKey: 'topology.kubernetes.io/zone', whenUnsatisfiable: 'DoNotSchedule', labelSelector: matchLabels },
    // Across nodes where possible.
    { maxSkew: 1, topologyKey: 'kubernetes.io/hostname', whenUnsatisfiable: 'ScheduleAnyway', labelSelector: matchLabels },
  ]));

  const service = new kplus.Service(scope, `${spec.name}-service`, {
    metadata: { name: spec.serviceName ?? spec.name, labels },
    selector: kplus.Pods.select(scope, `${spec.name}-service-pods`, { labels }),
    ports: spec.ports.filter((p) => p.exposed ?? true).map((p) => ({ name: p.name, port: p.port, targetPort: p.port })),
  });

  // Voluntary disruptions (node drains, upgrades) take one pod at a time; with one replica a drain still proceeds.
  new ApiObject(scope, `${spec.name}-pdb`, {
    apiVersion: 'policy/v1',
    kind: 'PodDisruptionBudget',
    metadata: { name: spec.name, labels },
    spec: { maxUnavailable: 1, selector: matchLabels },
  });

  if (spec.scaling.autoscale) {
    new kplus.HorizontalPodAutoscaler(scope, `${spec.name}-hpa`, {
      metadata: { name: spec.name, labels },
      target: deployment,
      minReplicas: spec.scaling.minReplicas,
      maxReplicas: spec.scaling.maxReplicas,
      metrics: [kplus.Metric.resourceCpu(kplus.MetricTarget.averageUtilization(spec.scaling.targetCpuUtilization))],
    });
  }
  return { deployment, service, labels };
}

/** A peer of a network policy rule. */
export interface PolicyPeer {
  /** Pods of this namespace with this `app.kubernetes.io/name`. */
  readonly service?: string;
  /** An IPv4 block. */
  readonly cidr?: string;
}

/** One rule: a peer and the TCP ports allowed to or from it (none: every port). */
export interface PolicyRule {
  readonly peer: PolicyPeer;
  readonly ports: number[];
}

/**
 * The network policy of one service: the traffic it accepts and the traffic it may send, on top of the
 * namespace's default deny (policies add up).
 */
export function addServicePolicy(scope: Construct, name: string, rules: { ingress: PolicyRule[]; egress: PolicyRule[] }): kplus.NetworkPolicy {
  let n = 0;
  const peer = (p: PolicyPeer): kplus.INetworkPolicyPeer => {
    n++;
    if (p.service) {
      return kplus.Pods.select(scope, `${name}-peer-${n}`, { labels: { [NAME_LABEL]: p.service } });
    }
    return kplus.NetworkPolicyIpBlock.ipv4(scope, `${name}-peer-${n}`, p.cidr!);
  };
  const toRules = (list: PolicyRule[]) => list.map((r) => ({
    peer: peer(r.peer),
    ports: r.ports.length > 0 ? r.ports.map((port) => kplus.NetworkPolicyPort.tcp(port)) : undefined,
  }));
  return new kplus.NetworkPolicy(scope, `${name}-policy`, {
    metadata: { name, labels: { [NAME_LABEL]: name, [PART_OF_LABEL]: PART_OF } },
    selector: kplus.Pods.select(scope, `${name}-pods`, { labels: { [NAME_LABEL]: name } }),
    ingress: { default: kplus.NetworkPolicyTrafficDefault.DENY, rules: toRules(rules.ingress) },
    egress: { default: kplus.NetworkPolicyTrafficDefault.DENY, rules: toRules(rules.egress) },
  });
}

/** How often a probe runs and how patient it is. */
export interface ProbeTiming {
  readonly failureThreshold?: number;
  readonly periodSeconds?: number;
  readonly timeoutSeconds?: number;
}

/** A probe that GETs `path` on `port`. */
export function httpProbe(path: string, port: number, options: ProbeTiming = {}): kplus.Probe {
  return kplus.Probe.fromHttpGet(path, {
    port,
    failureThreshold: options.failureThreshold ?? 3,
    periodSeconds: Duration.seconds(options.periodSeconds ?? 10),
    timeoutSeconds: Duration.seconds(options.timeoutSeconds ?? 3),
  });
}

/** A startup probe: up to `seconds` for the service to answer `path`, e.g. while it runs its migrations. */
export function startupProbe(path: string, port: number, seconds: number): kplus.Probe {
  return httpProbe(path, port, { failureThreshold: Math.ceil(seconds / 5), periodSeconds: 5 });
}

/** Requests and limits: `cpu` in millicores (request; the limit is `cpuLimit`), memory in MiB. */
export function resources(cpu: number, cpuLimit: number, memory: number, memoryLimit: number): kplus.ContainerResources {
  return {
    cpu: { request: kplus.Cpu.millis(cpu), limit: kplus.Cpu.millis(cpuLimit) },
    memory: { request: Size.mebibytes(memory), limit: Size.mebibytes(memoryLimit) },
  };
}
