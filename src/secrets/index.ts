export * from './supabase-secrets';
