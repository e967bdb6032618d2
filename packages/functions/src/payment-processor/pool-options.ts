import type { PoolOptions } from '@citadel/db';
import { FunctionConfigError } from '../errors.js';
import { LAMBDA_CA_BUNDLE_PATH } from '../shared/lambda-runtime.js';

const REQUIRED = ['DB_HOST', 'DB_NAME', 'DB_USER', 'AWS_REGION'] as const;

/**
 * Database settings from the function's environment: IAM authentication over verified
 * TLS in Lambda. `DATABASE_URL` is honoured only outside Lambda (local runs and tests);
 * set inside Lambda it is an error, so a password URL can never silently replace IAM auth.
 */
export function poolOptionsFromEnvironment(env: NodeJS.ProcessEnv): PoolOptions {
  const inLambda = Boolean(env.AWS_LAMBDA_FUNCTION_NAME);
  const common = { max: 4, applicationName: 'citadel-payment-processor' };
  if (env.DATABASE_URL) {
    if (inLambda) {
      throw new FunctionConfigError(
        'DATABASE_URL is only honoured outside Lambda; in Lambda set DB_HOST, DB_NAME and DB_USER for IAM authentication',
      );
    }
    return { kind: 'url', connectionString: env.DATABASE_URL, ...common };
  }
  const missing = REQUIRED.filter((name) => !env[name]);
  if (missing.length > 0) {
    throw new FunctionConfigError(
      `missing environment variable(s) ${missing.join(', ')}: the payment processor needs DB_HOST, DB_NAME, DB_USER and AWS_REGION (or DATABASE_URL outside Lambda)`,
    );
  }
  const port = Number(env.DB_PORT ?? 5432);
  if (!Number.isInteger(port) || port < 1 || port > 65535) {
    throw new FunctionConfigError(`DB_PORT must be a TCP port number, got "${env.DB_PORT}"`);
  }
  return {
    kind: 'iam',
    hostname: env.DB_HOST as string,
    port,
    database: env.DB_NAME as string,
    username: env.DB_USER as string,
    region: env.AWS_REGION as string,
    caBundlePath: env.DB_CA_BUNDLE_PATH ?? LAMBDA_CA_BUNDLE_PATH,
    ...common,
  };
}
