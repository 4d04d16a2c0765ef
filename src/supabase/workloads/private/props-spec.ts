/**
 * The specs of the services' settings (SupabaseServicesOptions and Auth's settings) for the props check
 * (src/private/props-check.ts); kept out of the jsii API. The enum-like classes of Auth (providers, hooks, SMS,
 * CAPTCHA) are `'any'` here: the settings' own checks name their members when given something else.
 */
import { PropsSpec, arrayOf, construct, object, required } from '../../../private/props-check';
import { SupabaseCaptchaSettings } from '../auth/captcha';
import { SupabaseEmailNotification, SupabaseEmailSettings, SupabaseEmailTemplate } from '../auth/emails';
import { SupabaseExternalProvider } from '../auth/external-providers';
import { SupabaseAuthHooks } from '../auth/hooks';
import { SupabaseMfaFactorSettings, SupabaseMfaPhoneSettings, SupabaseMfaSettings, SupabaseMfaWebAuthnSettings } from '../auth/mfa';
import { SupabaseAuthRateLimits } from '../auth/rate-limits';
import { SupabaseSamlSettings } from '../auth/saml';
import { SupabaseAuthSecuritySettings } from '../auth/security';
import { SupabaseSmsSettings } from '../auth/sms';
import {
  SupabaseEnvironmentVariable, SupabaseSecretEnvironmentVariable, SupabaseServiceEnvironment, SupabaseServiceEnvironments,
} from '../environment';
import { SupabaseImages } from '../images';
import { SupabaseServicesOptions } from '../services-options';
import {
  SupabaseAuthSettings, SupabaseRestSettings, SupabaseScalingSettings, SupabaseServiceScaling, SupabaseStorageApiSettings,
  SupabaseStudioSettings,
} from '../settings';

const EXTERNAL_PROVIDER_SPEC: PropsSpec<SupabaseExternalProvider> = {
  provider: required('any'),
  clientId: required('string'),
  clientSecret: required(construct('secretsmanager.ISecret')),
  clientSecretField: 'string',
  url: 'string',
  skipNonceCheck: 'boolean',
  emailOptional: 'boolean',
};

const SAML_SPEC: PropsSpec<SupabaseSamlSettings> = {
  allowEncryptedAssertions: 'boolean',
  relayStateValidity: 'Duration',
};

const HOOKS_SPEC: PropsSpec<SupabaseAuthHooks> = {
  customAccessToken: 'any',
  sendSms: 'any',
  sendEmail: 'any',
  mfaVerificationAttempt: 'any',
  passwordVerificationAttempt: 'any',
  beforeUserCreated: 'any',
  afterUserCreated: 'any',
};

const SMS_SPEC: PropsSpec<SupabaseSmsSettings> = {
  provider: required('any'),
  otpLength: 'number',
  otpExpiry: 'Duration',
  template: 'string',
  maxFrequency: 'Duration',
};

const CAPTCHA_SPEC: PropsSpec<SupabaseCaptchaSettings> = {
  provider: required('any'),
  secret: required(construct('secretsmanager.ISecret')),
  secretField: 'string',
  timeout: 'Duration',
};

const MFA_FACTOR_SPEC: PropsSpec<SupabaseMfaFactorSettings> = { enroll: 'boolean', verify: 'boolean' };

const MFA_PHONE_SPEC: PropsSpec<SupabaseMfaPhoneSettings> = {
  ...MFA_FACTOR_SPEC,
  otpLength: 'number',
  template: 'string',
  maxFrequency: 'Duration',
};

const MFA_WEBAUTHN_SPEC: PropsSpec<SupabaseMfaWebAuthnSettings> = {
  ...MFA_FACTOR_SPEC,
  relyingPartyId: 'string',
  relyingPartyName: 'string',
  relyingPartyOrigins: 'string[]',
};

const MFA_SPEC: PropsSpec<SupabaseMfaSettings> = {
  totp: object('SupabaseMfaFactorSettings', MFA_FACTOR_SPEC),
  phone: object('SupabaseMfaPhoneSettings', MFA_PHONE_SPEC),
  webAuthn: object('SupabaseMfaWebAuthnSettings', MFA_WEBAUTHN_SPEC),
  maxEnrolledFactors: 'number',
  maxVerifiedFactors: 'number',
  challengeExpiry: 'Duration',
  unverifiedFactorExpiry: 'Duration',
};

const RATE_LIMITS_SPEC: PropsSpec<SupabaseAuthRateLimits> = {
  emailsSent: 'number',
  smsSent: 'number',
  tokenRefresh: 'number',
  verify: 'number',
  otp: 'number',
  anonymousUsers: 'number',
  sso: 'number',
  mfaChallengeAndVerify: 'number',
};

const TEMPLATE_SPEC: PropsSpec<SupabaseEmailTemplate> = { subject: 'string', templateUrl: 'string' };
const TEMPLATE = object('SupabaseEmailTemplate', TEMPLATE_SPEC);
const NOTIFICATION_SPEC: PropsSpec<SupabaseEmailNotification> = { ...TEMPLATE_SPEC, enabled: 'boolean' };
const NOTIFICATION = object('SupabaseEmailNotification', NOTIFICATION_SPEC);

const EMAIL_SPEC: PropsSpec<SupabaseEmailSettings> = {
  invite: TEMPLATE,
  confirmation: TEMPLATE,
  recovery: TEMPLATE,
  magicLink: TEMPLATE,
  emailChange: TEMPLATE,
  reauthentication: TEMPLATE,
  passwordChangedNotification: NOTIFICATION,
  emailChangedNotification: NOTIFICATION,
  phoneChangedNotification: NOTIFICATION,
  identityLinkedNotification: NOTIFICATION,
  identityUnlinkedNotification: NOTIFICATION,
  mfaFactorEnrolledNotification: NOTIFICATION,
  mfaFactorUnenrolledNotification: NOTIFICATION,
  secureEmailChange: 'boolean',
  otpExpiry: 'Duration',
  otpLength: 'number',
};

const SECURITY_SPEC: PropsSpec<SupabaseAuthSecuritySettings> = {
  minPasswordLength: 'number',
  passwordRequiredCharacters: 'string[]',
  refreshTokenRotation: 'boolean',
  refreshTokenReuseInterval: 'Duration',
  passwordChangeRequiresReauthentication: 'boolean',
  passwordChangeRequiresCurrentPassword: 'boolean',
};

const AUTH_SPEC: PropsSpec<SupabaseAuthSettings> = {
  siteUrl: required('string'),
  additionalRedirectUrls: 'string[]',
  disableSignup: 'boolean',
  jwtExpiry: 'Duration',
  emailSignup: 'boolean',
  mailerAutoconfirm: 'boolean',
  anonymousUsers: 'boolean',
  phoneSignup: 'boolean',
  smsAutoconfirm: 'boolean',
  externalProviders: arrayOf(object('SupabaseExternalProvider', EXTERNAL_PROVIDER_SPEC)),
  saml: object('SupabaseSamlSettings', SAML_SPEC),
  // Auth's own check names an unknown hook (an error), so no second word about it here.
  hooks: object('SupabaseAuthHooks', HOOKS_SPEC, false),
  sms: object('SupabaseSmsSettings', SMS_SPEC),
  captcha: object('SupabaseCaptchaSettings', CAPTCHA_SPEC),
  mfa: object('SupabaseMfaSettings', MFA_SPEC),
  rateLimits: object('SupabaseAuthRateLimits', RATE_LIMITS_SPEC),
  email: object('SupabaseEmailSettings', EMAIL_SPEC),
  security: object('SupabaseAuthSecuritySettings', SECURITY_SPEC),
};

const REST_SPEC: PropsSpec<SupabaseRestSettings> = { schemas: 'string[]', maxRows: 'number', extraSearchPath: 'string[]' };
const STORAGE_API_SPEC: PropsSpec<SupabaseStorageApiSettings> = { fileSizeLimit: 'Size', imageTransformation: 'boolean' };
const STUDIO_SPEC: PropsSpec<SupabaseStudioSettings> = { organizationName: 'string', projectName: 'string' };

const IMAGES_SPEC: PropsSpec<SupabaseImages> = {
  kong: 'string',
  auth: 'string',
  rest: 'string',
  realtime: 'string',
  storage: 'string',
  imgproxy: 'string',
  meta: 'string',
  studio: 'string',
  functions: 'string',
};

const SERVICE_SCALING_SPEC: PropsSpec<SupabaseServiceScaling> = {
  minReplicas: 'number', maxReplicas: 'number', targetCpuUtilization: 'number',
};
const SERVICE_SCALING = object('SupabaseServiceScaling', SERVICE_SCALING_SPEC);

const SCALING_SPEC: PropsSpec<SupabaseScalingSettings> = {
  kong: SERVICE_SCALING,
  auth: SERVICE_SCALING,
  rest: SERVICE_SCALING,
  realtime: SERVICE_SCALING,
  storage: SERVICE_SCALING,
  imgproxy: SERVICE_SCALING,
  meta: SERVICE_SCALING,
  studio: SERVICE_SCALING,
  functions: SERVICE_SCALING,
};

const VARIABLE_SPEC: PropsSpec<SupabaseEnvironmentVariable> = { name: required('string'), value: required('string'), override: 'boolean' };
const SECRET_VARIABLE_SPEC: PropsSpec<SupabaseSecretEnvironmentVariable> = {
  name: required('string'), secret: required(construct('secretsmanager.ISecret')), field: 'string', override: 'boolean',
};
const SERVICE_ENVIRONMENT_SPEC: PropsSpec<SupabaseServiceEnvironment> = {
  variables: arrayOf(object('SupabaseEnvironmentVariable', VARIABLE_SPEC)),
  secretVariables: arrayOf(object('SupabaseSecretEnvironmentVariable', SECRET_VARIABLE_SPEC)),
};
const SERVICE_ENVIRONMENT = object('SupabaseServiceEnvironment', SERVICE_ENVIRONMENT_SPEC);

const ENVIRONMENTS_SPEC: PropsSpec<SupabaseServiceEnvironments> = {
  kong: SERVICE_ENVIRONMENT,
  auth: SERVICE_ENVIRONMENT,
  rest: SERVICE_ENVIRONMENT,
  realtime: SERVICE_ENVIRONMENT,
  storage: SERVICE_ENVIRONMENT,
  imgproxy: SERVICE_ENVIRONMENT,
  meta: SERVICE_ENVIRONMENT,
  studio: SERVICE_ENVIRONMENT,
  functions: SERVICE_ENVIRONMENT,
};

export const SERVICES_OPTIONS_SPEC: PropsSpec<SupabaseServicesOptions> = {
  publicUrl: required('string'),
  auth: required(object('SupabaseAuthSettings', AUTH_SPEC)),
  rest: object('SupabaseRestSettings', REST_SPEC),
  storageApi: object('SupabaseStorageApiSettings', STORAGE_API_SPEC),
  studio: object('SupabaseStudioSettings', STUDIO_SPEC),
  images: object('SupabaseImages', IMAGES_SPEC),
  scaling: object('SupabaseScalingSettings', SCALING_SPEC),
  functions: 'boolean',
  environment: object('SupabaseServiceEnvironments', ENVIRONMENTS_SPEC),
};
