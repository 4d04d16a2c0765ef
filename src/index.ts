export * from './networking';
export * from './secrets';
export * from './eks';
