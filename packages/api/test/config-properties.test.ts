import fc from 'fast-check';
import { Value } from 'typebox/value';
import { describe, expect, it } from 'vitest';
import { API_ENVIRONMENT_SCHEMA, loadConfig, type Config } from '../src/config.js';
import { API_ENV, type ApiEnvironmentVariable } from '../src/contract.js';
import { ConfigError } from '../src/errors.js';

const VALID_AWS = {
  CITADEL_MODE: 'aws',
  DB_HOST: 'citadel.cluster.eu-west-1.rds.amazonaws.com',
  DB_CA_BUNDLE_PATH: '/etc/ssl/certs/rds-global-bundle.pem',
  AWS_REGION: 'eu-west-1',
  AUTH_JWKS_PARAMETER: '/citadel/prod/auth/jwks',
  AUTH_ISSUER: 'https://login.example.com/',
  AUTH_AUDIENCE: 'citadel-api',
  PAYMENTS_QUEUE_URL: 'https://sqs.eu-west-1.amazonaws.com/111111111111/citadel-payments',
};

const VALID_LOCAL = {
  CITADEL_MODE: 'local',
  DATABASE_URL: 'postgres://citadel_app@127.0.0.1:5432/citadel',
  AUTH_JWKS_URL: 'http://127.0.0.1:9000/jwks.json',
  AUTH_ISSUER: 'https://login.example.com/',
  AUTH_AUDIENCE: 'citadel-api',
};

/** Where each variable lands in the config, to compare with the schema's decoding of it. */
const FIELD: { readonly [Name in ApiEnvironmentVariable]: (config: Config) => unknown } = {
  CITADEL_MODE: (config) => config.mode,
  HOST: (config) => config.host,
  PORT: (config) => config.port,
  LOG_LEVEL: (config) => config.logLevel,
  DB_AUTH: (config) => config.database.auth,
  DATABASE_URL: (config) => (config.database.auth === 'url' ? config.database.url : undefined),
  DB_HOST: (config) => (config.database.auth === 'iam' ? config.database.host : undefined),
  DB_PORT: (config) => (config.database.auth === 'iam' ? config.database.port : undefined),
  DB_NAME: (config) => (config.database.auth === 'iam' ? config.database.name : undefined),
  DB_USER: (config) => (config.database.auth === 'iam' ? config.database.user : undefined),
  DB_CA_BUNDLE_PATH: (config) => (config.database.auth === 'iam' ? config.database.caBundlePath : undefined),
  DB_POOL_MAX: (config) => config.databasePoolMax,
  AWS_REGION: (config) => (config.database.auth === 'iam' ? config.database.region : undefined),
  AUTH_JWKS_PARAMETER: (config) => config.auth.jwksParameter,
  AUTH_JWKS: (config) => config.auth.jwks,
  AUTH_JWKS_URL: (config) => config.auth.jwksUrl,
  AUTH_PROBE_JWKS: (config) => config.auth.probeJwks,
  AUTH_ISSUER: (config) => config.auth.issuer,
  AUTH_AUDIENCE: (config) => config.auth.audience,
  AUTH_ALGORITHMS: (config) => config.auth.algorithms,
  AUTH_MAX_TOKEN_AGE_SECONDS: (config) => config.auth.maxTokenAgeSeconds,
  AUTH_TOKEN_TYPE: (config) => config.auth.tokenType,
  AUTH_FAILURE_LIMIT: (config) => config.auth.failureLimit,
  AUTH_FAILURE_WINDOW_SECONDS: (config) => config.auth.failureWindowSeconds,
  HTTP_REQUEST_TIMEOUT_MS: (config) => config.requestTimeoutMs,
  HTTP_HEADERS_TIMEOUT_MS: (config) => config.headersTimeoutMs,
  PAYMENT_AMOUNT_CAP: (config) => config.paymentAmountCap,
  PAYMENT_AMOUNT_CAPS: (config) => config.paymentAmountCaps,
  PAYMENTS_QUEUE_URL: (config) => config.paymentsQueueUrl,
  RATE_LIMIT_PER_MINUTE: (config) => config.rateLimitPerMinute,
  TRUSTED_PROXY_HOPS: (config) => config.trustedProxyHops,
};

/** Junk, near misses and well-formed values, so both outcomes are exercised. */
const anyValue = fc.oneof(
  fc.string(),
  fc.string({ unit: 'binary', maxLength: 40 }),
  fc.integer({ min: -100, max: 400_000 }).map(String),
  fc.bigInt({ min: -(10n ** 20n), max: 10n ** 20n }).map(String),
  fc.webUrl(),
  fc.webUrl().map((url) => url.replace(/^https?/, 'postgres')),
  fc.json(),
  fc.constantFrom(
    ...['aws', 'local', 'url', 'iam', 'info', 'silent', 'RS256', 'ES256,RS256', 'HS256', 'at+jwt'],
    ...['/citadel/prod/auth/jwks', 'EUR=5000', 'EUR=5000,HRK=1', ' 8080 ', '', '   ', '0', '-0'],
    ...['citadel-local', '0x10', '1e3', '9007199254740993', 'eu-west-1', 'https://10.0.4.20/jwks'],
    ...['{"keys":[{"kty":"EC","kid":"k"}]}', '{"keys":[]}', '__proto__', 'constructor'],
    ...['{"keys":[{"kty":"EC","crv":"P-256","kid":"p","x":"AA","y":"AA"}]}', 'urn:citadel:deployment-check'],
  ),
);

const EVERY_VARIABLE = Object.values(API_ENV);
/** Checked whenever set, but read only for IAM database sign-in. */
const IAM_SIGN_IN_ONLY = new Set<string>([
  'DB_HOST',
  'DB_PORT',
  'DB_NAME',
  'DB_USER',
  'DB_CA_BUNDLE_PATH',
  'AWS_REGION',
]);

describe('configuration from arbitrary values', () => {
  it('has a schema property for every variable of the contract and no other', () => {
    expect(Object.keys(API_ENVIRONMENT_SCHEMA.properties).sort()).toEqual([...EVERY_VARIABLE].sort());
  });

  it.each(
    EVERY_VARIABLE.flatMap((name) => [
      [name, 'aws', VALID_AWS],
      [name, 'local', VALID_LOCAL],
    ]) as [ApiEnvironmentVariable, string, Record<string, string>][],
  )(
    'either loads a value of %s the schema accepts (%s mode) or throws a ConfigError naming it',
    (name, _mode, base) => {
      const property = API_ENVIRONMENT_SCHEMA.properties[name];
      fc.assert(
        fc.property(anyValue, (value) => {
          // Act
          let config: Config;
          try {
            config = loadConfig({ ...base, [name]: value });
          } catch (error) {
            // Assess
            expect(error).toBeInstanceOf(ConfigError);
            expect((error as Error).message).toContain(name);
            return;
          }
          const trimmed = value.trim();
          if (trimmed === '') return;
          expect(Value.Check(property, trimmed)).toBe(true);
          if (config.database.auth === 'url' && IAM_SIGN_IN_ONLY.has(name)) return;
          expect(FIELD[name](config)).toEqual(Value.Decode(property, trimmed));
        }),
        { numRuns: 200 },
      );
    },
  );

  it('never repeats a password given in DATABASE_URL, however malformed the URL', () => {
    const password = fc.stringMatching(/^[A-Za-z0-9]{10,24}$/);
    const shape = fc.constantFrom(
      (pw: string) => `mysql://citadel:${pw}@db.internal/citadel`,
      (pw: string) => `postgres//citadel:${pw}@db.internal/citadel`,
      (pw: string) => `citadel:${pw}@db.internal/citadel`,
      (pw: string) => `${pw}:5432/citadel`,
      (pw: string) => `postgres://citadel:${pw}@db internal/citadel`,
      (pw: string) => `${pw}`,
      (pw: string) => `http://citadel:${pw}@[::1/citadel`,
    );
    fc.assert(
      fc.property(password, shape, (pw, url) => {
        // Act
        const attempt = () => loadConfig({ ...VALID_AWS, DB_AUTH: 'url', DATABASE_URL: url(pw) });

        // Assess
        expect(attempt).toThrow(ConfigError);
        expect(attempt).toThrow(/DATABASE_URL: /);
        expect(attempt).not.toThrow(pw);
      }),
    );
  });

  it('never repeats what AUTH_JWKS holds when it is refused', () => {
    fc.assert(
      fc.property(fc.stringMatching(/^[A-Za-z0-9+/]{12,40}$/), fc.json(), (secret, json) => {
        // Prepare
        const value = `{"keys":[{"kty":"oct","kid":"k","k":"${secret}"}], "x": ${json}}`;

        // Act
        const attempt = () => loadConfig({ ...VALID_AWS, AUTH_JWKS_PARAMETER: '', AUTH_JWKS: value });

        // Assess
        expect(attempt).toThrow(/AUTH_JWKS: /);
        expect(attempt).not.toThrow(secret);
      }),
    );
  });
});
