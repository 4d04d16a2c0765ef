import { Chart } from 'cdk8s';
import { Construct } from 'constructs';
import { K8S_SECRETS } from './secrets-chart';
import { PORTS } from '../../private/ports';
import { ANY_IPV4, SecretEnv, ServiceChartProps, databaseEgress, plainEnv, signingKeyEnv } from '../private/chart-props';
import { imageUser } from '../private/image-contract';
import { AUTH_ISSUER_PATH } from '../private/kong-config';
import { addServicePolicy, addSupabaseService, httpProbe, resources, startupProbe } from '../private/service';
import { SupabaseAuthSettings } from '../settings';

/** SMTP settings as Auth needs them; the password is in the Secret `supabase-smtp`. */
export interface AuthSmtp {
  readonly host: string;
  readonly port: number;
  readonly user: string;
  readonly adminEmail: string;
  readonly senderName: string;
}

export interface AuthChartProps extends ServiceChartProps {
  /** The public URL of the API gateway, e.g. `https://api.example.com`. */
  readonly publicUrl: string;
  readonly settings: SupabaseAuthSettings;
  readonly smtp?: AuthSmtp;
  /** Further plain variables of the settings' features (external providers, ...). */
  readonly featureEnv: Record<string, string>;
  /** The variables read from the Secret `supabase-auth-env` (client secrets, ...). */
  readonly secretEnv: string[];
}

/**
 * Supabase Auth (GoTrue) on port 9999. It connects as `supabase_auth_admin` and runs its own migrations in schema
 * `auth` at start (the startup probe leaves it two minutes); the JWT secret, the connection URL and the SMTP
 * password come from Secrets.
 */
export class AuthChart extends Chart {
  constructor(scope: Construct, id: string, props: AuthChartProps) {
    super(scope, id, { namespace: props.namespace });
    const secrets = new SecretEnv(this);
    const s = props.settings;
    const port = PORTS.auth;
    const smtp = props.smtp;
    addSupabaseService(this, {
      name: 'auth',
      image: props.image,
      ports: [{ name: 'http', port }],
      env: {
        ...plainEnv({
          GOTRUE_API_HOST: '0.0.0.0',
          GOTRUE_API_PORT: String(port),
          API_EXTERNAL_URL: props.publicUrl,
          GOTRUE_DB_DRIVER: 'postgres',
          GOTRUE_SITE_URL: s.siteUrl,
          GOTRUE_URI_ALLOW_LIST: (s.additionalRedirectUrls ?? []).join(','),
          GOTRUE_DISABLE_SIGNUP: String(s.disableSignup ?? false),
          GOTRUE_JWT_ADMIN_ROLES: 'service_role',
          GOTRUE_JWT_AUD: 'authenticated',
          GOTRUE_JWT_DEFAULT_GROUP_NAME: 'authenticated',
          GOTRUE_JWT_EXP: String(s.jwtExpiry?.toSeconds() ?? 3600),
          GOTRUE_JWT_ISSUER: `${props.publicUrl}${AUTH_ISSUER_PATH}`,
          GOTRUE_EXTERNAL_EMAIL_ENABLED: String(s.emailSignup ?? true),
          GOTRUE_EXTERNAL_ANONYMOUS_USERS_ENABLED: String(s.anonymousUsers ?? false),
          GOTRUE_MAILER_AUTOCONFIRM: String(s.mailerAutoconfirm ?? false),
          GOTRUE_MAILER_URLPATHS_INVITE: '/auth/v1/verify',
          GOTRUE_MAILER_URLPATHS_CONFIRMATION: '/auth/v1/verify',
          GOTRUE_MAILER_URLPATHS_RECOVERY: '/auth/v1/verify',
          GOTRUE_MAILER_URLPATHS_EMAIL_CHANGE: '/auth/v1/verify',
          GOTRUE_EXTERNAL_PHONE_ENABLED: String(s.phoneSignup ?? false),
          GOTRUE_SMS_AUTOCONFIRM: String(s.smsAutoconfirm ?? false),
          ...(smtp ? {
            GOTRUE_SMTP_ADMIN_EMAIL: smtp.adminEmail,
            GOTRUE_SMTP_HOST: smtp.host,
            GOTRUE_SMTP_PORT: String(smtp.port),
            GOTRUE_SMTP_USER: smtp.user,
            GOTRUE_SMTP_SENDER_NAME: smtp.senderName,
          } : {}),
          ...props.featureEnv,
        }),
        GOTRUE_DB_DATABASE_URL: secrets.value(K8S_SECRETS.dbAuth, 'url'),
        GOTRUE_JWT_SECRET: secrets.value(K8S_SECRETS.jwt, 'jwt-secret'),
        // Signs with the key in use; verifies the others and, through its `oct` key, the legacy HS256 tokens.
        ...signingKeyEnv(secrets, props.signingKeys, { GOTRUE_JWT_KEYS: 'jwt-keys' }),
        ...(smtp ? { GOTRUE_SMTP_PASS: secrets.value(K8S_SECRETS.smtp, 'password') } : {}),
      },
      secretEnv: props.secretEnv,
      readiness: httpProbe('/health', port),
      liveness: httpProbe('/health', port, { failureThreshold: 6 }),
      // The first start runs every migration of schema auth.
      startup: startupProbe('/health', port, 120),
      resources: resources(100, 1000, 128, 512),
      ...imageUser('auth'),
      writablePaths: [{ name: 'tmp', path: '/tmp' }],
      extraEnv: props.extraEnv,
      scaling: props.scaling,
    });
    addServicePolicy(this, 'auth', {
      ingress: [{ peer: { service: 'kong' }, ports: [port] }],
      egress: [
        ...databaseEgress(props.network),
        // SMTP for emails, HTTPS for OAuth providers and webhooks.
        { peer: { cidr: ANY_IPV4 }, ports: [443, ...(smtp ? [smtp.port] : [])] },
      ],
    });
  }
}
