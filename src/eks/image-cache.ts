import { aws_secretsmanager as secretsmanager } from 'aws-cdk-lib';

/**
 * An Amazon ECR pull-through cache for the container images of Docker Hub (`SupabaseClusterOptions.imageCache`): the
 * nodes pull `<account>.dkr.ecr.<region>.amazonaws.com/<repositoryPrefix>/<image>` instead of Docker Hub, and ECR
 * fetches each image from Docker Hub once, then serves it from the region. New nodes then pull from ECR, inside
 * AWS, without Docker Hub's limits on anonymous pulls or a dependency on its availability once an image is cached.
 */
export interface SupabaseImageCacheOptions {
  /**
   * The Docker Hub credential ECR authenticates with: a Secrets Manager secret of this region whose name starts with
   * `ecr-pullthroughcache/`, holding `{"username": "...", "accessToken": "..."}` (a Docker Hub access token with
   * read-only public repository access). ECR requires a credential for Docker Hub. Create it yourself and import it
   * with its complete ARN (`secretsmanager.Secret.fromSecretCompleteArn`): ECR takes the full ARN. ECR reads it with
   * its service-linked role, so encrypt it with the AWS managed key `aws/secretsmanager` (the default). Its service
   * and region are checked at synth.
   */
  readonly dockerHubCredentials: secretsmanager.ISecret;

  /**
   * The ECR repository prefix of the cached images (`<prefix>/kong/kong`, ...). A prefix is one rule per registry
   * and region: pick another if the account already has a pull-through cache rule with this one.
   *
   * @default 'docker-hub'
   */
  readonly repositoryPrefix?: string;
}
