export * from './supabase-storage';
