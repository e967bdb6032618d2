export * from './citadel-checks.js';
export * from './citadel-rules.js';
export * from './rules/index.js';
