export * from './supabase-on-aws';
export * from './supabase-on-aws-props';
export * from './observability';
export * from './workloads/settings';
export * from './workloads/auth/external-providers';
export * from './cache/cache-settings';
export * from './edge/cdn-settings';
export { SupabaseImages } from './workloads/images';
export * from './workloads/services-options';
