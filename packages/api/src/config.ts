import { APP_ROLE, DATABASE_NAME } from '@citadel/db';
import type { JSONWebKeySet } from 'jose';
import { Type, type Static, type StaticDecode } from 'typebox';
import { Value } from 'typebox/value';
import { parseProbeKeySet, probeKeySetProblem } from './auth/probe-key-set.js';
import { parsePublicKeySet } from './auth/public-key-set.js';
import { isReachableFromTasks } from './auth/task-reachable-host.js';
import {
  API_DEFAULT_PORT,
  API_ENV,
  API_KEY_SOURCE_ENV,
  API_PROBE_ISSUER,
  API_SECRET_ENV,
  type ApiEnvironmentVariable,
} from './contract.js';
import { ConfigError } from './errors.js';
import { AmountCapsError, parseAmountCaps, type AmountCapsMajorUnits } from './domain/currency.js';

export const SIGNING_ALGORITHMS = ['RS256', 'ES256'] as const;
const RUN_MODES = ['local', 'aws'] as const;
const LOG_LEVELS = ['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'] as const;
const DATABASE_AUTH = ['url', 'iam'] as const;

/** Issuer of the development tokens minted by `npm start` and `npm run token`. */
export const LOCAL_ISSUER = 'citadel-local';
/** Key ids of development signing keys start with this; such keys are refused outside local mode. */
export const LOCAL_KEY_ID_PREFIX = 'citadel-local-';
/** `typ` header values accepted when AUTH_TOKEN_TYPE is not set (compared case-insensitively). */
export const ACCEPTED_TOKEN_TYPES = ['JWT', 'at+jwt', 'application/at+jwt'] as const;

/** Longest value repeated in an error message; the rest is cut. */
const SHOWN_VALUE_LENGTH = 120;

/**
 * Every variable the API reads, as the text the environment holds: an unset or blank variable
 * is left out, the others are trimmed. Each carries `description` (what to set it to) and
 * `expected` (the shape its value must have), which the error messages quote.
 */
export const API_ENVIRONMENT_SCHEMA = Type.Object({
  [API_ENV.mode]: Type.Optional(oneOf(RUN_MODES, 'aws on AWS, local on a developer machine')),
  [API_ENV.host]: Type.Optional(
    Type.String({
      pattern: '^[A-Za-z0-9.:-]{1,255}$',
      description: 'the address to listen on',
      expected: 'a host name or IP address to listen on, such as 0.0.0.0',
    }),
  ),
  [API_ENV.port]: Type.Optional(integerBetween(0, 65535, 'the port to listen on')),
  [API_ENV.logLevel]: Type.Optional(oneOf(LOG_LEVELS, 'the lowest log level written')),
  [API_ENV.databaseAuth]: Type.Optional(
    oneOf(DATABASE_AUTH, 'iam to sign in with IAM tokens, url to use DATABASE_URL'),
  ),
  [API_ENV.databaseUrl]: Type.Optional(
    url(['postgres:', 'postgresql:'], 'a postgres://user@host:port/database URL', { secret: true }),
  ),
  [API_ENV.databaseHost]: Type.Optional(
    Type.String({
      pattern: '^[A-Za-z0-9:][A-Za-z0-9.:-]{0,252}$',
      description: "the database endpoint's host name",
      expected: 'a host name or IP address, without scheme or port',
    }),
  ),
  [API_ENV.databasePort]: Type.Optional(integerBetween(1, 65535, "the database endpoint's port")),
  [API_ENV.databaseName]: Type.Optional(identifier('the database to connect to')),
  [API_ENV.databaseUser]: Type.Optional(identifier('the database role to sign in as')),
  [API_ENV.databaseCaBundlePath]: Type.Optional(
    Type.String({
      pattern: '^/[^\\x00-\\x1f]*$',
      description: 'the path of the RDS CA bundle in the image, such as /etc/ssl/certs/rds-global-bundle.pem',
      expected: 'an absolute file path',
    }),
  ),
  [API_ENV.databasePoolMax]: Type.Optional(integerBetween(1, 500, 'the most database connections')),
  [API_ENV.awsRegion]: Type.Optional(
    Type.String({
      pattern: '^[a-z]{2}(-[a-z]+)+-[0-9]{1,2}$',
      description: "the task's AWS region, such as eu-west-1",
      expected: 'an AWS region such as eu-west-1',
    }),
  ),
  [API_ENV.jwksParameter]: Type.Optional(
    Type.String({
      pattern: '^(/[A-Za-z0-9_.-]+)+$',
      maxLength: 1011,
      description: "the SSM parameter the identity provider's keys are mirrored to",
      expected: 'a fully qualified SSM parameter name such as /citadel/prod/auth/jwks',
    }),
  ),
  [API_ENV.jwks]: Type.Optional(publicKeySet()),
  [API_ENV.jwksUrl]: Type.Optional(
    url(['http:', 'https:'], "the identity provider's JWKS URL", { secret: false }),
  ),
  [API_ENV.probeJwks]: Type.Optional(probeKeySet()),
  [API_ENV.issuer]: printable("the identity provider's issuer (the tokens' iss)"),
  [API_ENV.audience]: printable("this API's audience (the tokens' aud)"),
  [API_ENV.algorithms]: Type.Optional(algorithmList()),
  [API_ENV.maxTokenAgeSeconds]: Type.Optional(integerBetween(60, 86_400, 'the oldest token accepted')),
  [API_ENV.tokenType]: Type.Optional(
    Type.String({
      pattern: '^[A-Za-z0-9][A-Za-z0-9!#$&^_.+-]{0,126}(/[A-Za-z0-9][A-Za-z0-9!#$&^_.+-]{0,126})?$',
      description: "the typ header of the identity provider's access tokens",
      expected: 'a media type such as at+jwt or application/at+jwt',
    }),
  ),
  [API_ENV.failureLimit]: Type.Optional(integerBetween(1, 100_000, 'failed authentications per window')),
  [API_ENV.failureWindowSeconds]: Type.Optional(integerBetween(1, 3600, 'the failed-authentication window')),
  [API_ENV.requestTimeoutMs]: Type.Optional(integerBetween(1000, 300_000, 'the whole-request timeout')),
  [API_ENV.headersTimeoutMs]: Type.Optional(integerBetween(1000, 300_000, 'the request-headers timeout')),
  [API_ENV.paymentAmountCap]: Type.Optional(
    integerBetween(1, Number.MAX_SAFE_INTEGER, 'the largest payment, in minor units'),
  ),
  [API_ENV.paymentAmountCaps]: Type.Optional(amountCaps()),
  [API_ENV.paymentsQueueUrl]: Type.Optional(
    url(['https:'], 'the URL of the SQS queue the payment processor reads', { secret: false }),
  ),
  [API_ENV.rateLimitPerMinute]: Type.Optional(integerBetween(1, 1_000_000, 'requests per client per minute')),
  [API_ENV.trustedProxyHops]: Type.Optional(integerBetween(0, 10, 'proxies in front of the service')),
});

/** The variables as the environment holds them. */
export type RawEnvironment = Static<typeof API_ENVIRONMENT_SCHEMA>;
/** The variables once checked: integers as numbers, lists and key sets parsed. */
type Environment = StaticDecode<typeof API_ENVIRONMENT_SCHEMA>;

export type RunMode = NonNullable<Environment['CITADEL_MODE']>;
export type SigningAlgorithm = (typeof SIGNING_ALGORITHMS)[number];

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
  readonly logLevel: NonNullable<Environment['LOG_LEVEL']>;
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
    /**
     * Public keys of the pre-traffic deployment check (AUTH_PROBE_JWKS). Tokens with the
     * issuer API_PROBE_ISSUER are verified against these alone and may only read.
     * @default - null: probe tokens are refused like any token signed by an unknown key
     */
    readonly probeJwks: JSONWebKeySet | null;
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

/**
 * Reads and validates the service configuration from environment variables: each variable
 * against {@link API_ENVIRONMENT_SCHEMA}, then the rules that tie variables together. Every
 * problem is collected, and one ConfigError lists each bad variable, the value it holds
 * (unless it is a secret) and what to set instead. Variables the API does not read are ignored.
 */
export function loadConfig(env: Env = process.env): Config {
  const raw = presentVariables(env);
  const problems = schemaProblems(raw);
  const valid = Object.fromEntries(
    Object.entries(raw).filter(([name]) => !problems.some((problem) => problem.variable === name)),
  );
  const given = Value.Decode(Type.Partial(API_ENVIRONMENT_SCHEMA), valid) as Partial<Environment>;
  const rules = new RuleChecks(raw, given);

  const mode = given.CITADEL_MODE ?? 'aws';
  const database = rules.database();
  const keySource = rules.keySource(mode);
  rules.developmentIssuerOnlyLocally(mode);
  rules.probeIssuerReserved();
  const { requestTimeoutMs, headersTimeoutMs } = rules.timeouts();
  const paymentsQueueUrl = rules.paymentsQueueUrl(mode);

  problems.push(...rules.problems);
  if (problems.length > 0) {
    const lines = problems.map(({ variable, text }) => `${variable}: ${text}`);
    throw new ConfigError(`invalid configuration:\n  - ${lines.join('\n  - ')}`);
  }
  return {
    mode,
    host: given.HOST ?? (mode === 'local' ? '127.0.0.1' : '0.0.0.0'),
    port: given.PORT ?? API_DEFAULT_PORT,
    logLevel: given.LOG_LEVEL ?? 'info',
    database,
    databasePoolMax: given.DB_POOL_MAX ?? 20,
    auth: {
      ...keySource,
      probeJwks: given.AUTH_PROBE_JWKS ?? null,
      issuer: given.AUTH_ISSUER ?? '',
      audience: given.AUTH_AUDIENCE ?? '',
      algorithms: given.AUTH_ALGORITHMS ?? [...SIGNING_ALGORITHMS],
      maxTokenAgeSeconds: given.AUTH_MAX_TOKEN_AGE_SECONDS ?? 3600,
      tokenType: given.AUTH_TOKEN_TYPE ?? null,
      failureLimit: given.AUTH_FAILURE_LIMIT ?? 20,
      failureWindowSeconds: given.AUTH_FAILURE_WINDOW_SECONDS ?? 60,
    },
    paymentAmountCap: given.PAYMENT_AMOUNT_CAP ?? 1_000_000,
    paymentAmountCaps: given.PAYMENT_AMOUNT_CAPS ?? {},
    paymentsQueueUrl,
    rateLimitPerMinute: given.RATE_LIMIT_PER_MINUTE ?? 600,
    trustedProxyHops: given.TRUSTED_PROXY_HOPS ?? (mode === 'aws' ? 1 : 0),
    requestTimeoutMs,
    headersTimeoutMs,
  };
}

interface Problem {
  /** The variable, or the variables, the problem is about. */
  readonly variable: string;
  readonly text: string;
}

/** The API's variables that hold something other than blanks, trimmed. */
function presentVariables(env: Env): Record<string, string> {
  const present: Record<string, string> = {};
  for (const name of Object.values(API_ENV)) {
    const value = env[name]?.trim();
    if (value) present[name] = value;
  }
  return present;
}

/** One problem per variable that fails its schema, in the schema's order. */
function schemaProblems(raw: Record<string, string>): Problem[] {
  const failing = new Map<ApiEnvironmentVariable, string>();
  for (const error of Value.Errors(API_ENVIRONMENT_SCHEMA, raw)) {
    if (error.keyword === 'required') {
      for (const name of (error.params as { requiredProperties: ApiEnvironmentVariable[] })
        .requiredProperties) {
        failing.set(name, requiredText(name));
      }
      continue;
    }
    const name = error.instancePath.slice(1) as ApiEnvironmentVariable;
    if (failing.has(name)) continue;
    const value = raw[name] as string;
    failing.set(
      name,
      error.keyword === '~refine' ? error.message : `${shown(name, value)} is not ${expectation(name)}`,
    );
  }
  return Object.values(API_ENV)
    .filter((name) => failing.has(name))
    .map((name) => ({ variable: name, text: failing.get(name) as string }));
}

/** The rules that tie one variable to another, checked on the values that passed the schema. */
class RuleChecks {
  readonly problems: Problem[] = [];

  constructor(
    private readonly raw: Readonly<Record<string, string>>,
    private readonly given: Partial<Environment>,
  ) {}

  private problem(variable: ApiEnvironmentVariable, text: string): void {
    this.problems.push({ variable, text });
  }

  /** IAM sign-in unless DB_AUTH says otherwise or only DATABASE_URL is given. */
  database(): DatabaseConfig {
    const { given } = this;
    const chosen = given.DB_AUTH === undefined ? undefined : `${API_ENV.databaseAuth} is ${given.DB_AUTH}`;
    const auth = given.DB_AUTH ?? (this.raw.DATABASE_URL === undefined ? 'iam' : 'url');
    if (auth === 'url') {
      return {
        auth,
        url: this.requiredWhen(API_ENV.databaseUrl, chosen ?? `${API_ENV.databaseAuth} is url`),
      };
    }
    const because = chosen ?? `IAM sign-in, the default without ${API_ENV.databaseUrl}`;
    return {
      auth,
      host: this.requiredWhen(API_ENV.databaseHost, because),
      port: given.DB_PORT ?? 5432,
      name: given.DB_NAME ?? DATABASE_NAME,
      user: given.DB_USER ?? APP_ROLE,
      region: this.requiredWhen(API_ENV.awsRegion, because),
      caBundlePath: this.requiredWhen(API_ENV.databaseCaBundlePath, because),
    };
  }

  /** Exactly one key source; outside local mode, a key URL must be https and inside the VPC. */
  keySource(mode: RunMode): Pick<Config['auth'], 'jwksParameter' | 'jwks' | 'jwksUrl'> {
    const none = { jwksParameter: null, jwks: null, jwksUrl: null };
    const set = API_KEY_SOURCE_ENV.filter((name) => this.raw[name] !== undefined);
    if (set.length !== 1) {
      const choose = `set exactly one of ${API_KEY_SOURCE_ENV.join(', ')}`;
      this.problems.push(
        set.length === 0
          ? { variable: API_ENV.jwksUrl, text: `required but not set; ${choose}` }
          : { variable: set.join(', '), text: `${choose}, not ${set.length}` },
      );
      return none;
    }
    const jwksUrl = this.given.AUTH_JWKS_URL;
    if (mode !== 'local' && jwksUrl !== undefined) this.checkTaskReachable(jwksUrl, modeText(this.raw));
    return {
      jwksParameter: this.given.AUTH_JWKS_PARAMETER ?? null,
      jwks: this.given.AUTH_JWKS ?? null,
      jwksUrl: jwksUrl ?? null,
    };
  }

  /** The development issuer's tokens are refused outside local mode. */
  developmentIssuerOnlyLocally(mode: RunMode): void {
    if (mode === 'aws' && this.given.AUTH_ISSUER === LOCAL_ISSUER) {
      this.problem(
        API_ENV.issuer,
        `'${LOCAL_ISSUER}' is the development issuer and is refused outside local mode (${modeText(this.raw)}); set the identity provider's issuer`,
      );
    }
  }

  /** The deployment check's issuer belongs to its probe keys; the identity provider may not claim it. */
  probeIssuerReserved(): void {
    if (this.given.AUTH_ISSUER === API_PROBE_ISSUER) {
      this.problem(
        API_ENV.issuer,
        `'${API_PROBE_ISSUER}' is the deployment check's issuer, verified only with ${API_ENV.probeJwks}; set the identity provider's issuer`,
      );
    }
  }

  /** The headers must arrive within the time the whole request has. */
  timeouts(): Pick<Config, 'requestTimeoutMs' | 'headersTimeoutMs'> {
    const requestTimeoutMs = this.given.HTTP_REQUEST_TIMEOUT_MS ?? 15_000;
    const headersTimeoutMs = this.given.HTTP_HEADERS_TIMEOUT_MS ?? Math.min(10_000, requestTimeoutMs);
    if (headersTimeoutMs > requestTimeoutMs) {
      this.problem(
        API_ENV.headersTimeoutMs,
        `${headersTimeoutMs} is longer than ${API_ENV.requestTimeoutMs} (${requestTimeoutMs}); set it at most that`,
      );
    }
    return { requestTimeoutMs, headersTimeoutMs };
  }

  /** Outside local mode payments go to SQS; locally, without a queue, they are processed in-process. */
  paymentsQueueUrl(mode: RunMode): string | null {
    if (mode === 'aws' && this.raw.PAYMENTS_QUEUE_URL === undefined) {
      this.problem(
        API_ENV.paymentsQueueUrl,
        `required outside local mode (${modeText(this.raw)}); set it to the URL of the SQS queue the payment processor reads`,
      );
    }
    return this.given.PAYMENTS_QUEUE_URL ?? null;
  }

  private checkTaskReachable(jwksUrl: string, mode: string): void {
    const { protocol, hostname } = new URL(jwksUrl);
    if (protocol !== 'https:') {
      this.problem(
        API_ENV.jwksUrl,
        `protocol '${protocol}' is not allowed here (use https:); outside local mode (${mode}) the keys are fetched over TLS only`,
      );
    } else if (!isReachableFromTasks(hostname)) {
      this.problem(
        API_ENV.jwksUrl,
        `host '${hostname}' is not reachable from the tasks, which have no route to the internet; ` +
          "deploy with the identity provider's URL as authJwksUrl so the key mirror copies its keys to SSM and set AUTH_JWKS_PARAMETER " +
          '(or pin the keys with AUTH_JWKS); a URL here must be a private VPC address, a .internal host or a loopback sidecar',
      );
    }
  }

  private requiredWhen(name: ApiEnvironmentVariable, because: string): string {
    if (this.raw[name] === undefined) this.problem(name, requiredText(name, because));
    return this.raw[name] ?? '';
  }
}

/** How the mode was chosen, for messages about rules that hold outside local mode. */
function modeText(raw: Readonly<Record<string, string>>): string {
  return raw.CITADEL_MODE === 'aws' ? `${API_ENV.mode} is aws` : `${API_ENV.mode} is aws, the default`;
}

function requiredText(name: ApiEnvironmentVariable, because?: string): string {
  const reason = because === undefined ? '' : ` (${because})`;
  return `required but not set${reason}; set it to ${propertyOf(name).description ?? expectation(name)}`;
}

function propertyOf(name: ApiEnvironmentVariable): { description?: string; expected?: string } {
  return API_ENVIRONMENT_SCHEMA.properties[name] as { description?: string; expected?: string };
}

function expectation(name: ApiEnvironmentVariable): string {
  return propertyOf(name).expected ?? 'valid';
}

/** A value as an error message may quote it: never a secret, cut to length, controls escaped. */
function shown(name: ApiEnvironmentVariable, value: string): string {
  if ((API_SECRET_ENV as readonly string[]).includes(name)) return 'the value (not shown, it is secret)';
  return quoted(value);
}

function quoted(value: string): string {
  const cut = value.length > SHOWN_VALUE_LENGTH ? `${value.slice(0, SHOWN_VALUE_LENGTH)}…` : value;
  const escaped = cut.replace(
    /[\p{Cc}\p{Cf}\p{Zl}\p{Zp}]/gu,
    (character) => `\\u{${character.codePointAt(0)?.toString(16)}}`,
  );
  return `'${escaped}'`;
}

function oneOf<Values extends string[]>(values: readonly [...Values], description: string) {
  return Type.Enum(values, { description, expected: `one of ${values.join(', ')}` });
}

function integerBetween(min: number, max: number, description: string) {
  const expected = `an integer between ${min} and ${max}`;
  const inRange = (text: string): boolean => {
    const value = Number(text);
    return Number.isSafeInteger(value) && value >= min && value <= max;
  };
  return Type.Decode(
    Type.Refine(
      Type.String({ pattern: '^-?[0-9]+$', description, expected }),
      inRange,
      (text) => `${quoted(text)} is not ${expected}`,
    ),
    (text) => Number(text),
  );
}

function identifier(description: string) {
  return Type.String({
    pattern: '^[A-Za-z_][A-Za-z0-9_$]{0,62}$',
    description,
    expected: 'a PostgreSQL name: a letter or _, then letters, digits, _ or $, at most 63',
  });
}

function printable(description: string) {
  return Type.String({
    pattern: '^[^\\x00-\\x1f\\x7f]{1,2048}$',
    description,
    expected: 'text of at most 2048 characters without control characters',
  });
}

function url(protocols: readonly string[], description: string, { secret }: { secret: boolean }) {
  const use = `use ${protocols.join(' or ')}`;
  const parsed = (text: string): URL | null => (URL.canParse(text) ? new URL(text) : null);
  const subject = (text: string): string => (secret ? '' : `${quoted(withoutCredentials(text))} is `);
  return Type.Refine(
    Type.String({ description, expected: `an absolute URL (${use})` }),
    (text) => protocols.includes(parsed(text)?.protocol ?? ''),
    (text) => {
      const protocol = parsed(text)?.protocol;
      if (protocol === undefined) return `${subject(text)}not a valid URL; give ${description}`;
      // In a secret, text before a colon is shown only when it is plainly a scheme (`x://`):
      // `hunter2:rest` parses with the protocol `hunter2:`.
      const shownProtocol = !secret || text.toLowerCase().startsWith(`${protocol}//`);
      return `${shownProtocol ? `protocol '${protocol}'` : "the URL's protocol"} is not allowed here (${use})`;
    },
  );
}

/** The text with any `user:password@` replaced, for an error message. */
function withoutCredentials(text: string): string {
  return text.replace(/[^\s/?#@]*@/g, '…@');
}

function publicKeySet() {
  const description = 'a JSON Web Key Set of public keys: {"keys":[...]}';
  return Type.Decode(
    Type.Refine(
      Type.String({ description, expected: description }),
      (text) => parsePublicKeySet(text) !== null,
      (text) =>
        isJson(text)
          ? 'expected {"keys":[...]} with at least one public key, each with kty and kid and no private members'
          : 'not valid JSON (expected a JSON Web Key Set: {"keys":[...]})',
    ),
    (text) => parsePublicKeySet(text) as JSONWebKeySet,
  );
}

function probeKeySet() {
  const description = 'the deployment check\'s public P-256 keys as a JSON Web Key Set: {"keys":[...]}';
  return Type.Decode(
    Type.Refine(
      Type.String({ description, expected: description }),
      (text) => probeKeySetProblem(text) === null,
      (text) => probeKeySetProblem(text) ?? '',
    ),
    (text) => parseProbeKeySet(text),
  );
}

function algorithmList() {
  const items = (text: string): string[] => text.split(',').map((item) => item.trim());
  const unknown = (text: string): string[] =>
    items(text).filter((item) => !(SIGNING_ALGORITHMS as readonly string[]).includes(item));
  return Type.Decode(
    Type.Refine(
      Type.String({
        description: 'the signing algorithms accepted, comma-separated',
        expected: `a comma-separated list of ${SIGNING_ALGORITHMS.join(', ')}`,
      }),
      (text) => unknown(text).length === 0,
      (text) =>
        `${quoted(unknown(text).join(',') || text)} not allowed; choose from ${SIGNING_ALGORITHMS.join(', ')}`,
    ),
    (text) => items(text) as SigningAlgorithm[],
  );
}

function amountCaps() {
  const problem = (text: string): string | null => {
    try {
      parseAmountCaps(text);
      return null;
    } catch (error) {
      if (error instanceof AmountCapsError) return error.message;
      throw error;
    }
  };
  return Type.Decode(
    Type.Refine(
      Type.String({
        description: 'per-currency caps in major units, such as EUR=250000,JPY=30000000',
        expected: 'CURRENCY=amount pairs, comma-separated',
      }),
      (text) => problem(text) === null,
      (text) => problem(text) ?? '',
    ),
    (text) => parseAmountCaps(text),
  );
}

function isJson(text: string): boolean {
  try {
    JSON.parse(text);
    return true;
  } catch {
    return false;
  }
}
