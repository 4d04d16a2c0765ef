import { ArnFormat, Stack, aws_iam as iam, aws_kms as kms } from 'aws-cdk-lib';
import { IConstruct } from 'constructs';

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
