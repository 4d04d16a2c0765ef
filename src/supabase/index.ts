export * from './supabase-on-aws';
export * from './observability';
export * from './settings';
export { SupabaseImages } from './images';
