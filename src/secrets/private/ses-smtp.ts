import {
  CustomResource,
  Duration,
  RemovalPolicy,
  Stack,
  Validations,
  aws_iam as iam,
  aws_kms as kms,
  aws_logs as logs,
  aws_secretsmanager as secretsmanager,
} from 'aws-cdk-lib';
import { Construct } from 'constructs';
import { functionLogsAndRole } from '../../private/function-role';
import { keyUseThroughSecretsManager } from '../../private/kms';
import { SesSmtpCredentialFunction } from '../ses-smtp-credential-function';

/** What the credential needs from its SupabaseSecrets. */
export interface SesSmtpCredentialProps {
  /** The secret's name: `<prefix>/ses-smtp/<region>` (SMTP passwords are per region, so never replicated). */
  readonly secretName: string;
  readonly encryptionKey: kms.IKey;
  readonly removalPolicy: RemovalPolicy;
  /** The only sender address the credential may send from. */
  readonly fromAddress: string;
}

/**
 * An Amazon SES SMTP credential of this region, made in AWS: an IAM user that may send only from `fromAddress`
 * through SES here, and a custom resource that creates its access key, derives the SMTP password from it and stores
 * both the user name (the key's id) and the password in a secret. Neither the key's secret nor the password is ever
 * in a template, a response or a log.
 */
export class SesSmtpCredential extends Construct {
  /** `{"username": <access key id>, "password": <SMTP password>}`. */
  public readonly secret: secretsmanager.Secret;
  /** The SMTP user name (the access key's id: not a secret). */
  public readonly username: string;
  /** The IAM user whose key the credential is. */
  public readonly user: iam.User;

  constructor(scope: Construct, id: string, props: SesSmtpCredentialProps) {
    super(scope, id);
    const stack = Stack.of(this);
    const domain = props.fromAddress.split('@')[1];
    this.user = new iam.User(this, 'User');
    // SMTP sends with SendRawEmail; a verified domain or address identity of this region, and this sender only.
    this.user.addToPrincipalPolicy(new iam.PolicyStatement({
      actions: ['ses:SendRawEmail'],
      resources: [domain, props.fromAddress].map((identity) => stack.formatArn({ service: 'ses', resource: 'identity', resourceName: identity })),
      conditions: { StringEquals: { 'ses:FromAddress': props.fromAddress } },
    }));

    this.secret = new secretsmanager.Secret(this, 'Secret', {
      secretName: props.secretName,
      description: `Amazon SES SMTP credential of ${stack.region} for ${props.fromAddress} (user name and password)`,
      encryptionKey: props.encryptionKey,
      removalPolicy: props.removalPolicy,
      // A placeholder until the custom resource stores the credential (right after creation).
      generateSecretString: { secretStringTemplate: '{}', generateStringKey: 'placeholder', passwordLength: 16, excludePunctuation: true },
    });
    Validations.of(this.secret).acknowledge({
      id: 'AwsSolutions-SMG4',
      reason: 'The SMTP password is derived from the IAM user\'s access key by the custom resource; a new credential is made by replacing that resource (a new key, and CloudFormation deletes the old one), not by a rotation schedule.',
    });

    const { logGroup, role } = functionLogsAndRole(this, {
      logGroupId: 'Logs',
      roleId: 'Role',
      description: 'Makes the Supabase SES SMTP credential',
      retention: logs.RetentionDays.ONE_YEAR,
      removalPolicy: props.removalPolicy,
    });
    role.addToPrincipalPolicy(new iam.PolicyStatement({
      actions: ['iam:CreateAccessKey', 'iam:DeleteAccessKey'],
      resources: [this.user.userArn],
    }));
    role.addToPrincipalPolicy(new iam.PolicyStatement({
      actions: ['secretsmanager:PutSecretValue'],
      resources: [this.secret.secretArn],
    }));
    role.addToPrincipalPolicy(keyUseThroughSecretsManager(stack, props.encryptionKey, ['kms:GenerateDataKey', 'kms:Encrypt']));
    const fn = new SesSmtpCredentialFunction(this, 'Function', {
      description: 'Makes the Supabase SES SMTP credential: an access key, and the SMTP password derived from it',
      role,
      logGroup,
      timeout: Duration.minutes(1),
      memorySize: 256,
    });
    const credential = new CustomResource(this, 'Resource', {
      serviceToken: fn.functionArn,
      resourceType: 'Custom::SupabaseSesSmtpCredential',
      properties: { UserName: this.user.userName, SecretArn: this.secret.secretArn, Region: stack.region },
    });
    this.username = credential.getAttString('Username');
  }
}
