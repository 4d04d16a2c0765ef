export * from './kubernetes-version';
export * from './supabase-cluster';
