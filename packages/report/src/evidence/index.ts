export * from './errors.js';
export * from './period.js';
export * from './manifest.js';
export * from './collect-evidence.js';
export * from './evidence-summary.js';
export { permissionError, POLICY_DOC } from './aws-call.js';
export * from './arguments.js';
export * from './cli.js';
