export * from './supabase-database';
