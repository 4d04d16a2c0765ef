export * from './supabase-secrets';
export * from './smtp';
