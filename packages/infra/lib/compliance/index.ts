export * from './citadel-checks.js';
export * from './citadel-rules.js';
export * from './pci-dss-v4.js';
export * from './rules/index.js';
