import { LOGIN_ROLES } from '../../src/rds/bootstrap';
import { RESERVED_ROLE_NAMES, SUPABASE_LOGINS } from '../../src/rds/logins';

test('the service logins are the login roles of the bootstrap, each once, in the secrets\' order', () => {
  expect(SUPABASE_LOGINS.map((l) => l.username).sort()).toEqual([...LOGIN_ROLES].sort());
  expect(SUPABASE_LOGINS.map((l) => `${l.id}:${l.username}`)).toEqual([
    'Auth:supabase_auth_admin',
    'Rest:authenticator',
    'Storage:supabase_storage_admin',
    'Realtime:supabase_admin',
    'Meta:postgres',
  ]);
});

test('the reserved role names are the bootstrap\'s roles without a login and those of RDS', () => {
  expect([...RESERVED_ROLE_NAMES].sort()).toEqual([
    'anon', 'authenticated', 'dashboard_user', 'public', 'rds_iam', 'rds_password', 'rds_replication',
    'rds_superuser', 'rdsadmin', 'service_role', 'supabase_realtime_admin',
  ]);
});
