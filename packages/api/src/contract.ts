/**
 * What the API promises the platform that runs it: the environment variables it reads, the
 * paths its probes answer on, the port it listens on by default and the names of the log
 * events that alarms and dashboards count. The infrastructure imports these instead of
 * spelling them again, so this module imports nothing: the CDK app loads it without loading
 * Fastify, the database driver or the AWS SDK.
 */

/** Every environment variable the API reads at start-up, by the setting it carries. */
export const API_ENV = {
  /** `aws` (the default) or `local`, which relaxes the rules for a developer machine. */
  mode: 'CITADEL_MODE',
  host: 'HOST',
  port: 'PORT',
  logLevel: 'LOG_LEVEL',
  /** `iam` (short-lived IAM tokens) or `url` (DATABASE_URL with a password). */
  databaseAuth: 'DB_AUTH',
  databaseUrl: 'DATABASE_URL',
  databaseHost: 'DB_HOST',
  databasePort: 'DB_PORT',
  databaseName: 'DB_NAME',
  databaseUser: 'DB_USER',
  /** The RDS CA bundle in the image, which the database's certificate is verified against. */
  databaseCaBundlePath: 'DB_CA_BUNDLE_PATH',
  databasePoolMax: 'DB_POOL_MAX',
  /** Set by ECS in every task; the region IAM database tokens are signed for. */
  awsRegion: 'AWS_REGION',
  jwksParameter: 'AUTH_JWKS_PARAMETER',
  jwks: 'AUTH_JWKS',
  jwksUrl: 'AUTH_JWKS_URL',
  /**
   * Public keys of the pre-traffic deployment check (a JSON Web Key Set of P-256 keys). Unset,
   * the check's probe tokens are refused like any token signed by an unknown key.
   */
  probeJwks: 'AUTH_PROBE_JWKS',
  issuer: 'AUTH_ISSUER',
  audience: 'AUTH_AUDIENCE',
  algorithms: 'AUTH_ALGORITHMS',
  maxTokenAgeSeconds: 'AUTH_MAX_TOKEN_AGE_SECONDS',
  tokenType: 'AUTH_TOKEN_TYPE',
  failureLimit: 'AUTH_FAILURE_LIMIT',
  failureWindowSeconds: 'AUTH_FAILURE_WINDOW_SECONDS',
  requestTimeoutMs: 'HTTP_REQUEST_TIMEOUT_MS',
  headersTimeoutMs: 'HTTP_HEADERS_TIMEOUT_MS',
  paymentAmountCap: 'PAYMENT_AMOUNT_CAP',
  paymentAmountCaps: 'PAYMENT_AMOUNT_CAPS',
  paymentsQueueUrl: 'PAYMENTS_QUEUE_URL',
  rateLimitPerMinute: 'RATE_LIMIT_PER_MINUTE',
  trustedProxyHops: 'TRUSTED_PROXY_HOPS',
} as const;

export type ApiEnvironmentVariable = (typeof API_ENV)[keyof typeof API_ENV];

/** Where the API takes the identity provider's keys from; exactly one of them is set. */
export const API_KEY_SOURCE_ENV = [API_ENV.jwksParameter, API_ENV.jwks, API_ENV.jwksUrl] as const;

/**
 * Variables without a default in `aws` mode with IAM database sign-in (the default when
 * DATABASE_URL is not set): a task whose environment lacks one of them does not start. One of
 * {@link API_KEY_SOURCE_ENV} is required as well.
 */
export const API_ENV_REQUIRED_IN_AWS = [
  API_ENV.awsRegion,
  API_ENV.databaseHost,
  API_ENV.databaseCaBundlePath,
  API_ENV.issuer,
  API_ENV.audience,
  API_ENV.paymentsQueueUrl,
] as const satisfies readonly ApiEnvironmentVariable[];

/** Variables whose values are never repeated in an error message or a log line. */
export const API_SECRET_ENV = [API_ENV.databaseUrl, API_ENV.jwks] as const;

/** Liveness: answers 200 while the process serves HTTP, without touching the database. */
export const API_HEALTH_PATH = '/health';
/** Readiness: 200 once the database answers and its migrations are current, 503 otherwise. */
export const API_READINESS_PATH = '/ready';
/** Where the payments routes are mounted; the deployment check reads `<path>/<id>`. */
export const API_PAYMENTS_PATH = '/v1/payments';

/**
 * Issuer of the deployment check's probe tokens. Such a token is verified only against
 * AUTH_PROBE_JWKS, never against the identity provider's keys, and the identity provider may
 * not use this issuer.
 */
export const API_PROBE_ISSUER = 'urn:citadel:deployment-check';
/** The probe's `sub`: the actor the audit trail records for every request it makes. */
export const API_PROBE_SUBJECT = 'deployment-check';
/** The only scopes a probe token may carry: reads. A token asking for more is refused whole. */
export const API_PROBE_SCOPES = ['patients:read', 'payments:read'] as const;
/** Longest lifetime of a probe token (exp − iat) and oldest `iat` accepted, in seconds. */
export const API_PROBE_MAX_TOKEN_LIFETIME_SECONDS = 60;

/** Port the API listens on when PORT is not set. */
export const API_DEFAULT_PORT = 8080;

/**
 * Names of the log events (the `event` field of a JSON log line) that other systems count
 * or alarm on; renaming one silently breaks a metric filter.
 */
export const API_LOG_EVENTS = {
  authFailed: 'auth_failed',
  authRateLimited: 'auth_rate_limited',
  authKeysLoaded: 'auth_keys_loaded',
  authKeysRefreshFailed: 'auth_keys_refresh_failed',
  accessDenied: 'access_denied',
  cardDataRejected: 'card_data_rejected',
  paymentEnqueueFailed: 'payment_enqueue_failed',
  databaseUnavailable: 'database_unavailable',
  clientValueRefusedByDatabase: 'client_value_refused_by_database',
  auditWriteFailed: 'audit_write_failed',
  notReady: 'not_ready',
} as const;

export type ApiLogEvent = (typeof API_LOG_EVENTS)[keyof typeof API_LOG_EVENTS];

/** What each log event means, in one line, for alarm descriptions and runbooks. */
export const API_LOG_EVENT_MEANINGS: { readonly [Event in ApiLogEvent]: string } = {
  auth_failed:
    'A request with a missing, malformed, expired or wrongly signed bearer token was refused (401).',
  auth_rate_limited: 'A client address exceeded the failed-authentication limit and was answered 429.',
  auth_keys_loaded: "The identity provider's keys were read from the SSM parameter.",
  auth_keys_refresh_failed:
    "The identity provider's keys could not be re-read; the last good keys stay in use.",
  access_denied: 'A signed-in caller lacked the scope a route needs (403).',
  card_data_rejected:
    'A request carrying what looks like a card number was refused before any handler saw it.',
  payment_enqueue_failed: 'A payment was stored but could not be handed to the payments queue.',
  database_unavailable: 'The database did not answer a request; the client got 503.',
  client_value_refused_by_database:
    'The database refused a value from the client (bad encoding or out of range).',
  audit_write_failed: 'A refused request could not be written to the audit trail.',
  not_ready: 'A readiness probe found the database unreachable.',
};

/** What the maintenance jobs' entry (`node jobs.mjs <job-name>`) reads beyond the database and queue settings. */
export const JOB_ENV = {
  /** A run still going after this many seconds stops itself and exits 1 (set by the platform from the job's timeout). */
  timeoutSeconds: 'JOB_TIMEOUT_SECONDS',
} as const;

/**
 * The one log line every job run ends with. The platform's job alarm counts
 * `job_succeeded` lines: a period without one (failed, crashed, timed out, never started) alarms.
 */
export const JOB_LOG_EVENTS = {
  succeeded: 'job_succeeded',
  failed: 'job_failed',
} as const;
