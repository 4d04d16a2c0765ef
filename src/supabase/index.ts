export * from './supabase-on-aws';
export * from './settings';
export { SupabaseImages } from './images';
