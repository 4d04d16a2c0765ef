export * from './supabase-network';
