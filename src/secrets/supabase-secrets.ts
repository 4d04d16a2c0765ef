import {
  CustomResource,
  Duration,
  RemovalPolicy,
  Stack,
  Token,
  Validations,
  aws_iam as iam,
  aws_kms as kms,
  aws_logs as logs,
  aws_secretsmanager as secretsmanager,
} from 'aws-cdk-lib';
import { Construct } from 'constructs';
import { ApiKeysFunction } from './api-keys-function';
import { validateSecretsArns } from './private/arn-validation';
import { SECRETS_PROPS_SPEC } from './private/props-spec';
import { SamlKeyGeneration } from './private/saml-key';
import { SesSmtpCredential } from './private/ses-smtp';
import { validateSecretsSettings } from './private/settings-validation';
import { SigningKeysGeneration } from './private/signing-keys';
import { validateSigningKeys } from './private/signing-keys-validation';
import { SupabaseSecretsProps } from './secrets-props';
import { SupabaseSesSmtpSettings, SupabaseSmtpSettings } from './smtp';
import { configError } from '../private/errors';
import { functionLogsAndRole } from '../private/function-role';
import { grantSecretsRead } from '../private/grant-secrets';
import { keyUseThroughSecretsManager } from '../private/kms';
import { checkProps } from '../private/props-check';
import { SECRET_NAME_PATTERN } from '../private/secret-names';

const DEFAULT_JWT_SECRET_LENGTH = 64;
const MIN_JWT_SECRET_LENGTH = 32;
const DEFAULT_API_KEY_LIFETIME = Duration.days(5 * 365);
const JWT_ISSUER = 'supabase';

/**
 * Every secret Supabase needs (JWT secret, API keys signed from it, Realtime, postgres-meta and dashboard
 * secrets, optionally Auth's SAML signing key), generated in AWS and kept in Secrets Manager under one KMS key, optionally replicated to a
 * disaster-recovery region. No secret value ever appears in a template. See docs/network-and-secrets.md.
 *
 * @example
 * const secrets = new SupabaseSecrets(this, 'Secrets', {
 *   replicaRegions: [{ region: 'eu-central-1' }],
 * });
 * declare const externalSecretsRole: iam.IRole;
 * secrets.grantRead(externalSecretsRole);
 */
export class SupabaseSecrets extends Construct {
  /** The KMS key that encrypts every secret of this construct. */
  public readonly encryptionKey: kms.IKey;
  /** The JWT secret: JSON field `jwtSecret`. */
  public readonly jwtSecret: secretsmanager.ISecret;
  /** The API keys: JSON fields `anonKey` and `serviceRoleKey`, signed with the JWT secret. */
  public readonly apiKeys: secretsmanager.ISecret;
  /** Realtime's `SECRET_KEY_BASE`: JSON field `secretKeyBase`. */
  public readonly realtimeSecretKeyBase: secretsmanager.ISecret;
  /** Realtime's `DB_ENC_KEY`: JSON field `dbEncKey`, exactly 16 characters. */
  public readonly realtimeDbEncKey: secretsmanager.ISecret;
  /** postgres-meta's `CRYPTO_KEY`: JSON field `cryptoKey`. */
  public readonly metaCryptoKey: secretsmanager.ISecret;
  /** The Studio dashboard's basic authentication: JSON fields `username` and `password`. */
  public readonly dashboard: secretsmanager.ISecret;
  /**
   * Auth's SAML signing key (`samlSigningKey`): JSON field `privateKey`, the standard base64 of an RSA-2048 key's
   * PKCS#1 DER (`GOTRUE_SAML_PRIVATE_KEY`). Undefined unless `samlSigningKey` is true.
   */
  public readonly samlSigningKey?: secretsmanager.ISecret;
  /**
   * The asymmetric signing keys and opaque API keys (`signingKeys`): a JSON document whose fields each service's
   * Secret takes (`jwtKeys`, `jwks`, `publishableKey`, `secretKey_<name>`, ...; see docs/network-and-secrets.md).
   * Undefined unless `signingKeys` is set.
   */
  public readonly signingKeys?: secretsmanager.ISecret;
  /** The names of the secret API keys, the default one first; empty unless `signingKeys` is set. */
  public readonly secretApiKeyNames: string[];
  /**
   * The SMTP settings, when given: `smtp` (the password stays in the caller's secret), or those of the SES
   * credential made with `sesSmtp` (its secret's `password` field).
   */
  public readonly smtp?: SupabaseSmtpSettings;
  /** The prefix of every secret's name. */
  public readonly secretNamePrefix: string;
  /** The primary secrets' region when these are their replicas; undefined for the primary. */
  public readonly primaryRegion?: string;
  /** The regions the secrets are replicated to (`replicaRegions`). */
  public readonly replicaRegions: string[];

  private readonly secrets: secretsmanager.ISecret[] = [];

  constructor(scope: Construct, id: string, props: SupabaseSecretsProps = {}) {
    super(scope, id);
    checkProps(this, props, SECRETS_PROPS_SPEC, 'SupabaseSecretsProps');
    validateSecretsArns(this, props);
    this.primaryRegion = this.validateReplicaMode(props);
    const jwtSecretLength = this.validateJwtSecretLength(props.jwtSecretLength);
    const lifetime = this.validateApiKeyLifetime(props.apiKeyLifetime);
    this.replicaRegions = (props.replicaRegions ?? []).map((r) => r.region);
    const smtp = this.validateSmtp(props.smtp, props.sesSmtp);
    validateSecretsSettings(this, props);
    const signingKeys = props.signingKeys ? validateSigningKeys(this, props.signingKeys) : undefined;
    this.secretApiKeyNames = signingKeys?.secretApiKeys ?? [];
    this.secretNamePrefix = this.validateSecretNamePrefix(
      props.secretNamePrefix ?? `supabase/${this.node.path.replace(/[^a-zA-Z0-9/_+=.@-]/g, '-')}`,
    );
    const removalPolicy = props.removalPolicy ?? RemovalPolicy.RETAIN;

    this.encryptionKey = props.encryptionKey ?? this.createKey(removalPolicy, !this.primaryRegion);
    this.smtp = props.sesSmtp ? this.sesCredential(props.sesSmtp, removalPolicy) : smtp;

    const generated = (secretId: string, name: string, description: string, options: secretsmanager.SecretStringGenerator) => {
      if (this.primaryRegion) {
        // The replica in this region of the primary's secret: same name, same value, this region's key.
        const replica = secretsmanager.Secret.fromSecretNameV2(this, secretId, `${this.secretNamePrefix}/${name}`);
        this.secrets.push(replica);
        return replica;
      }
      const secret = new secretsmanager.Secret(this, secretId, {
        secretName: `${this.secretNamePrefix}/${name}`,
        description,
        encryptionKey: this.encryptionKey,
        replicaRegions: props.replicaRegions,
        removalPolicy,
        generateSecretString: options,
      });
      // Rotating these on a schedule would break a running deployment (see each acknowledgment's reason).
      this.secrets.push(secret);
      return secret;
    };

    this.jwtSecret = generated('JwtSecret', 'jwt', 'Supabase JWT secret (HS256); signs the API keys and every user session', {
      secretStringTemplate: '{}', generateStringKey: 'jwtSecret', passwordLength: jwtSecretLength, excludePunctuation: true,
    });
    acknowledgeRotation(this.jwtSecret, 'A new JWT secret invalidates the anon and service_role keys and every user session at once; it is rotated deliberately (new value, re-signed keys, rolled pods), never by a schedule.');

    this.apiKeys = generated('ApiKeys', 'api-keys', 'Supabase anon and service_role API keys, signed with the JWT secret by a custom resource', {
      // A random placeholder until the signing custom resource writes the keys (it runs right after creation).
      secretStringTemplate: '{}', generateStringKey: 'placeholder', passwordLength: 16, excludePunctuation: true,
    });
    acknowledgeRotation(this.apiKeys, 'The API keys are JWTs derived from the JWT secret and change only with it; clients embed the anon key, so it must stay valid for its whole lifetime.');

    this.realtimeSecretKeyBase = generated('RealtimeSecretKeyBase', 'realtime-secret-key-base', 'Supabase Realtime SECRET_KEY_BASE', {
      secretStringTemplate: '{}', generateStringKey: 'secretKeyBase', passwordLength: 64, excludePunctuation: true,
    });
    acknowledgeRotation(this.realtimeSecretKeyBase, 'Realtime signs its sessions with SECRET_KEY_BASE; a scheduled rotation would log every connected client out while pods still hold the old value.');

    this.realtimeDbEncKey = generated('RealtimeDbEncKey', 'realtime-db-enc-key', 'Supabase Realtime DB_ENC_KEY (encrypts tenant settings in its database)', {
      secretStringTemplate: '{}', generateStringKey: 'dbEncKey', passwordLength: 16, excludePunctuation: true,
    });
    acknowledgeRotation(this.realtimeDbEncKey, 'Realtime encrypts the tenant rows it stores with DB_ENC_KEY; a new key cannot decrypt them, so rotation would stop Realtime.');

    this.metaCryptoKey = generated('MetaCryptoKey', 'meta-crypto-key', 'Supabase postgres-meta CRYPTO_KEY', {
      secretStringTemplate: '{}', generateStringKey: 'cryptoKey', passwordLength: 32, excludePunctuation: true,
    });
    acknowledgeRotation(this.metaCryptoKey, 'postgres-meta and Studio must hold the same CRYPTO_KEY at all times; a scheduled rotation would break Studio until both restart.');

    this.dashboard = generated('Dashboard', 'dashboard', 'Supabase Studio dashboard basic authentication', {
      secretStringTemplate: Stack.of(this).toJsonString({ username: props.dashboardUsername ?? 'supabase' }),
      generateStringKey: 'password',
      passwordLength: 32,
      excludePunctuation: true,
    });
    acknowledgeRotation(this.dashboard, 'The dashboard password is read by the gateway at start; it is changed by an operator together with a gateway restart, not by a schedule.');

    if (props.samlSigningKey) {
      this.samlSigningKey = generated('SamlSigningKey', 'saml-signing-key', 'Supabase Auth SAML signing key (RSA private key), generated once by a custom resource', {
        // A random placeholder until the custom resource writes the key (it runs right after creation).
        secretStringTemplate: '{}', generateStringKey: 'placeholder', passwordLength: 16, excludePunctuation: true,
      });
      acknowledgeRotation(this.samlSigningKey, 'Every SAML identity provider trusts the certificate Auth derives from this key; a new key breaks each SSO connection until its provider is given the new metadata, so the key is changed deliberately with the providers, never by a schedule.');
    }

    if (signingKeys) {
      this.signingKeys = generated('SigningKeys', 'signing-keys', 'Supabase asymmetric JWT signing keys and opaque API keys, generated and rotated by a custom resource', {
        // A random placeholder until the custom resource writes the keys (it runs right after creation).
        secretStringTemplate: '{}', generateStringKey: 'placeholder', passwordLength: 16, excludePunctuation: true,
      });
      acknowledgeRotation(this.signingKeys, 'The signing keys rotate through their states (standby, in use, previously used) as `signingKeys` changes, so that no token in flight stops verifying; a scheduled rotation of the whole secret would skip the standby period and break every session.');
    }

    if (!this.primaryRegion) {
      this.signApiKeys(lifetime, removalPolicy);
      if (this.signingKeys && signingKeys) {
        new SigningKeysGeneration(this, 'SigningKeysGeneration', {
          secret: this.signingKeys,
          jwtSecret: this.jwtSecret,
          encryptionKey: this.encryptionKey,
          ...signingKeys,
          // The legacy keys stay on next to the new ones (turning them off is not offered yet).
          legacyApiKeys: true,
          issuer: JWT_ISSUER,
          lifetime,
          removalPolicy,
        });
      }
      if (this.samlSigningKey) {
        new SamlKeyGeneration(this, 'SamlKey', { secret: this.samlSigningKey, encryptionKey: this.encryptionKey, removalPolicy });
      }
    }
  }

  /** The secrets this construct replicates to `replicaRegions` (the SES credential's secret is never replicated). */
  public get replicatedSecrets(): secretsmanager.ISecret[] {
    return this.replicaRegions.length > 0 ? [...this.secrets] : [];
  }

  /**
   * Lets `grantee` read every secret of this construct (and the SMTP password secret) and decrypt them with
   * the key, through Secrets Manager only. This is what the External Secrets Operator's role needs.
   */
  public grantRead(grantee: iam.IGrantable): iam.Grant {
    const grant = grantSecretsRead(grantee, this.secrets, this.encryptionKey);
    this.smtp?.password.grantRead(grantee);
    return grant;
  }

  private createKey(removalPolicy: RemovalPolicy, multiRegion: boolean): kms.Key {
    const key = new kms.Key(this, 'Key', {
      description: `Encrypts the Supabase secrets of ${this.node.path}`,
      alias: `alias/${this.secretNamePrefix.replace(/[^a-zA-Z0-9:/_-]/g, '-')}`,
      enableKeyRotation: true,
      removalPolicy,
    });
    // A multi-Region primary key, so that the disaster-recovery region can hold a replica of the same key
    // material for the replicated secrets (this cannot be switched on later without replacing the key).
    if (multiRegion) {
      (key.node.defaultChild as kms.CfnKey).multiRegion = true;
    }
    return key;
  }

  private signApiKeys(lifetime: Duration, removalPolicy: RemovalPolicy) {
    const { logGroup, role } = functionLogsAndRole(this, {
      logGroupId: 'ApiKeysLogs',
      roleId: 'ApiKeysRole',
      description: 'Signs the Supabase API keys with the JWT secret',
      retention: logs.RetentionDays.ONE_YEAR,
      removalPolicy,
    });
    const fn = new ApiKeysFunction(this, 'ApiKeysFunction', {
      description: 'Signs the Supabase anon and service_role keys with the JWT secret',
      role,
      logGroup,
      timeout: Duration.minutes(1),
      memorySize: 256,
    });
    role.addToPrincipalPolicy(new iam.PolicyStatement({
      actions: ['secretsmanager:GetSecretValue'],
      resources: [this.jwtSecret.secretArn],
    }));
    role.addToPrincipalPolicy(new iam.PolicyStatement({
      actions: ['secretsmanager:GetSecretValue', 'secretsmanager:PutSecretValue'],
      resources: [this.apiKeys.secretArn],
    }));
    role.addToPrincipalPolicy(keyUseThroughSecretsManager(this, this.encryptionKey, ['kms:Decrypt', 'kms:GenerateDataKey']));
    // The custom resource references the function, which CDK makes wait for the role's policy.
    new CustomResource(this, 'ApiKeysSigning', {
      serviceToken: fn.functionArn,
      resourceType: 'Custom::SupabaseApiKeys',
      properties: {
        JwtSecretArn: this.jwtSecret.secretArn,
        ApiKeysSecretArn: this.apiKeys.secretArn,
        Issuer: JWT_ISSUER,
        LifetimeSeconds: String(lifetime.toSeconds()),
      },
    });
  }

  /** The primary's region in replica mode, after checking that nothing only the primary can do is asked for. */
  private validateReplicaMode(props: SupabaseSecretsProps): string | undefined {
    const region = props.primaryRegion;
    if (region === undefined) {
      return undefined;
    }
    if (props.secretNamePrefix === undefined) {
      throw configError(this, '`primaryRegion` is set without `secretNamePrefix`. The replicas carry the primary secrets\' names: pass the primary\'s prefix, e.g. \'supabase/ireland-prod\'.');
    }
    const primaryOnly = {
      replicaRegions: props.replicaRegions,
      jwtSecretLength: props.jwtSecretLength,
      apiKeyLifetime: props.apiKeyLifetime,
      dashboardUsername: props.dashboardUsername,
    };
    for (const [name, value] of Object.entries(primaryOnly)) {
      if (value !== undefined) {
        throw configError(this, `\`${name}\` is set together with \`primaryRegion\`. The replicas are copies of the primary's secrets: set \`${name}\` on the SupabaseSecrets in ${region}, and leave it out here.`);
      }
    }
    return region;
  }

  private validateJwtSecretLength(length: number | undefined): number {
    const value = length ?? DEFAULT_JWT_SECRET_LENGTH;
    if (!Token.isUnresolved(value) && (!Number.isInteger(value) || value < MIN_JWT_SECRET_LENGTH || value > 4096)) {
      throw configError(this, `\`jwtSecretLength\` is ${value}; Supabase needs a JWT secret of at least ${MIN_JWT_SECRET_LENGTH} characters (and Secrets Manager generates at most 4096). Use ${DEFAULT_JWT_SECRET_LENGTH}, the default.`);
    }
    return value;
  }

  private validateApiKeyLifetime(lifetime: Duration | undefined): Duration {
    const value = lifetime ?? DEFAULT_API_KEY_LIFETIME;
    if (!value.isUnresolved() && value.toSeconds() <= 0) {
      throw configError(this, `\`apiKeyLifetime\` is ${value.toHumanString()}; the API keys would be expired when signed. Use a positive duration such as Duration.days(1825).`);
    }
    return value;
  }

  /** The SMTP settings of an SES credential made in this region. */
  private sesCredential(ses: SupabaseSesSmtpSettings, removalPolicy: RemovalPolicy): SupabaseSmtpSettings {
    const region = Stack.of(this).region;
    const credential = new SesSmtpCredential(this, 'SesSmtp', {
      secretName: `${this.secretNamePrefix}/ses-smtp/${region}`,
      encryptionKey: this.encryptionKey,
      removalPolicy,
      fromAddress: ses.adminEmail,
    });
    return {
      host: `email-smtp.${region}.amazonaws.com`,
      port: 587,
      user: credential.username,
      password: credential.secret,
      passwordField: 'password',
      adminEmail: ses.adminEmail,
      senderName: ses.senderName,
    };
  }

  private validateSmtp(smtp: SupabaseSmtpSettings | undefined, ses: SupabaseSesSmtpSettings | undefined): SupabaseSmtpSettings | undefined {
    if (smtp && ses) {
      throw configError(this, '`smtp` and `sesSmtp` are both set. Use `sesSmtp` to have an SES credential made here, or `smtp` for a server and password of your own, not both.');
    }
    if (ses && !Token.isUnresolved(ses.adminEmail) && !/^[^@\s]+@[^@\s]+\.[^@\s]+$/.test(ses.adminEmail)) {
      throw configError(this, `\`sesSmtp.adminEmail\` is not an email address, got '${ses.adminEmail}'. Use the sender address of a domain verified in SES, e.g. 'no-reply@example.com'.`);
    }
    if (ses && Token.isUnresolved(Stack.of(this).region)) {
      throw configError(this, '`sesSmtp` needs the stack\'s region (SMTP passwords and the SES endpoint are per region): give the stack an explicit `env.region`.');
    }
    if (smtp && !smtp.password) {
      throw configError(this, '`smtp` is set without `smtp.password`. Pass the secret that holds the SMTP password (e.g. an SES SMTP credential stored in Secrets Manager), or leave `smtp` out.');
    }
    if (smtp?.port !== undefined && !Token.isUnresolved(smtp.port) && !(Number.isInteger(smtp.port) && smtp.port > 0 && smtp.port < 65536)) {
      throw configError(this, `\`smtp.port\` is ${smtp.port}, which is not a TCP port. Use 587 (STARTTLS) or 465 (TLS).`);
    }
    return smtp;
  }

  private validateSecretNamePrefix(prefix: string): string {
    if (!Token.isUnresolved(prefix) && (!SECRET_NAME_PATTERN.test(prefix) || prefix.length > 480)) {
      throw configError(this, `\`secretNamePrefix\` '${prefix}' is not usable in a secret name (letters, digits and /_+=.@- only, at most 480 characters). Use a prefix such as 'supabase/prod'.`);
    }
    return prefix.replace(/\/+$/, '');
  }
}

/** Acknowledges AwsSolutions-SMG4 on a secret made here; a replica imported by name has no resource to acknowledge. */
function acknowledgeRotation(secret: secretsmanager.ISecret, reason: string) {
  if (secret instanceof secretsmanager.Secret) {
    Validations.of(secret).acknowledge({ id: 'AwsSolutions-SMG4', reason });
  }
}
