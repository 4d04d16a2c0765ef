/** The spec of SupabaseSecrets' props for the props check (src/private/props-check.ts); kept out of the jsii API. */
import { RemovalPolicy } from 'aws-cdk-lib';
import { PropsSpec, REPLICA_REGION_SPEC, arrayOf, construct, enumOf, object, required, requiredOwnCheck } from '../../private/props-check';
import { SupabaseSecretsProps } from '../secrets-props';
import { SupabaseSigningKeys } from '../signing-keys-settings';
import { SupabaseSesSmtpSettings, SupabaseSmtpSettings } from '../smtp';

const SMTP_SPEC: PropsSpec<SupabaseSmtpSettings> = {
  host: required('string'),
  port: 'number',
  user: required('string'),
  password: requiredOwnCheck(construct('secretsmanager.ISecret')), // its own check says what the secret holds
  passwordField: 'string',
  adminEmail: required('string'),
  senderName: 'string',
};

const SES_SMTP_SPEC: PropsSpec<SupabaseSesSmtpSettings> = {
  adminEmail: required('string'),
  senderName: 'string',
};

const SIGNING_KEYS_SPEC: PropsSpec<SupabaseSigningKeys> = {
  inUse: 'string',
  standby: arrayOf('string'),
  previouslyUsed: arrayOf('string'),
  secretApiKeys: arrayOf('string'),
};

export const SECRETS_PROPS_SPEC: PropsSpec<SupabaseSecretsProps> = {
  secretNamePrefix: 'string',
  encryptionKey: construct('kms.IKey'),
  removalPolicy: enumOf('RemovalPolicy', RemovalPolicy),
  jwtSecretLength: 'number',
  apiKeyLifetime: 'Duration',
  replicaRegions: arrayOf(object('secretsmanager.ReplicaRegion', REPLICA_REGION_SPEC)),
  primaryRegion: 'string',
  smtp: object('SupabaseSmtpSettings', SMTP_SPEC),
  sesSmtp: object('SupabaseSesSmtpSettings', SES_SMTP_SPEC),
  samlSigningKey: 'boolean',
  signingKeys: object('SupabaseSigningKeys', SIGNING_KEYS_SPEC),
  dashboardUsername: 'string',
};
