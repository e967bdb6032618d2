import type { JSONWebKeySet } from 'jose';
import { parsePublicKeySet } from './auth/public-key-set.js';
import { isReachableFromTasks } from './auth/task-reachable-host.js';
import { ConfigError } from './errors.js';
import { AmountCapsError, parseAmountCaps, type AmountCapsMajorUnits } from './domain/currency.js';

export type RunMode = 'local' | 'aws';
export const SIGNING_ALGORITHMS = ['RS256', 'ES256'] as const;
export type SigningAlgorithm = (typeof SIGNING_ALGORITHMS)[number];

/** Issuer of the development tokens minted by `npm start` and `npm run token`. */
export const LOCAL_ISSUER = 'citadel-local';
/** Key ids of development signing keys start with this; such keys are refused outside local mode. */
export const LOCAL_KEY_ID_PREFIX = 'citadel-local-';

export type DatabaseConfig =
  | { readonly auth: 'url'; readonly url: string }
  | {
      readonly auth: 'iam';
      readonly host: string;
      readonly port: number;
      readonly name: string;
      readonly user: string;
      readonly region: string;
      readonly caBundlePath: string;
    };

export interface Config {
  readonly mode: RunMode;
  readonly host: string;
  readonly port: number;
  readonly logLevel: 'fatal' | 'error' | 'warn' | 'info' | 'debug' | 'trace' | 'silent';
  readonly database: DatabaseConfig;
  readonly databasePoolMax: number;
  /** Exactly one of `jwksParameter`, `jwks` and `jwksUrl` is set. */
  readonly auth: {
    /**
     * SSM parameter that the key mirror keeps the identity provider's keys in
     * (AUTH_JWKS_PARAMETER), read through the SSM VPC endpoint and refreshed while running.
     */
    readonly jwksParameter: string | null;
    /**
     * Where to fetch the identity provider's keys (AUTH_JWKS_URL). Outside local mode only an
     * address the tasks reach without the internet: a private IP in the VPC ranges, a
     * `.internal` host or a loopback sidecar.
     */
    readonly jwksUrl: string | null;
    /**
     * The identity provider's public keys, pinned at deploy time (AUTH_JWKS). For services
     * in subnets without a route to the internet, where the JWKS URL cannot be fetched.
     */
    readonly jwks: JSONWebKeySet | null;
    readonly issuer: string;
    readonly audience: string;
    readonly algorithms: readonly SigningAlgorithm[];
    /**
     * Oldest token accepted, counted from its `iat` (AUTH_MAX_TOKEN_AGE_SECONDS); a token
     * without `iat` is refused. Bounds how long a leaked token stays useful even when the
     * identity provider issues long expiries.
     */
    readonly maxTokenAgeSeconds: number;
    /**
     * The `typ` header the identity provider sets on access tokens (AUTH_TOKEN_TYPE), e.g.
     * `at+jwt`; when set, tokens without it are refused. When null, a `typ` that is present
     * must be one of {@link ACCEPTED_TOKEN_TYPES}, so an ID token or a logout token typed as
     * such is refused.
     */
    readonly tokenType: string | null;
    /** More failed authentications than this from one client IP within the window answer 429. */
    readonly failureLimit: number;
    readonly failureWindowSeconds: number;
  };
  /** Slow clients are cut off: the whole request within this (HTTP_REQUEST_TIMEOUT_MS). */
  readonly requestTimeoutMs: number;
  /** The request headers within this (HTTP_HEADERS_TIMEOUT_MS); at most requestTimeoutMs. */
  readonly headersTimeoutMs: number;
  /** Largest accepted payment, in minor units. */
  readonly paymentAmountCap: number;
  /**
   * Largest payment per currency, in major units (`PAYMENT_AMOUNT_CAPS=EUR=250000,JPY=30000000`).
   * @default - 1,000,000 major units of each currency, within paymentAmountCap
   */
  readonly paymentAmountCaps: AmountCapsMajorUnits;
  /** SQS queue for payments; when absent (local mode only) payments are processed in-process. */
  readonly paymentsQueueUrl: string | null;
  readonly rateLimitPerMinute: number;
  /** Number of proxies (the load balancer) in front of the service whose X-Forwarded-For is trusted. */
  readonly trustedProxyHops: number;
}

type Env = Readonly<Record<string, string | undefined>>;

/** `typ` header values accepted when AUTH_TOKEN_TYPE is not set (compared case-insensitively). */
export const ACCEPTED_TOKEN_TYPES = ['JWT', 'at+jwt', 'application/at+jwt'] as const;
/** A media type as RFC 7515 allows in `typ`, e.g. `at+jwt` or `application/at+jwt`. */
const TOKEN_TYPE = /^[A-Za-z0-9][A-Za-z0-9!#$&^_.+-]{0,126}(\/[A-Za-z0-9][A-Za-z0-9!#$&^_.+-]{0,126})?$/;

/** Where the API can take the identity provider's keys from; exactly one is set. */
export const KEY_SOURCE_VARIABLES = ['AUTH_JWKS_PARAMETER', 'AUTH_JWKS', 'AUTH_JWKS_URL'] as const;
/** A fully qualified SSM parameter name, e.g. `/citadel/prod/auth/jwks`. */
const SSM_PARAMETER_NAME = /^(\/[A-Za-z0-9_.-]+)+$/;

function readKeySource(
  env: Env,
  mode: RunMode,
  read: EnvReader,
  problems: string[],
): Pick<Config['auth'], 'jwksParameter' | 'jwks' | 'jwksUrl'> {
  const given = KEY_SOURCE_VARIABLES.filter((name) => env[name]?.trim());
  if (given.length !== 1) {
    problems.push(
      given.length === 0
        ? `AUTH_JWKS_URL: required but not set; set exactly one of ${KEY_SOURCE_VARIABLES.join(', ')}`
        : `${given.join(', ')}: set exactly one of ${KEY_SOURCE_VARIABLES.join(', ')}, not ${given.length}`,
    );
    return { jwksParameter: null, jwks: null, jwksUrl: null };
  }
  const none = { jwksParameter: null, jwks: null, jwksUrl: null };
  switch (given[0]) {
    case 'AUTH_JWKS_PARAMETER': {
      const name = read.required('AUTH_JWKS_PARAMETER');
      if (!SSM_PARAMETER_NAME.test(name) || name.length > 1011) {
        problems.push(
          `AUTH_JWKS_PARAMETER: '${name}' is not a fully qualified SSM parameter name such as /citadel/prod/auth/jwks`,
        );
      }
      return { ...none, jwksParameter: name };
    }
    case 'AUTH_JWKS':
      return { ...none, jwks: read.jwks('AUTH_JWKS') };
    default: {
      const url = read.url('AUTH_JWKS_URL', mode === 'local' ? ['http:', 'https:'] : ['https:']);
      if (mode !== 'local' && URL.canParse(url) && !isReachableFromTasks(new URL(url).hostname)) {
        problems.push(
          `AUTH_JWKS_URL: host '${new URL(url).hostname}' is not reachable from the tasks, which have no route to the internet; ` +
            "deploy with the identity provider's URL as authJwksUrl so the key mirror copies its keys to SSM and set AUTH_JWKS_PARAMETER " +
            '(or pin the keys with AUTH_JWKS); a URL here must be a private VPC address, a .internal host or a loopback sidecar',
        );
      }
      return { ...none, jwksUrl: url };
    }
  }
}

/**
 * Reads and validates the service configuration from environment variables. Every
 * problem is collected, and one ConfigError lists each bad variable with what was wrong.
 */
export function loadConfig(env: Env = process.env): Config {
  const problems: string[] = [];
  const read = new EnvReader(env, problems);

  const mode = read.oneOf('CITADEL_MODE', ['local', 'aws'] as const, 'aws');
  const dbAuth = read.oneOf('DB_AUTH', ['url', 'iam'] as const, env.DATABASE_URL ? 'url' : 'iam');
  const database: DatabaseConfig =
    dbAuth === 'url'
      ? { auth: 'url', url: read.url('DATABASE_URL', ['postgres:', 'postgresql:']) }
      : {
          auth: 'iam',
          host: read.required('DB_HOST'),
          port: read.integer('DB_PORT', 5432, 1, 65535),
          name: read.required('DB_NAME', 'citadel'),
          user: read.required('DB_USER', 'citadel_app'),
          region: read.required('AWS_REGION'),
          caBundlePath: read.required('DB_CA_BUNDLE_PATH'),
        };

  const algorithms = read.list('AUTH_ALGORITHMS', SIGNING_ALGORITHMS, ['RS256', 'ES256']);
  const auth = {
    ...readKeySource(env, mode, read, problems),
    issuer: read.required('AUTH_ISSUER'),
    audience: read.required('AUTH_AUDIENCE'),
    algorithms,
    maxTokenAgeSeconds: read.integer('AUTH_MAX_TOKEN_AGE_SECONDS', 3600, 60, 86_400),
    tokenType: env.AUTH_TOKEN_TYPE?.trim() ? read.required('AUTH_TOKEN_TYPE') : null,
    failureLimit: read.integer('AUTH_FAILURE_LIMIT', 20, 1, 100_000),
    failureWindowSeconds: read.integer('AUTH_FAILURE_WINDOW_SECONDS', 60, 1, 3600),
  };
  if (auth.tokenType !== null && !TOKEN_TYPE.test(auth.tokenType)) {
    problems.push(
      `AUTH_TOKEN_TYPE: '${auth.tokenType}' is not a media type such as at+jwt or application/at+jwt`,
    );
  }
  const requestTimeoutMs = read.integer('HTTP_REQUEST_TIMEOUT_MS', 15_000, 1000, 300_000);
  const headersTimeoutMs = read.integer(
    'HTTP_HEADERS_TIMEOUT_MS',
    Math.min(10_000, requestTimeoutMs),
    1000,
    300_000,
  );
  if (headersTimeoutMs > requestTimeoutMs) {
    problems.push(
      `HTTP_HEADERS_TIMEOUT_MS: ${headersTimeoutMs} is longer than HTTP_REQUEST_TIMEOUT_MS (${requestTimeoutMs}); set it at most that`,
    );
  }
  if (mode === 'aws' && auth.issuer === LOCAL_ISSUER) {
    problems.push(
      `AUTH_ISSUER: '${LOCAL_ISSUER}' is the development issuer and is refused outside local mode`,
    );
  }

  const paymentsQueueUrl = env.PAYMENTS_QUEUE_URL ? read.url('PAYMENTS_QUEUE_URL', ['https:']) : null;
  if (mode === 'aws' && !paymentsQueueUrl) {
    problems.push(
      'PAYMENTS_QUEUE_URL: required outside local mode (the SQS queue the payment processor reads)',
    );
  }

  const config: Config = {
    mode,
    host: read.required('HOST', mode === 'local' ? '127.0.0.1' : '0.0.0.0'),
    port: read.integer('PORT', 8080, 0, 65535),
    logLevel: read.oneOf(
      'LOG_LEVEL',
      ['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'] as const,
      'info',
    ),
    database,
    databasePoolMax: read.integer('DB_POOL_MAX', 20, 1, 500),
    auth,
    paymentAmountCap: read.integer('PAYMENT_AMOUNT_CAP', 1_000_000, 1, Number.MAX_SAFE_INTEGER),
    paymentAmountCaps: readAmountCaps(env.PAYMENT_AMOUNT_CAPS, problems),
    paymentsQueueUrl,
    rateLimitPerMinute: read.integer('RATE_LIMIT_PER_MINUTE', 600, 1, 1_000_000),
    trustedProxyHops: read.integer('TRUSTED_PROXY_HOPS', mode === 'aws' ? 1 : 0, 0, 10),
    requestTimeoutMs,
    headersTimeoutMs,
  };
  if (problems.length > 0) {
    throw new ConfigError(`invalid configuration:\n  - ${problems.join('\n  - ')}`);
  }
  return config;
}

function readAmountCaps(value: string | undefined, problems: string[]): AmountCapsMajorUnits {
  if (!value?.trim()) return {};
  try {
    return parseAmountCaps(value);
  } catch (error) {
    if (!(error instanceof AmountCapsError)) throw error;
    problems.push(`PAYMENT_AMOUNT_CAPS: ${error.message}`);
    return {};
  }
}

class EnvReader {
  constructor(
    private readonly env: Env,
    private readonly problems: string[],
  ) {}

  private raw(name: string): string | undefined {
    const value = this.env[name]?.trim();
    return value === '' ? undefined : value;
  }

  required(name: string, fallback?: string): string {
    const value = this.raw(name) ?? fallback;
    if (value === undefined) {
      this.problems.push(`${name}: required but not set`);
      return '';
    }
    return value;
  }

  oneOf<T extends string>(name: string, allowed: readonly T[], fallback: T): T {
    const value = this.raw(name) ?? fallback;
    if (!(allowed as readonly string[]).includes(value)) {
      this.problems.push(`${name}: '${value}' is not one of ${allowed.join(', ')}`);
      return fallback;
    }
    return value as T;
  }

  integer(name: string, fallback: number, min: number, max: number): number {
    const value = this.raw(name);
    if (value === undefined) return fallback;
    const parsed = /^-?\d+$/.test(value) ? Number(value) : Number.NaN;
    if (!Number.isSafeInteger(parsed) || parsed < min || parsed > max) {
      this.problems.push(`${name}: '${value}' is not an integer between ${min} and ${max}`);
      return fallback;
    }
    return parsed;
  }

  url(name: string, protocols: readonly string[]): string {
    const value = this.required(name);
    if (value === '') return value;
    let url: URL;
    try {
      url = new URL(value);
    } catch {
      this.problems.push(`${name}: not a valid URL`);
      return value;
    }
    if (!protocols.includes(url.protocol)) {
      this.problems.push(
        `${name}: protocol '${url.protocol}' is not allowed here (use ${protocols.join(' or ')})`,
      );
    }
    return value;
  }

  /** A JSON Web Key Set of public keys only. */
  jwks(name: string): JSONWebKeySet | null {
    const text = this.raw(name) ?? '';
    const keySet = parsePublicKeySet(text);
    if (keySet) return keySet;
    this.problems.push(
      !isJson(text)
        ? `${name}: not valid JSON (expected a JSON Web Key Set: {"keys":[...]})`
        : `${name}: expected {"keys":[...]} with at least one public key, each with kty and kid and no private members`,
    );
    return null;
  }

  list<T extends string>(name: string, allowed: readonly T[], fallback: readonly T[]): T[] {
    const value = this.raw(name);
    if (value === undefined) return [...fallback];
    const items = value.split(',').map((item) => item.trim());
    const unknown = items.filter((item) => !(allowed as readonly string[]).includes(item));
    if (unknown.length > 0 || items.length === 0) {
      this.problems.push(
        `${name}: '${unknown.join(',') || value}' not allowed; choose from ${allowed.join(', ')}`,
      );
      return [...fallback];
    }
    return items as T[];
  }
}

function isJson(text: string): boolean {
  try {
    JSON.parse(text);
    return true;
  } catch {
    return false;
  }
}
