import { ArnFormat, RemovalPolicy, Stack, aws_iam as iam, aws_kms as kms } from 'aws-cdk-lib';
import { Construct, IConstruct } from 'constructs';

/**
 * Lets CloudWatch Logs of the scope's account and region encrypt log groups with `key`, and nothing else.
 * A no-op for an imported key, whose policy this stack cannot change.
 */
export function allowCloudWatchLogs(scope: IConstruct, key: kms.IKey): void {
  const stack = Stack.of(scope);
  key.addToResourcePolicy(new iam.PolicyStatement({
    sid: 'AllowCloudWatchLogsOfThisAccountAndRegion',
    principals: [new iam.ServicePrincipal(`logs.${stack.region}.amazonaws.com`)],
    actions: ['kms:Encrypt*', 'kms:Decrypt*', 'kms:ReEncrypt*', 'kms:GenerateDataKey*', 'kms:Describe*'],
    resources: ['*'],
    conditions: {
      ArnLike: {
        'kms:EncryptionContext:aws:logs:arn': stack.formatArn({
          service: 'logs', resource: 'log-group', resourceName: '*', arnFormat: ArnFormat.COLON_RESOURCE_NAME,
        }),
      },
    },
  }));
}

/** What {@link createKey} needs to know. */
export interface KeyOptions {
  /** What the key encrypts, as its description says it. */
  readonly description: string;
  /** The last part of the alias: what the key is for (`flow-logs`, `database`, `storage`, ...). */
  readonly purpose: string;
  readonly removalPolicy: RemovalPolicy;
}

/**
 * A customer managed key with yearly rotation and the library's one alias scheme,
 * `alias/<stack name>/<construct path inside the stack>/<purpose>`: unique in an account and region, because stack
 * names are. (SupabaseSecrets' key is the one exception: its alias, `alias/<secretNamePrefix>`, is the name the other
 * region's stack uses to find it, and must not depend on either stack.)
 */
export function createKey(scope: Construct, id: string, options: KeyOptions): kms.Key {
  return new kms.Key(scope, id, {
    description: options.description,
    alias: keyAlias(`${stackScopedPath(scope)}/${options.purpose}`),
    enableKeyRotation: true,
    removalPolicy: options.removalPolicy,
  });
}

/** `alias/<name>`, with every character KMS does not allow in an alias replaced by '-'. */
export function keyAlias(name: string): string {
  return `alias/${name}`.replace(/[^a-zA-Z0-9:/_-]/g, '-');
}

/** `<stack name>/<path of scope inside its stack>`. */
function stackScopedPath(scope: IConstruct): string {
  const stack = Stack.of(scope);
  const inside = scope.node.path.slice(stack.node.path.length + 1);
  return inside ? `${stack.stackName}/${inside}` : stack.stackName;
}

/**
 * The statement that lets a role use `key` for `actions` only through Secrets Manager in `scope`'s region
 * (`kms:ViaService`): how every function and service of the library reads or writes a secret encrypted with a
 * customer managed key, never the key directly.
 */
export function keyUseThroughSecretsManager(scope: IConstruct, key: kms.IKey, actions: string[], sid?: string): iam.PolicyStatement {
  return new iam.PolicyStatement({
    sid,
    actions,
    resources: [key.keyArn],
    conditions: { StringEquals: { 'kms:ViaService': `secretsmanager.${Stack.of(scope).region}.amazonaws.com` } },
  });
}
