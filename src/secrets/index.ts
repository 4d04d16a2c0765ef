export * from './supabase-secrets';
export * from './smtp';
export * from './secrets-props';
export * from './signing-keys-settings';
