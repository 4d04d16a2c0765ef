import { aws_secretsmanager as secretsmanager } from 'aws-cdk-lib';

/**
 * A plain environment variable of one service: its value is written into the service's Deployment, so it must not
 * be a secret (a name that looks like one, `*PASSWORD*`, `*SECRET*`, `*TOKEN*` or `*_KEY`, is refused unless the
 * value is `true`, `false` or a number: give secrets as {@link SupabaseSecretEnvironmentVariable}).
 */
export interface SupabaseEnvironmentVariable {
  /** The variable's name, e.g. `PGRST_DB_POOL`: letters, digits and underscores, not starting with a digit. */
  readonly name: string;

  /** The value, as the service reads it, e.g. `'20'`. */
  readonly value: string;

  /**
   * Whether this replaces a variable the library sets for the service itself. Without it, setting such a variable
   * is an error; with it, your value wins and the library no longer manages that variable (a synth-time warning
   * says so). Prefer a typed setting where the library has one.
   *
   * @default false
   */
  readonly override?: boolean;
}

/**
 * An environment variable of one service whose value stays in Secrets Manager: External Secrets Operator copies it
 * into the service's own Kubernetes Secret (`supabase-<service>-env`, one key per variable; its role is granted read
 * access), and the pod reads it from there. The manifest holds the secret's ARN, never its value.
 */
export interface SupabaseSecretEnvironmentVariable {
  /** The variable's name, e.g. `OPENAI_API_KEY`: letters, digits and underscores, not starting with a digit. */
  readonly name: string;

  /** The secret that holds the value. */
  readonly secret: secretsmanager.ISecret;

  /**
   * The JSON field of the secret that holds the value.
   *
   * @default - the whole secret string
   */
  readonly field?: string;

  /**
   * Whether this replaces a variable the library sets for the service itself (see
   * {@link SupabaseEnvironmentVariable.override}).
   *
   * @default false
   */
  readonly override?: boolean;
}

/** Further environment variables of one service: upstream settings the library has no typed setting for. */
export interface SupabaseServiceEnvironment {
  /**
   * Plain variables, written into the service's Deployment.
   *
   * @default - none
   */
  readonly variables?: SupabaseEnvironmentVariable[];

  /**
   * Variables whose values stay in Secrets Manager.
   *
   * @default - none
   */
  readonly secretVariables?: SupabaseSecretEnvironmentVariable[];
}

/**
 * The escape hatch: further environment variables per service, for any upstream setting the library does not
 * model. A variable the library sets itself may be replaced only with `override: true`. Pods restart when the
 * variables change; they do not when the value of a secret changes (restart them to pick it up).
 */
export interface SupabaseServiceEnvironments {
  /**
   * The API gateway (Kong).
   *
   * @default - the library's variables only
   */
  readonly kong?: SupabaseServiceEnvironment;

  /**
   * Auth (GoTrue), e.g. `GOTRUE_PASSWORD_MIN_LENGTH`.
   *
   * @default - the library's variables only
   */
  readonly auth?: SupabaseServiceEnvironment;

  /**
   * REST (PostgREST), e.g. `PGRST_DB_POOL`.
   *
   * @default - the library's variables only
   */
  readonly rest?: SupabaseServiceEnvironment;

  /**
   * Realtime.
   *
   * @default - the library's variables only
   */
  readonly realtime?: SupabaseServiceEnvironment;

  /**
   * The Storage API.
   *
   * @default - the library's variables only
   */
  readonly storage?: SupabaseServiceEnvironment;

  /**
   * imgproxy (deployed only with image transformation on).
   *
   * @default - the library's variables only
   */
  readonly imgproxy?: SupabaseServiceEnvironment;

  /**
   * postgres-meta.
   *
   * @default - the library's variables only
   */
  readonly meta?: SupabaseServiceEnvironment;

  /**
   * Studio.
   *
   * @default - the library's variables only
   */
  readonly studio?: SupabaseServiceEnvironment;

  /**
   * Edge Functions (deployed only with `functions`).
   *
   * @default - the library's variables only
   */
  readonly functions?: SupabaseServiceEnvironment;
}
