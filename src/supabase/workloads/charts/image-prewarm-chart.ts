import { createHash } from 'node:crypto';
import { Chart, Duration, Size } from 'cdk8s';
import * as kplus from 'cdk8s-plus-28';
import { Construct } from 'constructs';
import { IMAGE_CONTRACTS, SupabaseService } from '../private/image-contract';

/** What the pre-warming Job pulls. */
export interface ImagePrewarmChartProps {
  readonly namespace: string;
  /** The image of each service the deployment runs, as the nodes pull it (through the cluster's cache, if any). */
  readonly images: Partial<Record<SupabaseService, string>>;
}

/** Nobody: the containers only have to start and exit. */
const NOBODY = 65534;

/**
 * A command each pinned image has (its contract's `tools`) that exits at once: the Job only has to make the kubelet
 * pull the image. PostgREST's image has no shell, only its binary.
 */
export function prewarmCommand(service: SupabaseService): string[] {
  const tools = IMAGE_CONTRACTS[service].tools;
  if (tools.includes('sh')) {
    return ['sh', '-c', 'exit 0'];
  }
  if (tools.includes('/bin/postgrest')) {
    return ['/bin/postgrest', '--version'];
  }
  throw new Error(`No command known to exit at once in the ${service} image: add one to prewarmCommand`);
}

/**
 * The Job's name: `image-prewarm-` and a hash of the services' images. A token in an image (the registry's domain
 * suffix, an environment-agnostic account) is hashed by its name, without the counter that numbers tokens in the
 * order they were made (which differs between syntheses), so that the same images always give the same name.
 */
export function prewarmJobName(entries: [string, string][]): string {
  const stable = (image: string) => image.replace(/\$\{Token\[([^\]]*?)\.\d+\]\}/g, '$${Token[$1]}');
  const hash = createHash('sha256').update(entries.map(([s, i]) => `${s}=${stable(i)}`).join('\n')).digest('hex').slice(0, 10);
  return `image-prewarm-${hash}`;
}

/**
 * A standby's image pre-pull: a Job whose one pod runs a container of every service's image and exits, so that the
 * images are pulled when the standby is deployed (into the cluster's ECR pull-through cache, and onto a node), not
 * when a disaster scales the services up. Its name carries a hash of the images, so that a new image is pulled by a
 * new Job; a finished Job is removed after an hour. Should a container of an image other than the pinned one fail to
 * run its command, the image has still been pulled, which is all the Job is for.
 */
export class ImagePrewarmChart extends Chart {
  /** The Job's name. */
  public readonly jobName: string;

  constructor(scope: Construct, id: string, props: ImagePrewarmChartProps) {
    super(scope, id, { namespace: props.namespace });
    const entries = (Object.entries(props.images) as [SupabaseService, string][]).filter(([, image]) => image !== undefined);
    this.jobName = prewarmJobName(entries);
    const labels = { 'app.kubernetes.io/name': 'image-prewarm', 'app.kubernetes.io/part-of': 'supabase' };
    new kplus.Job(this, 'job', {
      metadata: { name: this.jobName, labels },
      podMetadata: { labels },
      backoffLimit: 0,
      activeDeadline: Duration.minutes(30),
      ttlAfterFinished: Duration.hours(1),
      automountServiceAccountToken: false,
      securityContext: { ensureNonRoot: true, user: NOBODY, group: NOBODY },
      containers: entries.map(([service, image]) => ({
        name: service,
        image,
        imagePullPolicy: kplus.ImagePullPolicy.IF_NOT_PRESENT,
        command: prewarmCommand(service),
        resources: {
          cpu: { request: kplus.Cpu.millis(10), limit: kplus.Cpu.millis(100) },
          memory: { request: Size.mebibytes(16), limit: Size.mebibytes(64) },
        },
        securityContext: {
          ensureNonRoot: true,
          user: NOBODY,
          group: NOBODY,
          readOnlyRootFilesystem: true,
          allowPrivilegeEscalation: false,
          privileged: false,
          capabilities: { drop: [kplus.Capability.ALL] },
          seccompProfile: { type: kplus.SeccompProfileType.RUNTIME_DEFAULT },
        },
      })),
    });
  }
}
