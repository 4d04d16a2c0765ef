export * from './supabase-storage';
export * from './storage-props';
