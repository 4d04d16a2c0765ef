export * from './supabase-observability';
export * from './thresholds';
