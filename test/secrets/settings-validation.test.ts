/** The SMTP and dashboard checks accept what works: the bad inputs themselves are rows of test/synth-errors. */
import { App, Stack, aws_secretsmanager as secretsmanager } from 'aws-cdk-lib';
import { SupabaseSecrets } from '../../src';

function secrets(props: Record<string, any>) {
  const stack = new Stack(new App(), 'S', { env: { account: '111122223333', region: 'eu-west-1' } });
  const password = secretsmanager.Secret.fromSecretNameV2(stack, 'Smtp', 'supabase/smtp');
  return () => new SupabaseSecrets(stack, 'Secrets', { ...props, ...(props.smtp ? { smtp: { password, ...props.smtp } } : {}) });
}

const smtp = { host: 'smtp.example.com', user: 'mailer', adminEmail: 'no-reply@example.com' };

test.each([
  ['an IP address as host', { smtp: { ...smtp, host: '10.0.0.25' } }],
  ['a sender name with spaces', { smtp: { ...smtp, senderName: 'Example App' } }],
  ['an email address as dashboard user name', { dashboardUsername: 'ops@example.com' }],
  ['an SES sender name', { sesSmtp: { adminEmail: 'no-reply@example.com', senderName: 'Example' } }],
])('accepts %s', (_what, props) => {
  expect(secrets(props)).not.toThrow();
});

test.each([
  ['a multi-line sender name', { smtp: { ...smtp, senderName: 'Example\nBcc: everyone@example.com' } }, 'must be a non-blank single line'],
  ['a padded user', { smtp: { ...smtp, user: ' mailer' } }, 'a padded user name'],
  ['a blank SES sender name', { sesSmtp: { adminEmail: 'no-reply@example.com', senderName: ' ' } }, '`sesSmtp.senderName`'],
  ['a tab in the dashboard user name', { dashboardUsername: 'ops\tteam' }, 'whitespace or a control character'],
])('rejects %s', (_what, props, message) => {
  expect(secrets(props)).toThrow(message);
});
