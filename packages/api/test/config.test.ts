import { describe, expect, it } from 'vitest';
import { loadConfig } from '../src/config.js';
import { ConfigError } from '../src/errors.js';

const VALID_AWS = {
  CITADEL_MODE: 'aws',
  DB_AUTH: 'iam',
  DB_HOST: 'citadel.cluster.eu-west-1.rds.amazonaws.com',
  DB_CA_BUNDLE_PATH: '/etc/ssl/certs/rds-global-bundle.pem',
  AWS_REGION: 'eu-west-1',
  AUTH_JWKS_URL: 'https://login.example.com/.well-known/jwks.json',
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
      { AUTH_JWKS_URL: 'http://login.example.com/jwks' },
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
  ])('fails when %s is bad, naming it', (_name, override, message) => {
    expect(() => loadConfig({ ...VALID_AWS, ...override })).toThrow(ConfigError);
    expect(() => loadConfig({ ...VALID_AWS, ...override })).toThrow(message);
  });

  it('takes the identity provider keys inline from AUTH_JWKS instead of a URL', () => {
    const keySet = { keys: [{ kty: 'EC', kid: 'idp-2026', crv: 'P-256', x: 'abc', y: 'def' }] };

    const config = loadConfig({ ...VALID_AWS, AUTH_JWKS_URL: '', AUTH_JWKS: JSON.stringify(keySet) });

    expect(config.auth).toMatchObject({ jwksUrl: null, jwks: keySet });
  });

  it.each([
    ['not JSON', '{keys:', 'AUTH_JWKS: not valid JSON'],
    ['an empty key set', '{"keys":[]}', 'AUTH_JWKS: expected {"keys":[...]} with at least one public key'],
    ['a private key', '{"keys":[{"kty":"EC","kid":"k","d":"secret"}]}', 'no private members'],
  ])('fails when AUTH_JWKS is %s', (_case, value, message) => {
    expect(() => loadConfig({ ...VALID_AWS, AUTH_JWKS_URL: '', AUTH_JWKS: value })).toThrow(message);
  });

  it('fails when both AUTH_JWKS_URL and AUTH_JWKS are set', () => {
    const keySet = JSON.stringify({ keys: [{ kty: 'EC', kid: 'k' }] });

    expect(() => loadConfig({ ...VALID_AWS, AUTH_JWKS: keySet })).toThrow(
      'set either AUTH_JWKS_URL or AUTH_JWKS',
    );
  });

  it('fails with every problem listed at once', () => {
    const attempt = () => loadConfig({ ...VALID_AWS, PORT: 'x', AUTH_AUDIENCE: '' });

    expect(attempt).toThrow(/PORT: 'x'/);
    expect(attempt).toThrow(/AUTH_AUDIENCE: required/);
  });

  it('never echoes a database URL, which may hold a password', () => {
    const attempt = () =>
      loadConfig({ ...VALID_AWS, DB_AUTH: 'url', DATABASE_URL: 'mysql://user:hunter2@db/x' });

    expect(attempt).toThrow(/DATABASE_URL: protocol 'mysql:' is not allowed/);
    expect(attempt).not.toThrow(/hunter2/);
  });
});
