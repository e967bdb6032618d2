import fc from 'fast-check';
import { createLocalJWKSet, SignJWT, UnsecuredJWT, base64url } from 'jose';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildApp } from '../../src/app.js';
import { loadConfig, LOCAL_ISSUER } from '../../src/config.js';
import { loadOrCreateDevSigningKey, LOCAL_AUDIENCE, mintDevToken } from '../../src/local/dev-keys.js';
import { ALL_SCOPES, startTestApp, type TestApp } from '../support/test-app.js';
import { TEST_AUDIENCE, TEST_ISSUER } from '../support/token-issuer.js';
import { mkdtemp } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

describe('authentication', () => {
  let t: TestApp;
  beforeAll(async () => {
    t = await startTestApp();
  });
  afterAll(() => t.close());

  const get = (authorization?: string) =>
    t.app.inject({
      method: 'GET',
      url: '/v1/patients',
      headers: authorization === undefined ? {} : { authorization },
    });

  it('accepts a valid RS256 token and a valid ES256 token', async () => {
    for (const alg of ['RS256', 'ES256'] as const) {
      const response = await get(`Bearer ${await t.issuer.token({ alg, scopes: ALL_SCOPES })}`);
      expect(response.statusCode).toBe(200);
    }
  });

  const badTokens: Array<[string, () => Promise<string | undefined>, string]> = [
    ['no authorization header', async () => undefined, 'missing_token'],
    ['a Basic credential', async () => 'Basic dXNlcjpwYXNz', 'malformed_token'],
    ['a bearer value that is not a JWT', async () => 'Bearer not-a-jwt', 'malformed_token'],
    [
      'an expired token',
      async () => `Bearer ${await t.issuer.token({ expiresIn: Math.floor(Date.now() / 1000) - 60 })}`,
      'expired',
    ],
    [
      'a token not valid yet',
      async () => `Bearer ${await t.issuer.token({ notBefore: Math.floor(Date.now() / 1000) + 600 })}`,
      'not_yet_valid',
    ],
    [
      'a token from another issuer',
      async () => `Bearer ${await t.issuer.token({ issuer: 'https://evil.example' })}`,
      'invalid_iss',
    ],
    [
      'a token for another audience',
      async () => `Bearer ${await t.issuer.token({ audience: 'other-api' })}`,
      'invalid_aud',
    ],
    [
      'an unsigned token (alg none)',
      async () =>
        `Bearer ${new UnsecuredJWT({ scope: ALL_SCOPES.join(' ') })
          .setIssuer(TEST_ISSUER)
          .setAudience(TEST_AUDIENCE)
          .setSubject('user-1')
          .setExpirationTime('5m')
          .encode()}`,
      'algorithm_not_allowed',
    ],
    [
      'an HS256 token keyed with the public RSA key',
      async () => {
        const publicJwk = t.issuer.publicJwk('RS256');
        const secret = new TextEncoder().encode(JSON.stringify(publicJwk));
        return `Bearer ${await new SignJWT({ scope: ALL_SCOPES.join(' ') })
          .setProtectedHeader({ alg: 'HS256', kid: publicJwk.kid as string })
          .setIssuer(TEST_ISSUER)
          .setAudience(TEST_AUDIENCE)
          .setSubject('user-1')
          .setExpirationTime('5m')
          .sign(secret)}`;
      },
      'algorithm_not_allowed',
    ],
    [
      'a token whose kid is unknown',
      async () => `Bearer ${await t.issuer.token({ kid: 'rotated-away' })}`,
      'unknown_key',
    ],
    [
      'a token with a tampered payload',
      async () => {
        const [header, , signature] = (await t.issuer.token({ scopes: ['patients:read'] })).split('.');
        const forged = base64url.encode(
          JSON.stringify({
            scope: ALL_SCOPES.join(' '),
            sub: 'admin',
            iss: TEST_ISSUER,
            aud: TEST_AUDIENCE,
            exp: 4e9,
          }),
        );
        return `Bearer ${header}.${forged}.${signature}`;
      },
      'bad_signature',
    ],
    [
      'a token without a subject',
      async () => `Bearer ${await t.issuer.token({ subject: null })}`,
      'invalid_sub',
    ],
    ['an empty subject', async () => `Bearer ${await t.issuer.token({ subject: '' })}`, 'invalid_sub'],
    ['a blank subject', async () => `Bearer ${await t.issuer.token({ subject: '   ' })}`, 'invalid_sub'],
    [
      'a numeric subject',
      async () =>
        `Bearer ${await t.issuer.token({ subject: null, claims: { sub: 42 as unknown as string } })}`,
      'invalid_sub',
    ],
    [
      'a subject with a line break',
      async () => `Bearer ${await t.issuer.token({ subject: 'user-1\n{"event":"forged"}' })}`,
      'invalid_sub',
    ],
    [
      'a subject longer than 255 characters',
      async () => `Bearer ${await t.issuer.token({ subject: 'u'.repeat(256) })}`,
      'invalid_sub',
    ],
    [
      'a token issued longer ago than the maximum token age',
      async () =>
        `Bearer ${await t.issuer.token({ issuedAt: Math.floor(Date.now() / 1000) - 3600 - 60, expiresIn: '1h' })}`,
      'too_old',
    ],
    ['a token without iat', async () => `Bearer ${await t.issuer.token({ issuedAt: null })}`, 'invalid_iat'],
    [
      'a token issued in the future',
      async () => `Bearer ${await t.issuer.token({ issuedAt: Math.floor(Date.now() / 1000) + 600 })}`,
      'invalid_iat',
    ],
    [
      'a token whose iat is not a number',
      async () =>
        `Bearer ${await t.issuer.token({ issuedAt: null, claims: { iat: 'yesterday' as unknown as number } })}`,
      'invalid_iat',
    ],
    [
      'an ID token typed as such',
      async () => `Bearer ${await t.issuer.token({ typ: 'id_token+jwt' })}`,
      'invalid_typ',
    ],
    ['a logout token', async () => `Bearer ${await t.issuer.token({ typ: 'logout+jwt' })}`, 'invalid_typ'],
    ['two spaces after the scheme', async () => `Bearer  ${await t.issuer.token()}`, 'malformed_token'],
    ['a tab after the scheme', async () => `Bearer\t${await t.issuer.token()}`, 'malformed_token'],
    [
      'two tokens',
      async () => `Bearer ${await t.issuer.token()} ${await t.issuer.token()}`,
      'malformed_token',
    ],
    [
      'two credentials joined by a comma',
      async () => `Bearer ${await t.issuer.token()}, Basic dXNlcjpwYXNz`,
      'malformed_token',
    ],
    ['the scheme without a token', async () => 'Bearer', 'malformed_token'],
    [
      'a scheme that only starts with Bearer',
      async () => `Bearerx ${await t.issuer.token()}`,
      'malformed_token',
    ],
  ];

  it.each(badTokens)('answers 401 with WWW-Authenticate for %s', async (_name, makeHeader, reason) => {
    const response = await get(await makeHeader());

    expect(response.statusCode).toBe(401);
    expect(response.headers['www-authenticate']).toMatch(/^Bearer realm="citadel"/);
    expect(response.json()).toMatchObject({ error: { code: 'unauthenticated' } });
    const logged = t.logs.map((line) => JSON.parse(line)).filter((entry) => entry.event === 'auth_failed');
    expect(logged.at(-1)).toMatchObject({ event: 'auth_failed', reason });
  });

  it.each([['Bearer'], ['bearer'], ['BEARER'], ['bEaReR']])(
    'accepts the scheme written %s',
    async (scheme) => {
      const response = await get(`${scheme} ${await t.token()}`);

      expect(response.statusCode).toBe(200);
    },
  );

  it('accepts the scheme in any mix of cases (property)', async () => {
    const token = await t.token();
    await fc.assert(
      fc.asyncProperty(fc.array(fc.boolean(), { minLength: 6, maxLength: 6 }), async (upper) => {
        const scheme = [...'bearer'].map((letter, i) => (upper[i] ? letter.toUpperCase() : letter)).join('');
        expect((await get(`${scheme} ${token}`)).statusCode).toBe(200);
      }),
      { numRuns: 30 },
    );
  });

  it('answers 401, never 200 or 5xx, to any other text around a valid token (property)', async () => {
    const token = await t.token();
    const printable = fc.string({
      unit: fc.constantFrom(...' \t,;=abcXYZ.-_~+/0123456789'),
      minLength: 1,
      maxLength: 8,
    });
    await fc.assert(
      fc.asyncProperty(
        fc.oneof(
          printable.map((extra) => `Bearer ${token}${extra}`),
          printable.map((extra) => `${extra}Bearer ${token}`),
          printable.filter((gap) => gap !== ' ').map((gap) => `Bearer${gap}${token}`),
        ),
        async (header) => {
          const response = await get(header);
          expect(response.statusCode).toBe(401);
        },
      ),
      { numRuns: 60 },
    );
  });

  it.each([
    ['no typ header', null],
    ['typ JWT', 'JWT'],
    ['typ jwt', 'jwt'],
    ['typ at+jwt', 'at+jwt'],
    ['typ application/at+jwt', 'application/at+jwt'],
  ])('accepts a token with %s when no token type is configured', async (_name, typ) => {
    const response = await get(`Bearer ${await t.issuer.token({ scopes: ALL_SCOPES, typ })}`);

    expect(response.statusCode).toBe(200);
  });

  it('requires the configured token type, and stops honouring a cached token at its maximum age', async () => {
    const strict = await startTestApp({ AUTH_TOKEN_TYPE: 'at+jwt', AUTH_MAX_TOKEN_AGE_SECONDS: '60' });
    const request = async (authorization: string) =>
      strict.app.inject({ method: 'GET', url: '/v1/patients', headers: { authorization } });
    try {
      const typed = await strict.issuer.token({ scopes: ALL_SCOPES, typ: 'application/at+jwt' });
      const plainJwt = await strict.issuer.token({ scopes: ALL_SCOPES, typ: 'JWT' });
      const untyped = await strict.issuer.token({ scopes: ALL_SCOPES, typ: null });
      // Within the 60 s maximum only thanks to the 5 s clock tolerance, for about one more second.
      const ageing = await strict.issuer.token({
        scopes: ALL_SCOPES,
        typ: 'at+jwt',
        issuedAt: Math.floor(Date.now() / 1000) - 64,
      });

      const results = {
        typed: (await request(`Bearer ${typed}`)).statusCode,
        plainJwt: (await request(`Bearer ${plainJwt}`)).statusCode,
        untyped: (await request(`Bearer ${untyped}`)).statusCode,
        ageingFirst: (await request(`Bearer ${ageing}`)).statusCode,
      };
      await new Promise((resolve) => setTimeout(resolve, 2100));
      const ageingLater = await request(`Bearer ${ageing}`);

      expect(results).toEqual({ typed: 200, plainJwt: 401, untyped: 401, ageingFirst: 200 });
      expect(ageingLater.statusCode).toBe(401);
      const reasons = strict.logs
        .map((line) => JSON.parse(line))
        .filter((entry) => entry.event === 'auth_failed')
        .map((entry) => entry.reason);
      expect(reasons).toEqual(['invalid_typ', 'invalid_typ', 'too_old']);
    } finally {
      await strict.close();
    }
  });

  it.each([
    ['GET', '/v1/patients', ['patients:write', 'payments:read'], 'patients:read'],
    ['POST', '/v1/patients', ['patients:read'], 'patients:write'],
    ['GET', '/v1/payments/7d1f4b3e-8c2a-4f6b-9e0d-1a2b3c4d5e6f', ['patients:read'], 'payments:read'],
    ['POST', '/v1/payments', ['payments:read'], 'payments:write'],
  ] as const)('answers 403 to %s %s without the scope it needs', async (method, url, scopes, needed) => {
    const response = await t.app.inject({
      method,
      url,
      headers: { authorization: `Bearer ${await t.issuer.token({ scopes })}` },
      ...(method === 'POST' ? { payload: {} } : {}),
    });

    expect(response.statusCode).toBe(403);
    expect(response.json()).toMatchObject({ error: { code: 'insufficient_scope' } });
    expect(response.headers['www-authenticate']).toContain(`scope="${needed}"`);
  });

  it('answers 503, not 401, when the key set cannot be fetched', async () => {
    const down = await startTestApp({ AUTH_JWKS_URL: 'http://127.0.0.1:9/.well-known/jwks.json' });
    try {
      const response = await down.app.inject({
        method: 'GET',
        url: '/v1/patients',
        headers: { authorization: `Bearer ${await down.token()}` },
      });
      expect(response.statusCode).toBe(503);
      expect(response.json()).toMatchObject({ error: { code: 'auth_unavailable' } });
    } finally {
      await down.close();
    }
  });

  it('verifies tokens against keys pinned inline with AUTH_JWKS, with no JWKS URL', async () => {
    const keySet = { keys: [t.issuer.publicJwk('ES256')] };
    const pinned = await startTestApp({ AUTH_JWKS_URL: '', AUTH_JWKS: JSON.stringify(keySet) });
    try {
      const valid = await pinned.app.inject({
        method: 'GET',
        url: '/v1/patients',
        headers: { authorization: `Bearer ${await t.issuer.token({ scopes: ['patients:read'] })}` },
      });
      const otherKey = await pinned.app.inject({
        method: 'GET',
        url: '/v1/patients',
        headers: {
          authorization: `Bearer ${await t.issuer.token({ alg: 'RS256', scopes: ['patients:read'] })}`,
        },
      });

      expect(valid.statusCode).toBe(200);
      expect(otherKey.statusCode).toBe(401);
    } finally {
      await pinned.close();
    }
  });

  it('refuses the local development key outside local mode', async () => {
    const key = await loadOrCreateDevSigningKey(
      join(await mkdtemp(join(tmpdir(), 'citadel-key-')), 'key.json'),
    );
    const config = loadConfig({
      CITADEL_MODE: 'aws',
      DATABASE_URL: t.database.appUrl,
      AUTH_JWKS_URL: 'https://idp.internal/.well-known/jwks.json',
      AUTH_ISSUER: 'https://issuer.example',
      AUTH_AUDIENCE: LOCAL_AUDIENCE,
      PAYMENTS_QUEUE_URL: 'https://sqs.eu-west-1.amazonaws.com/111111111111/payments',
    });
    const app = await buildApp({
      config: { ...config, auth: { ...config.auth, issuer: LOCAL_ISSUER } },
      pool: t.pool,
      paymentQueue: t.queue,
      keys: createLocalJWKSet(key.jwks),
      logStream: { write: () => true },
    });
    try {
      const response = await app.inject({
        method: 'GET',
        url: '/v1/patients',
        headers: { authorization: `Bearer ${await mintDevToken(key)}` },
      });
      expect(response.statusCode).toBe(401);
      expect(response.headers['www-authenticate']).toContain('development signing keys are refused');
    } finally {
      await app.close();
    }
  });
});
