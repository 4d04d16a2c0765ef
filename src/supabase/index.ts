export * from './supabase-on-aws';
export * from './supabase-observability';
export * from './alarm-thresholds';
export * from './settings';
export * from './cache/cache-settings';
export { SupabaseImages } from './images';
