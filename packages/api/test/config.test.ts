import { describe, expect, it } from 'vitest';
import { loadConfig } from '../src/config.js';
import { ConfigError } from '../src/errors.js';

const VALID_AWS = {
  CITADEL_MODE: 'aws',
  DB_AUTH: 'iam',
  DB_HOST: 'citadel.cluster.eu-west-1.rds.amazonaws.com',
  DB_CA_BUNDLE_PATH: '/etc/ssl/certs/rds-global-bundle.pem',
  AWS_REGION: 'eu-west-1',
  AUTH_JWKS_PARAMETER: '/citadel/prod/auth/jwks',
  AUTH_ISSUER: 'https://login.example.com/',
  AUTH_AUDIENCE: 'citadel-api',
  PAYMENTS_QUEUE_URL: 'https://sqs.eu-west-1.amazonaws.com/111111111111/citadel-payments',
};

describe('configuration', () => {
  it('reads a complete AWS configuration with secure defaults', () => {
    const config = loadConfig(VALID_AWS);

    expect(config).toMatchObject({
      mode: 'aws',
      host: '0.0.0.0',
      port: 8080,
      database: { auth: 'iam', port: 5432, name: 'citadel', user: 'citadel_app' },
      auth: { algorithms: ['RS256', 'ES256'] },
      trustedProxyHops: 1,
    });
  });

  it.each([
    ['PORT', { PORT: 'eighty' }, "PORT: 'eighty' is not an integer"],
    ['DB_PORT', { DB_PORT: '70000' }, "DB_PORT: '70000' is not an integer between 1 and 65535"],
    ['CITADEL_MODE', { CITADEL_MODE: 'prod' }, "CITADEL_MODE: 'prod' is not one of local, aws"],
    [
      'AUTH_JWKS_URL',
      { AUTH_JWKS_PARAMETER: '', AUTH_JWKS_URL: 'http://10.0.4.20/jwks' },
      "AUTH_JWKS_URL: protocol 'http:' is not allowed",
    ],
    ['AUTH_ALGORITHMS', { AUTH_ALGORITHMS: 'RS256,HS256' }, "AUTH_ALGORITHMS: 'HS256' not allowed"],
    [
      'AUTH_ISSUER',
      { AUTH_ISSUER: 'citadel-local' },
      "AUTH_ISSUER: 'citadel-local' is the development issuer",
    ],
    ['PAYMENTS_QUEUE_URL', { PAYMENTS_QUEUE_URL: '' }, 'PAYMENTS_QUEUE_URL: required outside local mode'],
    ['DB_HOST', { DB_HOST: '' }, 'DB_HOST: required but not set'],
    ['LOG_LEVEL', { LOG_LEVEL: 'verbose' }, "LOG_LEVEL: 'verbose' is not one of"],
    ['PAYMENT_AMOUNT_CAP', { PAYMENT_AMOUNT_CAP: '0' }, "PAYMENT_AMOUNT_CAP: '0' is not an integer"],
    [
      'PAYMENT_AMOUNT_CAPS',
      { PAYMENT_AMOUNT_CAPS: 'EUR=5000,HRK=100' },
      'PAYMENT_AMOUNT_CAPS: amount cap for "HRK": not an active ISO 4217 currency',
    ],
  ])('fails when %s is bad, naming it', (_name, override, message) => {
    expect(() => loadConfig({ ...VALID_AWS, ...override })).toThrow(ConfigError);
    expect(() => loadConfig({ ...VALID_AWS, ...override })).toThrow(message);
  });

  it('limits token age, failed authentications and slow requests by default', () => {
    const config = loadConfig(VALID_AWS);

    expect(config.auth).toMatchObject({
      maxTokenAgeSeconds: 3600,
      tokenType: null,
      failureLimit: 20,
      failureWindowSeconds: 60,
    });
    expect(config.requestTimeoutMs).toBe(15_000);
    expect(config.headersTimeoutMs).toBe(10_000);
  });

  it('reads the expected token type and keeps a short request timeout above the headers timeout', () => {
    const config = loadConfig({
      ...VALID_AWS,
      AUTH_TOKEN_TYPE: 'application/at+jwt',
      HTTP_REQUEST_TIMEOUT_MS: '3000',
    });

    expect(config.auth.tokenType).toBe('application/at+jwt');
    expect(config.headersTimeoutMs).toBe(3000);
  });

  it.each([
    [
      'AUTH_MAX_TOKEN_AGE_SECONDS',
      { AUTH_MAX_TOKEN_AGE_SECONDS: '0' },
      "AUTH_MAX_TOKEN_AGE_SECONDS: '0' is not an integer between 60 and 86400",
    ],
    [
      'AUTH_TOKEN_TYPE',
      { AUTH_TOKEN_TYPE: 'at+jwt; drop' },
      "AUTH_TOKEN_TYPE: 'at+jwt; drop' is not a media type",
    ],
    ['AUTH_FAILURE_LIMIT', { AUTH_FAILURE_LIMIT: '-1' }, "AUTH_FAILURE_LIMIT: '-1' is not an integer"],
    [
      'AUTH_FAILURE_WINDOW_SECONDS',
      { AUTH_FAILURE_WINDOW_SECONDS: '1h' },
      "AUTH_FAILURE_WINDOW_SECONDS: '1h' is not an integer",
    ],
    [
      'HTTP_REQUEST_TIMEOUT_MS',
      { HTTP_REQUEST_TIMEOUT_MS: '0' },
      "HTTP_REQUEST_TIMEOUT_MS: '0' is not an integer between 1000 and 300000",
    ],
    [
      'HTTP_HEADERS_TIMEOUT_MS',
      { HTTP_REQUEST_TIMEOUT_MS: '5000', HTTP_HEADERS_TIMEOUT_MS: '8000' },
      'HTTP_HEADERS_TIMEOUT_MS: 8000 is longer than HTTP_REQUEST_TIMEOUT_MS (5000)',
    ],
  ])('fails when %s is bad, naming it', (_name, override, message) => {
    expect(() => loadConfig({ ...VALID_AWS, ...override })).toThrow(message);
  });

  it('takes the identity provider keys inline from AUTH_JWKS instead of a URL', () => {
    const keySet = { keys: [{ kty: 'EC', kid: 'idp-2026', crv: 'P-256', x: 'abc', y: 'def' }] };

    const config = loadConfig({ ...VALID_AWS, AUTH_JWKS_PARAMETER: '', AUTH_JWKS: JSON.stringify(keySet) });

    expect(config.auth).toMatchObject({ jwksUrl: null, jwksParameter: null, jwks: keySet });
  });

  it.each([
    ['not JSON', '{keys:', 'AUTH_JWKS: not valid JSON'],
    ['an empty key set', '{"keys":[]}', 'AUTH_JWKS: expected {"keys":[...]} with at least one public key'],
    ['a private key', '{"keys":[{"kty":"EC","kid":"k","d":"secret"}]}', 'no private members'],
  ])('fails when AUTH_JWKS is %s', (_case, value, message) => {
    expect(() => loadConfig({ ...VALID_AWS, AUTH_JWKS_PARAMETER: '', AUTH_JWKS: value })).toThrow(message);
  });

  it("reads the name of the key mirror's SSM parameter from AUTH_JWKS_PARAMETER", () => {
    const config = loadConfig(VALID_AWS);

    expect(config.auth).toMatchObject({
      jwksParameter: '/citadel/prod/auth/jwks',
      jwksUrl: null,
      jwks: null,
    });
  });

  it.each([
    'citadel/prod/auth/jwks',
    'arn:aws:ssm:eu-west-1:111111111111:parameter/citadel/jwks',
    '/citadel/a b',
  ])('fails when AUTH_JWKS_PARAMETER is %s, which is not a parameter name', (value) => {
    const attempt = () => loadConfig({ ...VALID_AWS, AUTH_JWKS_PARAMETER: value });

    expect(attempt).toThrow(ConfigError);
    expect(attempt).toThrow(/AUTH_JWKS_PARAMETER: .* is not a fully qualified SSM parameter name/);
  });

  const keySet = JSON.stringify({ keys: [{ kty: 'EC', kid: 'k' }] });
  it.each([
    ['none', { AUTH_JWKS_PARAMETER: '' }],
    ['AUTH_JWKS and AUTH_JWKS_PARAMETER', { AUTH_JWKS: keySet }],
    ['AUTH_JWKS_URL and AUTH_JWKS_PARAMETER', { AUTH_JWKS_URL: 'https://10.0.4.20/jwks.json' }],
    ['all three', { AUTH_JWKS: keySet, AUTH_JWKS_URL: 'https://10.0.4.20/jwks.json' }],
  ])('fails unless exactly one key source is set (given %s)', (_case, override) => {
    const attempt = () => loadConfig({ ...VALID_AWS, ...override });

    expect(attempt).toThrow(ConfigError);
    expect(attempt).toThrow(/set exactly one of AUTH_JWKS_PARAMETER, AUTH_JWKS, AUTH_JWKS_URL/);
  });

  it.each([
    'https://login.example.com/.well-known/jwks.json',
    'https://8.8.8.8/jwks.json',
    'https://172.32.0.1/jwks.json',
    'https://169.254.169.254/latest/jwks',
    'https://100.64.0.1/jwks.json',
    'https://[2001:db8::1]/jwks.json',
    'https://idp.internal.example.com/jwks.json',
    'https://10.0.0.1.nip.io/jwks.json',
  ])('refuses AUTH_JWKS_URL %s outside local mode, where the tasks cannot reach it', (url) => {
    const attempt = () => loadConfig({ ...VALID_AWS, AUTH_JWKS_PARAMETER: '', AUTH_JWKS_URL: url });

    expect(attempt).toThrow(ConfigError);
    expect(attempt).toThrow(/AUTH_JWKS_URL: .* is not reachable from the tasks.*AUTH_JWKS_PARAMETER/);
  });

  it.each([
    'https://10.0.4.20/.well-known/jwks.json',
    'https://172.16.0.1/jwks.json',
    'https://172.31.255.254/jwks.json',
    'https://192.168.10.10/jwks.json',
    'https://idp.internal/jwks.json',
    'https://keys.eu-west-1.compute.internal:8443/jwks.json',
    'https://127.0.0.1:9443/jwks.json',
  ])('accepts AUTH_JWKS_URL %s outside local mode, inside the VPC or the task', (url) => {
    const config = loadConfig({ ...VALID_AWS, AUTH_JWKS_PARAMETER: '', AUTH_JWKS_URL: url });

    expect(config.auth).toMatchObject({ jwksUrl: url, jwksParameter: null, jwks: null });
  });

  it('accepts any http(s) AUTH_JWKS_URL in local mode', () => {
    const config = loadConfig({
      CITADEL_MODE: 'local',
      DATABASE_URL: 'postgres://citadel@127.0.0.1/citadel',
      AUTH_JWKS_URL: 'https://login.example.com/.well-known/jwks.json',
      AUTH_ISSUER: 'https://login.example.com/',
      AUTH_AUDIENCE: 'citadel-api',
    });

    expect(config.auth.jwksUrl).toBe('https://login.example.com/.well-known/jwks.json');
  });

  it('fails with every problem listed at once', () => {
    const attempt = () => loadConfig({ ...VALID_AWS, PORT: 'x', AUTH_AUDIENCE: '' });

    expect(attempt).toThrow(/PORT: 'x'/);
    expect(attempt).toThrow(/AUTH_AUDIENCE: required/);
  });

  it.each([
    ['AWS_REGION', { AWS_REGION: 'Ireland' }, "AWS_REGION: 'Ireland' is not an AWS region such as eu-west-1"],
    [
      'DB_HOST',
      { DB_HOST: 'postgres://db.internal' },
      "DB_HOST: 'postgres://db.internal' is not a host name or IP address",
    ],
    ['DB_NAME', { DB_NAME: 'citadel"; drop' }, `DB_NAME: 'citadel"; drop' is not a PostgreSQL name`],
    ['DB_USER', { DB_USER: '1app' }, "DB_USER: '1app' is not a PostgreSQL name"],
    [
      'DB_CA_BUNDLE_PATH',
      { DB_CA_BUNDLE_PATH: 'certs/rds.pem' },
      "DB_CA_BUNDLE_PATH: 'certs/rds.pem' is not an absolute file path",
    ],
    ['HOST', { HOST: '0.0.0.0 8080' }, "HOST: '0.0.0.0 8080' is not a host name or IP address"],
    ['DB_POOL_MAX', { DB_POOL_MAX: '1e3' }, "DB_POOL_MAX: '1e3' is not an integer between 1 and 500"],
    [
      'TRUSTED_PROXY_HOPS',
      { TRUSTED_PROXY_HOPS: '9007199254740993' },
      "TRUSTED_PROXY_HOPS: '9007199254740993' is not an integer between 0 and 10",
    ],
    [
      'PAYMENTS_QUEUE_URL',
      { PAYMENTS_QUEUE_URL: 'sqs citadel-payments' },
      "PAYMENTS_QUEUE_URL: 'sqs citadel-payments' is not a valid URL; give the URL of the SQS queue",
    ],
    [
      'AUTH_ISSUER',
      { AUTH_ISSUER: 'https://login.example.com/\nforged' },
      "AUTH_ISSUER: 'https://login.example.com/\\u{a}forged' is not text",
    ],
    [
      'DATABASE_URL',
      { DB_AUTH: 'url' },
      'DATABASE_URL: required but not set (DB_AUTH is url); set it to a postgres://',
    ],
    [
      'CITADEL_MODE',
      { CITADEL_MODE: '', PAYMENTS_QUEUE_URL: '' },
      'PAYMENTS_QUEUE_URL: required outside local mode (CITADEL_MODE is aws, the default)',
    ],
  ])('fails when %s is bad, naming it, the value and what to set', (_name, override, message) => {
    const attempt = () => loadConfig({ ...VALID_AWS, ...override });

    expect(attempt).toThrow(ConfigError);
    expect(attempt).toThrow(message);
  });

  it('reads trimmed values, treats blank ones as unset and ignores variables it does not read', () => {
    const config = loadConfig({
      ...VALID_AWS,
      PORT: ' 9090 ',
      LOG_LEVEL: '   ',
      AUTH_ALGORITHMS: 'ES256 , RS256',
      UNRELATED: 'not a number',
      __proto__: 'x',
    });

    expect(config.port).toBe(9090);
    expect(config.logLevel).toBe('info');
    expect(config.auth.algorithms).toEqual(['ES256', 'RS256']);
  });

  it('cuts a long value and escapes control characters in the message', () => {
    const attempt = () => loadConfig({ ...VALID_AWS, PORT: `8080\u001b[2J${'9'.repeat(500)}` });

    expect(attempt).toThrow("PORT: '8080\\u{1b}[2J99");
    expect(attempt).toThrow(/9…' is not an integer/);
    expect(attempt).not.toThrow('9'.repeat(200));
  });

  it('never echoes a user name and password given in a key URL', () => {
    const attempt = () =>
      loadConfig({ ...VALID_AWS, AUTH_JWKS_PARAMETER: '', AUTH_JWKS_URL: 'https://keys:hunter2@[::1/jwks' });

    expect(attempt).toThrow("AUTH_JWKS_URL: 'https://…@[::1/jwks' is not a valid URL");
    expect(attempt).not.toThrow(/hunter2/);
  });

  it('never echoes what AUTH_JWKS holds', () => {
    const attempt = () =>
      loadConfig({
        ...VALID_AWS,
        AUTH_JWKS_PARAMETER: '',
        AUTH_JWKS: '{"keys":[{"kty":"oct","kid":"k","k":"c2VjcmV0LWhtYWMta2V5"}]}',
      });

    expect(attempt).toThrow(/AUTH_JWKS: expected/);
    expect(attempt).not.toThrow(/c2VjcmV0LWhtYWMta2V5/);
  });

  it('never echoes a database URL whose scheme is missing, where the password could look like one', () => {
    const attempt = () => loadConfig({ ...VALID_AWS, DB_AUTH: 'url', DATABASE_URL: 'hunter2:5432/citadel' });

    expect(attempt).toThrow(
      "DATABASE_URL: the URL's protocol is not allowed here (use postgres: or postgresql:)",
    );
    expect(attempt).not.toThrow(/hunter2/);
  });

  it('never echoes a database URL, which may hold a password', () => {
    const attempt = () =>
      loadConfig({ ...VALID_AWS, DB_AUTH: 'url', DATABASE_URL: 'mysql://user:hunter2@db/x' });

    expect(attempt).toThrow(/DATABASE_URL: protocol 'mysql:' is not allowed/);
    expect(attempt).not.toThrow(/hunter2/);
  });
});
