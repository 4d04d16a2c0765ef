import { Stack, Token, aws_ecr as ecr, aws_iam as iam } from 'aws-cdk-lib';
import { Construct } from 'constructs';
import { checkSecret } from '../../private/arn-checks';
import { configError } from '../../private/errors';
import { acknowledgeWildcardResources } from '../../private/nag';
import { SupabaseImageCacheOptions } from '../image-cache';

const DEFAULT_PREFIX = 'docker-hub';
/** ECR's rule for a repository prefix (CreatePullThroughCacheRule: 2 to 30 characters). */
const PREFIX_PATTERN = /^(?=.{2,30}$)[a-z0-9]+(?:[._-][a-z0-9]+)*$/;
const CREDENTIAL_PREFIX = 'ecr-pullthroughcache/';
/** The host names that mean Docker Hub in an image reference. */
const DOCKER_HUB_HOSTS = new Set(['docker.io', 'index.docker.io', 'registry-1.docker.io']);

/** An image cache of a cluster: the rule, and where the images are pulled from. */
export interface ImageCache {
  readonly rule: ecr.CfnPullThroughCacheRule;
  /** `<account>.dkr.ecr.<region>.<url suffix>`. */
  readonly registry: string;
  readonly repositoryPrefix: string;
}

/**
 * The pull-through cache rule for Docker Hub, and the nodes' right to fill it: the first pull of an image through
 * the rule creates its repository and imports the image (`ecr:CreateRepository`, `ecr:BatchImportUpstreamImage`,
 * Amazon ECR User Guide, "IAM permissions required to sync an upstream registry"), on the prefix's repositories only.
 */
export function createImageCache(scope: Construct, nodeRole: iam.IRole, options: SupabaseImageCacheOptions): ImageCache {
  const repositoryPrefix = options.repositoryPrefix ?? DEFAULT_PREFIX;
  if (!Token.isUnresolved(repositoryPrefix) && !PREFIX_PATTERN.test(repositoryPrefix)) {
    throw configError(scope, `\`imageCache.repositoryPrefix\` '${repositoryPrefix}' is not an ECR repository prefix (2 to 30 lowercase letters and digits, separated by single '.', '_' or '-'). Use e.g. 'docker-hub'.`);
  }
  const credentials = options.dockerHubCredentials;
  const credentialArn = credentials.secretFullArn;
  if (credentialArn === undefined) {
    throw configError(scope, `\`imageCache.dockerHubCredentials\` '${credentials.secretName}' has no complete ARN; ECR needs the secret's full ARN, with its six-character suffix. Import it with secretsmanager.Secret.fromSecretCompleteArn(scope, id, 'arn:aws:secretsmanager:<region>:<account>:secret:ecr-pullthroughcache/docker-hub-AbCdEf').`);
  }
  if (!Token.isUnresolved(credentials.secretName) && !credentials.secretName.startsWith(CREDENTIAL_PREFIX)) {
    throw configError(scope, `\`imageCache.dockerHubCredentials\` is named '${credentials.secretName}'; ECR reads only secrets whose names start with '${CREDENTIAL_PREFIX}'. Store the Docker Hub credential as e.g. '${CREDENTIAL_PREFIX}docker-hub'.`);
  }
  checkSecret(scope, 'imageCache.dockerHubCredentials', credentials, { regionOf: 'the ECR registry', regionWhy: 'a pull-through cache rule reads its credential in its own region' });
  const stack = Stack.of(scope);
  const rule = new ecr.CfnPullThroughCacheRule(scope, 'ImageCacheRule', {
    ecrRepositoryPrefix: repositoryPrefix,
    upstreamRegistry: 'docker-hub',
    upstreamRegistryUrl: 'registry-1.docker.io',
    credentialArn,
  });
  const repositories = stack.formatArn({ service: 'ecr', resource: 'repository', resourceName: `${repositoryPrefix}/*` });
  nodeRole.addToPrincipalPolicy(new iam.PolicyStatement({
    sid: 'FillTheImageCache',
    actions: ['ecr:CreateRepository', 'ecr:BatchImportUpstreamImage'],
    resources: [repositories],
  }));
  acknowledgeWildcardResources(nodeRole, [repositories],
    `The first pull of an image through the pull-through cache creates its repository under ${repositoryPrefix}/ and imports the image from Docker Hub; the repositories' names follow the images', under that prefix only.`);
  return { rule, registry: `${stack.account}.dkr.ecr.${stack.region}.${stack.urlSuffix}`, repositoryPrefix };
}

/**
 * The reference a node pulls `image` by through the cache: a Docker Hub image (no registry host, or docker.io)
 * becomes `<registry>/<prefix>/<namespace>/<name>` (official images under `library/`, which ECR requires); an image
 * of any other registry is left as it is.
 */
export function cachedImageReference(image: string, cache: Pick<ImageCache, 'registry' | 'repositoryPrefix'>): string {
  if (Token.isUnresolved(image)) {
    return image;
  }
  const slash = image.indexOf('/');
  const first = slash < 0 ? '' : image.slice(0, slash);
  // A first component with a dot or a colon, or 'localhost', names a registry host (the Docker reference grammar).
  const host = first && (first.includes('.') || first.includes(':') || first === 'localhost') ? first : undefined;
  if (host !== undefined && !DOCKER_HUB_HOSTS.has(host)) {
    return image;
  }
  const path = host === undefined ? image : image.slice(slash + 1);
  const repository = path.includes('/') ? path : `library/${path}`;
  return `${cache.registry}/${cache.repositoryPrefix}/${repository}`;
}
