export * from './database-props';
export * from './supabase-database';
