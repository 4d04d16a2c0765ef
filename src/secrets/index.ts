export * from './supabase-secrets';
export * from './smtp';
export * from './secrets-props';
