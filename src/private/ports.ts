/** PostgreSQL's port, on the instance, the proxy and in the network rules: every Supabase service assumes it. */
export const POSTGRES_PORT = 5432;
