/**
 * SupabaseCluster `imageCache`: an ECR pull-through cache rule for Docker Hub, the nodes' right to fill it, the
 * image references the nodes pull, and the mistakes caught at synth.
 */
import { App, Stack, aws_secretsmanager as secretsmanager } from 'aws-cdk-lib';
import { Match, Template } from 'aws-cdk-lib/assertions';
import { AwsSolutionsChecks } from 'cdk-nag';
import { SupabaseNetwork } from '../../src';
import { SupabaseCluster, SupabaseClusterProps } from '../../src/eks';
import { cachedImageReference } from '../../src/eks/private/image-cache';

const ACCOUNT = '111122223333';
const AZS = ['eu-west-1a', 'eu-west-1b', 'eu-west-1c'];
const CREDENTIAL_ARN = `arn:aws:secretsmanager:eu-west-1:${ACCOUNT}:secret:ecr-pullthroughcache/docker-hub-AbCdEf`;
const REGISTRY = `${ACCOUNT}.dkr.ecr.eu-west-1.amazonaws.com`;
/** A reference through the cache as CloudFormation resolves it: the registry's domain is the partition's (AWS::URLSuffix). */
const viaCache = (path: string) => ({ 'Fn::Join': ['', [`${ACCOUNT}.dkr.ecr.eu-west-1.`, { Ref: 'AWS::URLSuffix' }, `/${path}`]] });

function synth(imageCache: (stack: Stack) => SupabaseClusterProps['imageCache']) {
  const app = new App({ context: { [`availability-zones:account=${ACCOUNT}:region=eu-west-1`]: AZS } });
  const stack = new Stack(app, 'Supa', { env: { account: ACCOUNT, region: 'eu-west-1' } });
  const network = new SupabaseNetwork(stack, 'Network');
  const cluster = new SupabaseCluster(stack, 'Cluster', { vpc: network.vpc, vpcSubnets: network.eksSubnets, imageCache: imageCache(stack) });
  return { stack, cluster };
}
const credentials = (stack: Stack, arn = CREDENTIAL_ARN) => secretsmanager.Secret.fromSecretCompleteArn(stack, 'DockerHub', arn);

describe('with an image cache', () => {
  const { stack, cluster } = synth((s) => ({ dockerHubCredentials: credentials(s) }));
  const template = Template.fromStack(stack);

  test('one pull-through cache rule for Docker Hub, under docker-hub/, with the credential\'s full ARN', () => {
    template.resourceCountIs('AWS::ECR::PullThroughCacheRule', 1);
    template.hasResourceProperties('AWS::ECR::PullThroughCacheRule', {
      EcrRepositoryPrefix: 'docker-hub',
      UpstreamRegistry: 'docker-hub',
      UpstreamRegistryUrl: 'registry-1.docker.io',
      CredentialArn: CREDENTIAL_ARN,
    });
    expect(cluster.imageCacheRule).toBeDefined();
  });

  test('the nodes may create and fill the cache\'s repositories, and nothing else of ECR beyond pulling', () => {
    const nodeRoleId = stack.getLogicalId(cluster.nodeRole.node.defaultChild as any);
    const statements = Object.values(template.findResources('AWS::IAM::Policy'))
      .filter((p: any) => (p.Properties.Roles ?? []).some((r: any) => r.Ref === nodeRoleId))
      .flatMap((p: any) => p.Properties.PolicyDocument.Statement);
    expect(statements).toEqual([{
      Sid: 'FillTheImageCache',
      Effect: 'Allow',
      Action: ['ecr:CreateRepository', 'ecr:BatchImportUpstreamImage'],
      Resource: { 'Fn::Join': ['', ['arn:', { Ref: 'AWS::Partition' }, `:ecr:eu-west-1:${ACCOUNT}:repository/docker-hub/*`]] },
    }]);
    template.hasResourceProperties('AWS::IAM::Role', {
      ManagedPolicyArns: Match.arrayWith([{ 'Fn::Join': ['', ['arn:', { Ref: 'AWS::Partition' }, ':iam::aws:policy/AmazonEC2ContainerRegistryPullOnly']] }]),
    });
  });

  test('Docker Hub images are pulled through it; other registries\' are not', () => {
    expect(stack.resolve(cluster.cachedImage('kong/kong:3.9.3'))).toEqual(viaCache('docker-hub/kong/kong:3.9.3'));
    expect(cluster.cachedImage('ghcr.io/supabase/realtime:v2')).toBe('ghcr.io/supabase/realtime:v2');
  });

  test('cdk-nag AwsSolutions finds nothing unacknowledged', () => {
    const errors = new AwsSolutionsChecks().validateScope(stack).violations.filter((v) => v.severity === 'error');
    expect(errors.map((v) => `${v.ruleName} ${v.violatingResources?.map((r) => r.resourceLogicalId).join(',')}`)).toEqual([]);
  });
});

test('without one, no rule and images as given', () => {
  const { stack, cluster } = synth(() => undefined);
  Template.fromStack(stack).resourceCountIs('AWS::ECR::PullThroughCacheRule', 0);
  expect(cluster.cachedImage('kong/kong:3.9.3')).toBe('kong/kong:3.9.3');
  expect(cluster.imageCacheRule).toBeUndefined();
});

test.each([
  ['kong/kong:3.9.3', `${REGISTRY}/docker-hub/kong/kong:3.9.3`],
  ['supabase/gotrue:v2.196.0', `${REGISTRY}/docker-hub/supabase/gotrue:v2.196.0`],
  ['nginx:1.27', `${REGISTRY}/docker-hub/library/nginx:1.27`],
  ['docker.io/library/nginx:1.27', `${REGISTRY}/docker-hub/library/nginx:1.27`],
  ['docker.io/postgrest/postgrest:v14.17', `${REGISTRY}/docker-hub/postgrest/postgrest:v14.17`],
  ['index.docker.io/darthsim/imgproxy:v3.31.4', `${REGISTRY}/docker-hub/darthsim/imgproxy:v3.31.4`],
  ['supabase/studio@sha256:0123', `${REGISTRY}/docker-hub/supabase/studio@sha256:0123`],
  ['public.ecr.aws/supabase/gotrue:v2.196.0', 'public.ecr.aws/supabase/gotrue:v2.196.0'],
  ['111122223333.dkr.ecr.eu-west-1.amazonaws.com/functions:1', '111122223333.dkr.ecr.eu-west-1.amazonaws.com/functions:1'],
  ['localhost:5000/x:1', 'localhost:5000/x:1'],
  ['localhost/x:1', 'localhost/x:1'],
])('%s is pulled as %s', (image, expected) => {
  expect(cachedImageReference(image, { registry: REGISTRY, repositoryPrefix: 'docker-hub' })).toBe(expected);
});

describe('mistakes caught at synth', () => {
  test('a credential imported by name: ECR needs the full ARN', () => {
    expect(() => synth((s) => ({ dockerHubCredentials: secretsmanager.Secret.fromSecretNameV2(s, 'DockerHub', 'ecr-pullthroughcache/docker-hub') })))
      .toThrow(/`imageCache.dockerHubCredentials` 'ecr-pullthroughcache\/docker-hub' has no complete ARN; ECR needs the secret's full ARN.*fromSecretCompleteArn/);
  });

  test('a credential whose name ECR does not read', () => {
    expect(() => synth((s) => ({ dockerHubCredentials: credentials(s, `arn:aws:secretsmanager:eu-west-1:${ACCOUNT}:secret:docker-hub-token-AbCdEf`) })))
      .toThrow(/is named 'docker-hub-token'; ECR reads only secrets whose names start with 'ecr-pullthroughcache\/'/);
  });

  test.each(['Docker-Hub', 'd', 'docker--hub', 'a'.repeat(31)])('a repository prefix ECR refuses: %s', (prefix) => {
    expect(() => synth((s) => ({ dockerHubCredentials: credentials(s), repositoryPrefix: prefix })))
      .toThrow(/`imageCache.repositoryPrefix` '.*' is not an ECR repository prefix/);
  });

  test('another prefix is taken as given', () => {
    const { stack, cluster } = synth((s) => ({ dockerHubCredentials: credentials(s), repositoryPrefix: 'hub.mirror' }));
    Template.fromStack(stack).hasResourceProperties('AWS::ECR::PullThroughCacheRule', { EcrRepositoryPrefix: 'hub.mirror' });
    expect(stack.resolve(cluster.cachedImage('kong/kong:3.9.3'))).toEqual(viaCache('hub.mirror/kong/kong:3.9.3'));
  });
});
