import { Duration, aws_secretsmanager as secretsmanager } from 'aws-cdk-lib';

/**
 * Twilio Programmable Messaging as Auth's SMS provider (`GOTRUE_SMS_PROVIDER=twilio`).
 */
export interface SupabaseTwilioSmsProps {
  /** The Account SID, `AC` and 32 hexadecimal digits (`GOTRUE_SMS_TWILIO_ACCOUNT_SID`). */
  readonly accountSid: string;

  /**
   * The sender (`GOTRUE_SMS_TWILIO_MESSAGE_SERVICE_SID`): a Messaging Service SID (`MG...`) or a Twilio phone number
   * in E.164 form, e.g. `+15005550006`.
   */
  readonly messageServiceSid: string;

  /** The secret holding the account's auth token (`GOTRUE_SMS_TWILIO_AUTH_TOKEN`). */
  readonly authToken: secretsmanager.ISecret;

  /**
   * The JSON field of `authToken` that holds the auth token.
   *
   * @default - the whole secret string
   */
  readonly authTokenField?: string;

  /**
   * The Content SID (`HX...`) of an approved WhatsApp authentication template (`GOTRUE_SMS_TWILIO_CONTENT_SID`):
   * codes sent over WhatsApp (`channel: 'whatsapp'`) use it instead of the SMS template.
   *
   * @default - WhatsApp messages carry the SMS template's text
   */
  readonly whatsappContentSid?: string;
}

/**
 * Twilio Verify as Auth's SMS provider (`GOTRUE_SMS_PROVIDER=twilio_verify`): Twilio generates, sends and checks
 * the code, so the code's length and message are the Verify service's settings, not Auth's.
 */
export interface SupabaseTwilioVerifySmsProps {
  /** The Account SID, `AC` and 32 hexadecimal digits (`GOTRUE_SMS_TWILIO_VERIFY_ACCOUNT_SID`). */
  readonly accountSid: string;

  /** The Verify Service SID, `VA` and 32 hexadecimal digits (`GOTRUE_SMS_TWILIO_VERIFY_MESSAGE_SERVICE_SID`). */
  readonly verifyServiceSid: string;

  /** The secret holding the account's auth token (`GOTRUE_SMS_TWILIO_VERIFY_AUTH_TOKEN`). */
  readonly authToken: secretsmanager.ISecret;

  /**
   * The JSON field of `authToken` that holds the auth token.
   *
   * @default - the whole secret string
   */
  readonly authTokenField?: string;
}

/**
 * MessageBird (Bird) as Auth's SMS provider (`GOTRUE_SMS_PROVIDER=messagebird`).
 */
export interface SupabaseMessagebirdSmsProps {
  /** The sender (`GOTRUE_SMS_MESSAGEBIRD_ORIGINATOR`): a phone number or an alphanumeric sender id. */
  readonly originator: string;

  /** The secret holding the live access key (`GOTRUE_SMS_MESSAGEBIRD_ACCESS_KEY`). */
  readonly accessKey: secretsmanager.ISecret;

  /**
   * The JSON field of `accessKey` that holds the access key.
   *
   * @default - the whole secret string
   */
  readonly accessKeyField?: string;
}

/**
 * Textlocal as Auth's SMS provider (`GOTRUE_SMS_PROVIDER=textlocal`; Auth calls `api.textlocal.in`).
 */
export interface SupabaseTextlocalSmsProps {
  /** The sender name (`GOTRUE_SMS_TEXTLOCAL_SENDER`). */
  readonly sender: string;

  /** The secret holding the API key (`GOTRUE_SMS_TEXTLOCAL_API_KEY`). */
  readonly apiKey: secretsmanager.ISecret;

  /**
   * The JSON field of `apiKey` that holds the API key.
   *
   * @default - the whole secret string
   */
  readonly apiKeyField?: string;
}

/**
 * Vonage (Nexmo) SMS as Auth's SMS provider (`GOTRUE_SMS_PROVIDER=vonage`).
 */
export interface SupabaseVonageSmsProps {
  /** The sender (`GOTRUE_SMS_VONAGE_FROM`): a phone number or an alphanumeric sender id. */
  readonly from: string;

  /**
   * The API key (`GOTRUE_SMS_VONAGE_API_KEY`): the account's identifier, shown beside the API secret in the Vonage
   * dashboard; it authenticates nothing alone, so it is a plain value.
   */
  readonly apiKey: string;

  /** The secret holding the API secret (`GOTRUE_SMS_VONAGE_API_SECRET`). */
  readonly apiSecret: secretsmanager.ISecret;

  /**
   * The JSON field of `apiSecret` that holds the API secret.
   *
   * @default - the whole secret string
   */
  readonly apiSecretField?: string;
}

/**
 * One of the provider's settings, as the library renders it.
 *
 * @internal
 */
export interface _SmsProviderValue {
  /** The prop of the factory's props, e.g. `accountSid`. */
  readonly prop: string;
  /** The variable Auth reads. */
  readonly variable: string;
  /** A plain value. */
  readonly value?: string;
  /** Whether the value must be given. */
  readonly required: boolean;
  /** The shape the value must have, and an example of it. */
  readonly pattern?: RegExp;
  readonly example?: string;
  /** A credential: the secret, and the prop naming its JSON field. */
  readonly secret?: secretsmanager.ISecret;
  readonly field?: string;
  readonly fieldProp?: string;
}

/**
 * An SMS provider of Supabase Auth, with its settings: one static factory per provider the pinned Auth (v2.196.0)
 * supports, e.g. `SupabaseSmsProvider.twilio({ accountSid, messageServiceSid, authToken })`. Identifiers and
 * senders are plain values; each credential stays in Secrets Manager (External Secrets Operator delivers it into
 * the Auth pods' Secret, and the operator's role is granted read access to it).
 */
export class SupabaseSmsProvider {
  /** Twilio Programmable Messaging: SMS, and WhatsApp with `channel: 'whatsapp'`. */
  public static twilio(props: SupabaseTwilioSmsProps): SupabaseSmsProvider {
    const env = 'GOTRUE_SMS_TWILIO';
    return new SupabaseSmsProvider('twilio', 'twilio', [
      { prop: 'accountSid', variable: `${env}_ACCOUNT_SID`, value: props.accountSid, required: true, pattern: TWILIO_ACCOUNT_SID, example: 'AC0123456789abcdef0123456789abcdef' },
      { prop: 'messageServiceSid', variable: `${env}_MESSAGE_SERVICE_SID`, value: props.messageServiceSid, required: true },
      { prop: 'authToken', variable: `${env}_AUTH_TOKEN`, required: true, secret: props.authToken, field: props.authTokenField, fieldProp: 'authTokenField' },
      { prop: 'whatsappContentSid', variable: `${env}_CONTENT_SID`, value: props.whatsappContentSid, required: false },
    ]);
  }

  /** Twilio Verify: Twilio generates and checks the codes (SMS, and WhatsApp with `channel: 'whatsapp'`). */
  public static twilioVerify(props: SupabaseTwilioVerifySmsProps): SupabaseSmsProvider {
    const env = 'GOTRUE_SMS_TWILIO_VERIFY';
    return new SupabaseSmsProvider('twilio_verify', 'twilioVerify', [
      { prop: 'accountSid', variable: `${env}_ACCOUNT_SID`, value: props.accountSid, required: true, pattern: TWILIO_ACCOUNT_SID, example: 'AC0123456789abcdef0123456789abcdef' },
      { prop: 'verifyServiceSid', variable: `${env}_MESSAGE_SERVICE_SID`, value: props.verifyServiceSid, required: true, pattern: /^VA[0-9a-fA-F]{32}$/, example: 'VA0123456789abcdef0123456789abcdef' },
      { prop: 'authToken', variable: `${env}_AUTH_TOKEN`, required: true, secret: props.authToken, field: props.authTokenField, fieldProp: 'authTokenField' },
    ]);
  }

  /** MessageBird (Bird). */
  public static messagebird(props: SupabaseMessagebirdSmsProps): SupabaseSmsProvider {
    const env = 'GOTRUE_SMS_MESSAGEBIRD';
    return new SupabaseSmsProvider('messagebird', 'messagebird', [
      { prop: 'originator', variable: `${env}_ORIGINATOR`, value: props.originator, required: true },
      { prop: 'accessKey', variable: `${env}_ACCESS_KEY`, required: true, secret: props.accessKey, field: props.accessKeyField, fieldProp: 'accessKeyField' },
    ]);
  }

  /** Textlocal. */
  public static textlocal(props: SupabaseTextlocalSmsProps): SupabaseSmsProvider {
    const env = 'GOTRUE_SMS_TEXTLOCAL';
    return new SupabaseSmsProvider('textlocal', 'textlocal', [
      { prop: 'sender', variable: `${env}_SENDER`, value: props.sender, required: true },
      { prop: 'apiKey', variable: `${env}_API_KEY`, required: true, secret: props.apiKey, field: props.apiKeyField, fieldProp: 'apiKeyField' },
    ]);
  }

  /** Vonage (Nexmo) SMS. */
  public static vonage(props: SupabaseVonageSmsProps): SupabaseSmsProvider {
    const env = 'GOTRUE_SMS_VONAGE';
    return new SupabaseSmsProvider('vonage', 'vonage', [
      { prop: 'from', variable: `${env}_FROM`, value: props.from, required: true },
      { prop: 'apiKey', variable: `${env}_API_KEY`, value: props.apiKey, required: true },
      { prop: 'apiSecret', variable: `${env}_API_SECRET`, required: true, secret: props.apiSecret, field: props.apiSecretField, fieldProp: 'apiSecretField' },
    ]);
  }

  private constructor(
    /** The provider's name in Auth's settings (`GOTRUE_SMS_PROVIDER`), e.g. `twilio`. */
    public readonly name: string,
    /**
     * The static factory that made it, for messages.
     *
     * @internal
     */
    public readonly _factory: string,
    /**
     * The provider's settings, in the order the factory lists them.
     *
     * @internal
     */
    public readonly _values: _SmsProviderValue[],
  ) {}
}

const TWILIO_ACCOUNT_SID = /^AC[0-9a-fA-F]{32}$/;

/**
 * One-time codes by SMS: the provider that sends them, and the codes' settings. Twilio Verify generates its own
 * codes: `otpLength` and `template` are its Verify service's settings there.
 */
export interface SupabaseSmsSettings {
  /** The provider and its settings, e.g. `SupabaseSmsProvider.twilio({ ... })` (`GOTRUE_SMS_PROVIDER`). */
  readonly provider: SupabaseSmsProvider;

  /**
   * The number of digits of a code (`GOTRUE_SMS_OTP_LENGTH`), 6 to 10.
   *
   * @default 6
   */
  readonly otpLength?: number;

  /**
   * How long a code is valid (`GOTRUE_SMS_OTP_EXP`), in whole seconds.
   *
   * @default Duration.seconds(60)
   */
  readonly otpExpiry?: Duration;

  /**
   * The message (`GOTRUE_SMS_TEMPLATE`), a Go template whose only field is the code, `{{ .Code }}`.
   *
   * @default 'Your code is {{ .Code }}'
   */
  readonly template?: string;

  /**
   * The least time between two codes sent to one phone number (`GOTRUE_SMS_MAX_FREQUENCY`), in whole seconds.
   *
   * @default Duration.minutes(1)
   */
  readonly maxFrequency?: Duration;
}
