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

/** Every login role the bootstrap creates, in creation order. Usernames are fixed by the upstream services. */
export const SUPABASE_LOGINS: readonly SupabaseLogin[] = [
  {
    id: 'Auth',
    username: 'supabase_auth_admin',
    description: 'Supabase Auth (GoTrue): owns schema auth and runs its migrations there',
  },
  {
    id: 'Rest',
    username: 'authenticator',
    description: 'Supabase REST (PostgREST): switches to anon, authenticated or service_role per request',
  },
  {
    id: 'Storage',
    username: 'supabase_storage_admin',
    description: 'Supabase Storage API: owns schema storage and runs its migrations there',
  },
  {
    id: 'Realtime',
    username: 'supabase_admin',
    description: 'Supabase Realtime: logical replication through rds_replication (not a superuser on RDS)',
  },
  {
    id: 'Meta',
    username: 'postgres',
    description: 'Supabase postgres-meta and Studio (a member of rds_superuser, never the RDS master user)',
  },
];

/**
 * Role names the bootstrap creates without a login (or that RDS keeps for itself); the master user may not take
 * any of them, nor any login's username.
 */
export const RESERVED_ROLE_NAMES: readonly string[] = [
  'anon',
  'authenticated',
  'service_role',
  'supabase_realtime_admin',
  'dashboard_user',
  'rdsadmin',
  'rds_superuser',
  'rds_replication',
  'rds_password',
  'rds_iam',
  'public',
];
