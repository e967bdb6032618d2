import type { PoolOptions } from '@citadel/db';
import { DATABASE_NAME } from '@citadel/db';
import { ConfigError } from '../errors.js';
import { API_ENV } from '../contract.js';

export type Env = Readonly<Record<string, string | undefined>>;

export interface JobEnvironment {
  readonly database: PoolOptions;
  /** Where the outbox sends payment ids; null when PAYMENTS_QUEUE_URL is not set. */
  readonly paymentsQueueUrl: string | null;
}

const SQS_QUEUE_URL =
  /^https:\/\/sqs\.[a-z0-9-]+\.amazonaws\.com(\.cn)?\/\d{12}\/[A-Za-z0-9_-]{1,80}(\.fifo)?$/;

/**
 * Reads the database connection the way the API does: `DB_AUTH=iam` (the default without
 * DATABASE_URL) with DB_HOST, DB_PORT, DB_NAME, DB_USER, AWS_REGION and DB_CA_BUNDLE_PATH,
 * or `DB_AUTH=url` with DATABASE_URL. `DB_USER` defaults to the job's own role. Every
 * problem is collected into one ConfigError, each naming its variable; values that may
 * hold a password are never repeated.
 */
export function readJobEnvironment(env: Env, defaultUser: string, applicationName: string): JobEnvironment {
  const problems: string[] = [];
  const value = (name: string) => env[name]?.trim() || undefined;
  const required = (name: string, what: string) => {
    const found = value(name);
    if (!found) problems.push(`${name}: not set; set it to ${what}`);
    return found ?? '';
  };
  const common = { max: 2, statementTimeoutMs: 30_000, applicationName };

  const auth = value(API_ENV.databaseAuth) ?? (value(API_ENV.databaseUrl) ? 'url' : 'iam');
  let database: PoolOptions;
  if (auth === 'url') {
    const url = required(API_ENV.databaseUrl, 'a postgres://user@host:port/database URL');
    if (url && !isPostgresUrl(url)) {
      problems.push('DATABASE_URL: not a postgres:// or postgresql:// URL (value not shown)');
    }
    database = { kind: 'url', connectionString: url, ...common };
  } else {
    if (auth !== 'iam') problems.push(`DB_AUTH: '${auth.slice(0, 40)}' is neither iam nor url`);
    const portText = value(API_ENV.databasePort) ?? '5432';
    const port = Number(portText);
    if (!/^\d{1,5}$/.test(portText) || port < 1 || port > 65_535) {
      problems.push(`DB_PORT: '${portText.slice(0, 40)}' is not a port from 1 to 65535`);
    }
    database = {
      kind: 'iam',
      hostname: required(API_ENV.databaseHost, "the database endpoint's host name"),
      port,
      database: value(API_ENV.databaseName) ?? DATABASE_NAME,
      username: value(API_ENV.databaseUser) ?? defaultUser,
      region: required(API_ENV.awsRegion, 'the region IAM database tokens are signed for'),
      caBundlePath: required(API_ENV.databaseCaBundlePath, 'the path of the RDS CA bundle'),
      ...common,
    };
  }

  const paymentsQueueUrl = value(API_ENV.paymentsQueueUrl) ?? null;
  if (paymentsQueueUrl !== null && !SQS_QUEUE_URL.test(paymentsQueueUrl)) {
    problems.push(
      `PAYMENTS_QUEUE_URL: '${paymentsQueueUrl.slice(0, 120)}' is not an SQS queue URL such as https://sqs.eu-west-1.amazonaws.com/111111111111/citadel-payments`,
    );
  }
  if (problems.length > 0) throw new ConfigError(`invalid configuration: ${problems.join('; ')}`);
  return { database, paymentsQueueUrl };
}

function isPostgresUrl(text: string): boolean {
  try {
    return ['postgres:', 'postgresql:'].includes(new URL(text).protocol);
  } catch {
    return false;
  }
}
