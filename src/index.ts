export * from './networking';
export * from './secrets';
