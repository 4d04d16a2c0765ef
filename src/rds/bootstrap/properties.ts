/**
 * The properties of the `Custom::SupabaseBootstrap` resource: written by the construct
 * (src/rds/private/bootstrap-resource.ts) and read by its handler (src/rds/bootstrap.lambda.ts). Types only, so
 * that the handler's bundle takes nothing of the construct. CloudFormation passes every value as a string.
 */
export interface BootstrapProperties {
  /** The RDS master secret: `username`, `password`, and (once attached to the instance) `host`, `port`. */
  readonly MasterSecretArn: string;
  /** Per service login: PostgreSQL role name to the ARN of its secret (`username`, `password`). */
  readonly LoginSecretArns: Record<string, string>;
  readonly DatabaseName: string;
  /** `'true'` or `'false'`. */
  readonly Postgis: string;
  /** `'true'` or `'false'`. */
  readonly PgCron: string;
  /**
   * The bundled handler's fingerprint: it changes with the handler (and the SQL in it), so that CloudFormation
   * updates the resource and the bootstrap runs again. Not read by the handler.
   */
  readonly HandlerFingerprint?: string;
  /** `bootstrapTrigger`: any change makes the bootstrap run again. Not read by the handler. */
  readonly Trigger?: string;
}
