import { ROLES } from './bootstrap/roles';

/**
 * The PostgreSQL login roles the Supabase services connect as. The database bootstrap creates each role and sets
 * its password from the role's own secret; the services never log in as the RDS master user, so rotating the
 * master password cannot break them.
 *
 * Private to the library: the construct exposes one secret per entry (`<id in camelCase>Secret`).
 */
export interface SupabaseLogin {
  /** Construct id prefix of the login's secret, and the stem of its member name (`Auth` -> `authSecret`). */
  readonly id: string;
  /** The PostgreSQL role name the service logs in as. */
  readonly username: string;
  /** Which service uses it; becomes the secret's description. */
  readonly description: string;
}

/**
 * The order of the login secrets in the template (the bootstrap's policy, its properties): never change it.
 * Each id is a `service.id` of the bootstrap's role table.
 */
const LOGIN_SECRET_ORDER = ['Auth', 'Rest', 'Storage', 'Realtime', 'Meta'];

/** Every service login of the bootstrap's role table ({@link ROLES}), in the secrets' order. */
export const SUPABASE_LOGINS: readonly SupabaseLogin[] = LOGIN_SECRET_ORDER.map((id) => {
  const role = ROLES.find((r) => r.service?.id === id)!;
  return { id, username: role.name, description: role.service!.description };
});

/** Roles RDS keeps for itself, and the pseudo-role `public`. */
const RDS_ROLE_NAMES = ['rdsadmin', 'rds_superuser', 'rds_replication', 'rds_password', 'rds_iam', 'public'];

/**
 * Role names the bootstrap creates without a login (or that RDS keeps for itself); the master user may not take
 * any of them, nor any login's username.
 */
export const RESERVED_ROLE_NAMES: readonly string[] = [
  ...ROLES.filter((r) => !r.login).map((r) => r.name),
  ...RDS_ROLE_NAMES,
];
