import {
  ArnFormat,
  Stack,
  Token,
  aws_iam as iam,
  aws_kms as kms,
  aws_sns as sns,
  aws_sns_subscriptions as subscriptions,
} from 'aws-cdk-lib';
import { Construct } from 'constructs';
import { configError } from '../../../private/errors';
import { WARNINGS, warn } from '../../../private/warnings';

/**
 * The topic the alarms notify: `topic`, or a new one in `scope` encrypted with `key`. This account's CloudWatch
 * alarms may publish to it, and each of `emails` is subscribed.
 */
export function alarmTopic(scope: Construct, key: kms.IKey, topic: sns.ITopic | undefined, emails: string[]): sns.ITopic {
  const result = topic ?? createTopic(scope, key);
  allowAlarmsToPublish(scope, result);
  for (const [i, email] of emails.entries()) {
    if (!Token.isUnresolved(email) && !/^[^@\s]+@[^@\s]+\.[^@\s]+$/.test(email)) {
      throw configError(scope, `\`alarmEmails[${i}]\` is not an email address, got '${email}'. Use e.g. 'oncall@example.com'.`);
    }
    result.addSubscription(new subscriptions.EmailSubscription(email));
  }
  return result;
}

function createTopic(scope: Construct, key: kms.IKey): sns.Topic {
  // CloudWatch publishes to an encrypted topic only with a customer managed key that lets it (alias/aws/sns does not).
  const { statementAdded } = key.addToResourcePolicy(new iam.PolicyStatement({
    sid: 'AllowCloudWatchAlarmsToPublish',
    principals: [new iam.ServicePrincipal('cloudwatch.amazonaws.com')],
    actions: ['kms:Decrypt', 'kms:GenerateDataKey*'],
    resources: ['*'],
    conditions: { StringEquals: { 'aws:SourceAccount': Stack.of(scope).account } },
  }));
  if (!statementAdded) {
    throw configError(scope, '`encryptionKey` is imported, so its key policy cannot be given the statement that lets CloudWatch alarms use it, and the alarm topic encrypted with it would take no notification. '
      + 'Pass a key defined in this app, or create the topic yourself with a key whose policy allows cloudwatch.amazonaws.com kms:Decrypt and kms:GenerateDataKey*, and pass it as `alarmTopic`.');
  }
  return new sns.Topic(scope, 'AlarmTopic', {
    displayName: `Supabase alarms of ${scope.node.path}`,
    masterKey: key,
    enforceSSL: true,
  });
}

/**
 * Lets this account's CloudWatch alarms in this region publish to the topic. A topic policy replaces SNS's default
 * one (which lets the account's principals publish), so without this statement a topic with any policy, such as
 * the TLS-only one, refuses every alarm notification.
 */
function allowAlarmsToPublish(scope: Construct, topic: sns.ITopic): void {
  const stack = Stack.of(scope);
  const { statementAdded } = topic.addToResourcePolicy(new iam.PolicyStatement({
    sid: 'AllowCloudWatchAlarmsOfThisAccount',
    principals: [new iam.ServicePrincipal('cloudwatch.amazonaws.com')],
    actions: ['sns:Publish'],
    resources: [topic.topicArn],
    conditions: {
      StringEquals: { 'aws:SourceAccount': stack.account },
      ArnLike: { 'aws:SourceArn': stack.formatArn({ service: 'cloudwatch', resource: 'alarm', resourceName: '*', arnFormat: ArnFormat.COLON_RESOURCE_NAME }) },
    },
  }));
  if (!statementAdded) {
    warn(scope, WARNINGS.observabilityImportedTopic,
      'The alarm topic is imported, so its policy cannot be checked or changed here: it must allow cloudwatch.amazonaws.com to sns:Publish (for this account\'s alarms), and its KMS key, if any, must let cloudwatch.amazonaws.com use it. Otherwise no alarm notifies anyone.');
  }
}
