export * from './observability-props';
export * from './supabase-observability';
export * from './thresholds';
