/**
 * The Supabase database bootstrap, for the custom resource's Lambda handler (src/rds/bootstrap.lambda.ts): no AWS
 * dependency here; the handler reads the secrets and passes a connected `pg.Client`.
 */
export type { BootstrapLogin, BootstrapOptions, ConnectAs } from './sql';
export { AUTHENTICATOR_ROLES, LOGIN_ROLES } from './roles';
export { BootstrapStepError, bootstrapDatabase } from './sql';
export { REALTIME_PUBLICATION, STEPS } from './steps';
export {
  PREEMPTED_REALTIME_MIGRATIONS,
  REALTIME_ADMIN_ROLE,
  REALTIME_FUNCTIONS,
  REALTIME_SCHEMA_CHECK,
  REALTIME_ROLE,
} from './realtime-schema';
export { SCRAM_ITERATIONS, isScramVerifier, scramSha256Verifier } from './scram';
