export * from './networking';
export * from './secrets';
export * from './rds';
export * from './storage';
export * from './eks';
export * from './supabase';
