export * from './cluster-props';
export * from './image-cache';
export * from './kubernetes-version';
export * from './supabase-cluster';
