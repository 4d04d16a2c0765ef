import { Token } from 'aws-cdk-lib';
import { Construct } from 'constructs';
import { configError } from '../../private/errors';
import { SupabaseSecretsProps } from '../secrets-props';

/** An address as Auth sends from it: one `@`, no whitespace, a dot in the domain. */
export const EMAIL_ADDRESS = /^[^@\s]+@[^@\s]+\.[^@\s]+$/;
/** A host name or an IPv4 address: what Auth dials with `GOTRUE_SMTP_HOST` (the port is `GOTRUE_SMTP_PORT`). */
const HOST_NAME = /^[a-zA-Z0-9]([a-zA-Z0-9-]*[a-zA-Z0-9])?(\.[a-zA-Z0-9]([a-zA-Z0-9-]*[a-zA-Z0-9])?)*$/;

/**
 * Checks the names and addresses SupabaseSecrets passes on to the services: the dashboard's user name, the SMTP
 * server, user, sender address and name. Tokens are skipped.
 */
export function validateSecretsSettings(scope: Construct, props: SupabaseSecretsProps) {
  validateDashboardUsername(scope, props.dashboardUsername);
  const smtp = props.smtp;
  if (smtp) {
    validateSmtpHost(scope, smtp.host);
    if (typeof smtp.user !== 'string' || (!Token.isUnresolved(smtp.user) && (smtp.user.trim() === '' || smtp.user !== smtp.user.trim()))) {
      throw configError(scope, `\`smtp.user\` is ${JSON.stringify(smtp.user ?? null)}; Auth logs in to the SMTP server with it and the password, and a ${typeof smtp.user === 'string' && smtp.user.trim() !== '' ? 'padded' : 'blank'} user name fails every email. Give the SMTP user name exactly (for SES, the SMTP credential's, e.g. 'AKIAIOSFODNN7EXAMPLE').`);
    }
    validateSender(scope, 'smtp', smtp.adminEmail, smtp.senderName);
  }
  if (props.sesSmtp) {
    validateSender(scope, 'sesSmtp', undefined, props.sesSmtp.senderName);
  }
}

/**
 * Throws unless the dashboard's user name is one Kong's basic authentication can match: not empty (the gateway's
 * start script stops on an empty value, so it would crash-loop), no whitespace or control character (the value is
 * written into Kong's JSON configuration), no ':' (Basic authentication splits user and password at the first ':',
 * RFC 7617 section 2).
 */
function validateDashboardUsername(scope: Construct, username: string | undefined) {
  if (username === undefined || (typeof username === 'string' && Token.isUnresolved(username))) {
    return;
  }
  if (typeof username !== 'string' || username.trim() === '') {
    throw configError(scope, `\`dashboardUsername\` is ${JSON.stringify(username)}; the gateway stops at start without a user name, so Studio would be unreachable. Give a name, e.g. 'supabase' (the default), or leave it out.`);
  }
  // eslint-disable-next-line no-control-regex
  if (/[\s:\u0000-\u001f\u007f]/.test(username)) {
    throw configError(scope, `\`dashboardUsername\` is ${JSON.stringify(username)}, which has ${username.includes(':') ? "a ':' (Basic authentication splits the user name from the password at the first ':', so no login would match)" : 'whitespace or a control character'}. Use letters, digits and . _ - @, e.g. 'supabase'.`);
  }
}

/** Throws unless `host` is a bare host name or address: no scheme, port, path or whitespace. */
function validateSmtpHost(scope: Construct, host: string) {
  if (typeof host === 'string' && Token.isUnresolved(host)) {
    return;
  }
  if (typeof host !== 'string' || host.trim() === '') {
    throw configError(scope, `\`smtp.host\` is ${JSON.stringify(host ?? null)}; Auth sends every email through this server. Give its host name, e.g. 'email-smtp.eu-west-1.amazonaws.com' for Amazon SES.`);
  }
  if (!HOST_NAME.test(host)) {
    const why = /^[a-z]+:\/\//i.test(host) ? 'a scheme' : /:\d*$/.test(host) ? 'a port (set `smtp.port`)' : /\s/.test(host) ? 'whitespace' : 'characters a host name cannot have';
    throw configError(scope, `\`smtp.host\` is '${host}', which has ${why}. It must be a bare host name, e.g. 'email-smtp.eu-west-1.amazonaws.com'.`);
  }
}

/** Throws unless the sender address looks like one and the sender's name, when given, is not blank or multi-line. */
function validateSender(scope: Construct, prop: string, address: string | undefined, name: string | undefined) {
  if (address !== undefined && !(typeof address === 'string' && Token.isUnresolved(address)) && (typeof address !== 'string' || !EMAIL_ADDRESS.test(address))) {
    throw configError(scope, `\`${prop}.adminEmail\` is not an email address, got ${JSON.stringify(address)}. Use the sender address Auth's emails come from, e.g. 'no-reply@example.com'.`);
  }
  if (name === undefined || (typeof name === 'string' && Token.isUnresolved(name))) {
    return;
  }
  if (typeof name !== 'string' || name.trim() === '' || /[\r\n]/.test(name)) {
    throw configError(scope, `\`${prop}.senderName\` is ${JSON.stringify(name)}; it is the display name in the From header of every email, so it must be a non-blank single line. Use e.g. 'Example App', or leave it out for 'Supabase'.`);
  }
}
