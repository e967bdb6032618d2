import { describe, expect, it } from 'vitest';
import { loadConfig } from '../src/config.js';
import { API_PROBE_ISSUER } from '../src/contract.js';
import { ConfigError } from '../src/errors.js';
import { ProbeKey } from './support/probe-key.js';

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

describe('AUTH_PROBE_JWKS', () => {
  it('is off by default: no probe keys, so probe tokens meet only the identity provider keys', () => {
    expect(loadConfig(VALID_AWS).auth.probeJwks).toBeNull();
  });

  it('reads the public P-256 keys of the deployment check', async () => {
    const probe = await ProbeKey.generate();

    const config = loadConfig({ ...VALID_AWS, AUTH_PROBE_JWKS: probe.keySetJson });

    expect(config.auth.probeJwks).toEqual({ keys: [probe.publicJwk] });
    expect(config.auth.jwksParameter).toBe('/citadel/prod/auth/jwks');
  });

  it('fails at start-up on the private key, naming the variable and the member, never the key', async () => {
    // Prepare
    const probe = await ProbeKey.generate();
    const value = JSON.stringify({ keys: [probe.privateJwk] });

    // Act
    const attempt = () => loadConfig({ ...VALID_AWS, AUTH_PROBE_JWKS: value });

    // Assess
    expect(attempt).toThrow(ConfigError);
    expect(attempt).toThrow(
      "AUTH_PROBE_JWKS: key #0 carries the private member 'd'; give only the public part",
    );
    expect(attempt).not.toThrow(probe.privateJwk.d as string);
  });

  it.each([
    ['not JSON', '{keys:', 'not valid JSON'],
    ['an empty set', '{"keys":[]}', 'at least one public P-256 key'],
    ['a bare key', '{"kty":"EC","crv":"P-256","kid":"k","x":"AA","y":"AA"}', 'at least one public P-256 key'],
    [
      'an RSA key',
      '{"keys":[{"kty":"RSA","kid":"k","n":"AQAB","e":"AQAB"}]}',
      'key #0 is not a public EC P-256 key',
    ],
    ['a P-384 key', '{"keys":[{"kty":"EC","crv":"P-384","kid":"k","x":"AA","y":"AA"}]}', 'key #0 is not'],
    ['a key without kid', '{"keys":[{"kty":"EC","crv":"P-256","x":"AA","y":"AA"}]}', 'with a kid'],
    ['a symmetric key', '{"keys":[{"kty":"oct","kid":"k","k":"c2VjcmV0LXZhbHVl"}]}', "private member 'k'"],
    ['a null key', '{"keys":[null]}', 'key #0 is not'],
    ['a key with __proto__', '{"keys":[{"__proto__":{"kty":"EC"},"kid":"k"}]}', 'key #0 is not'],
    [
      'too many keys',
      JSON.stringify({ keys: Array(5).fill({ kty: 'EC', crv: 'P-256', kid: 'k', x: 'A', y: 'A' }) }),
      'at most 4',
    ],
  ])('fails on %s, naming AUTH_PROBE_JWKS', (_case, value, message) => {
    const attempt = () => loadConfig({ ...VALID_AWS, AUTH_PROBE_JWKS: value });

    expect(attempt).toThrow(ConfigError);
    expect(attempt).toThrow(`AUTH_PROBE_JWKS: `);
    expect(attempt).toThrow(message);
    expect(attempt).not.toThrow('c2VjcmV0LXZhbHVl');
  });

  it("fails when the identity provider's issuer is the deployment check's", () => {
    const attempt = () => loadConfig({ ...VALID_AWS, AUTH_ISSUER: API_PROBE_ISSUER });

    expect(attempt).toThrow(ConfigError);
    expect(attempt).toThrow(`AUTH_ISSUER: '${API_PROBE_ISSUER}' is the deployment check's issuer`);
  });
});
