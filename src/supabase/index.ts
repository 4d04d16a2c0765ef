export * from './supabase-on-aws';
export * from './supabase-observability';
export * from './settings';
export { SupabaseImages } from './images';
