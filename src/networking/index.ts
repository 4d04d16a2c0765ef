export * from './supabase-network';
export * from './network-props';
