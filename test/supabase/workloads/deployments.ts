/**
 * The Kubernetes objects of every example app, and of a fixture deployment with every optional service (SMTP, Edge
 * Functions, image transformation, Auth's external provider, SAML, hooks, SMS and CAPTCHA, variables through the
 * escape hatch), for the tests that hold what the library renders against the images and against itself.
 */
import { existsSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { Duration, Stack, aws_certificatemanager as acm, aws_secretsmanager as secretsmanager } from 'aws-cdk-lib';
import { Testing } from 'cdk8s';
import { SupabaseAuthHook, SupabaseAuthProvider, SupabaseCaptchaProvider, SupabaseSecrets, SupabaseSmsProvider } from '../../../src';
import { EXAMPLES, buildExample } from '../../examples/example-app';
import { kubernetesObjects } from '../../kubernetes-objects';
import { buildParts, buildWorkloads } from '../fixture';

/** A deployment's Kubernetes objects and where they come from. */
export interface Deployment {
  readonly name: string;
  readonly objects: any[];
}

/** Every example app (a folder of examples/ with a cdk.json). */
export const EXAMPLE_APPS = readdirSync(EXAMPLES).filter((n) => existsSync(join(EXAMPLES, n, 'cdk.json'))).sort();

/** The objects of a deployment with every optional service. */
export function fixtureObjects(): any[] {
  const parts = buildParts();
  const secrets = new SupabaseSecrets(parts.stack, 'SecretsWithSmtp', {
    secretNamePrefix: 'supabase/smtp',
    samlSigningKey: true,
    smtp: {
      host: 'email-smtp.eu-west-1.amazonaws.com',
      user: 'AKIAEXAMPLE',
      password: secretsmanager.Secret.fromSecretNameV2(parts.stack, 'SmtpPassword', 'ses-smtp'),
      adminEmail: 'admin@example.com',
    },
  });
  const { workloads } = buildWorkloads({
    secrets,
    functions: true,
    images: { functions: '123456789012.dkr.ecr.eu-west-1.amazonaws.com/functions:1.0.0' },
    auth: {
      siteUrl: 'https://app.example.com',
      saml: {},
      externalProviders: [{
        provider: SupabaseAuthProvider.GOOGLE,
        clientId: 'google-client.apps.googleusercontent.com',
        clientSecret: secretsmanager.Secret.fromSecretNameV2(parts.stack, 'GoogleClientSecret', 'oauth/google'),
      }],
      hooks: {
        customAccessToken: SupabaseAuthHook.postgresFunction('public', 'custom_access_token_hook'),
        sendEmail: SupabaseAuthHook.https('https://hooks.example.com/send-email',
          secretsmanager.Secret.fromSecretNameV2(parts.stack, 'SendEmailHookSecret', 'hooks/send-email')),
      },
      phoneSignup: true,
      sms: {
        provider: SupabaseSmsProvider.twilio({
          accountSid: 'AC0123456789abcdef0123456789abcdef',
          messageServiceSid: 'MG0123456789abcdef0123456789abcdef',
          authToken: secretsmanager.Secret.fromSecretNameV2(parts.stack, 'TwilioAuthToken', 'sms/twilio'),
        }),
      },
      captcha: {
        provider: SupabaseCaptchaProvider.TURNSTILE,
        secret: secretsmanager.Secret.fromSecretNameV2(parts.stack, 'CaptchaSecret', 'captcha/turnstile'),
      },
      mfa: { phone: { otpLength: 8 }, webAuthn: {}, challengeExpiry: Duration.minutes(10) },
      rateLimits: { emailsSent: 60, tokenRefresh: 300 },
      email: {
        confirmation: { subject: 'Confirm your account', templateUrl: 'https://templates.example.com/confirmation.html' },
        passwordChangedNotification: {},
        otpLength: 8,
      },
      security: { minPasswordLength: 10, passwordRequiredCharacters: ['0123456789'], refreshTokenReuseInterval: Duration.seconds(10) },
    },
    // The escape hatch, plain and from Secrets Manager.
    environment: {
      rest: { variables: [{ name: 'PGRST_DB_POOL', value: '20' }] },
      studio: { secretVariables: [{ name: 'OPENAI_API_KEY', secret: secretsmanager.Secret.fromSecretNameV2(parts.stack, 'OpenAiKey', 'studio/openai') }] },
    },
  }, parts, {
    certificate: acm.Certificate.fromCertificateArn(parts.stack, 'Certificate', 'arn:aws:acm:eu-west-1:123456789012:certificate/abc'),
  });
  return workloads.charts.flatMap((c) => Testing.synth(c));
}

/** The fixture, then every stack of every example app that applies Kubernetes objects. */
export function allDeployments(): Deployment[] {
  return [
    { name: 'fixture with every service', objects: fixtureObjects() },
    ...EXAMPLE_APPS.flatMap((app) => buildExample(app).app.node.children
      .filter((c): c is Stack => c instanceof Stack)
      .map((stack) => ({ name: `${app}/${stack.stackName}`, objects: kubernetesObjects(stack) }))
      .filter((d) => d.objects.length > 0)),
  ];
}

/** The Supabase Deployments among the objects (not the cluster's own controllers). */
export function supabaseDeployments(objects: any[]): any[] {
  return objects.filter((o) => o.kind === 'Deployment'
    && o.spec.template.metadata?.labels?.['app.kubernetes.io/part-of'] === 'supabase');
}
