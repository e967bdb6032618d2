import { createRemoteJWKSet, type JWTVerifyGetKey } from 'jose';
import type { FastifyInstance } from 'fastify';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { buildApp } from '../../src/app.js';
import { loadConfig } from '../../src/config.js';
import { FailureCounter } from '../../src/plugins/failed-authentication-limit.js';
import { ALL_SCOPES, startTestApp, type TestApp } from '../support/test-app.js';
import { TEST_AUDIENCE, TEST_ISSUER } from '../support/token-issuer.js';

const LIMIT = 3;

describe('failed authentication limit', () => {
  let t: TestApp;
  let app: FastifyInstance;
  let keyLookups: number;
  let logs: string[];

  beforeAll(async () => {
    t = await startTestApp();
  });
  afterAll(() => t.close());

  beforeEach(async () => {
    const config = loadConfig({
      CITADEL_MODE: 'local',
      DATABASE_URL: t.database.appUrl,
      AUTH_JWKS_URL: t.issuer.jwksUrl,
      AUTH_ISSUER: TEST_ISSUER,
      AUTH_AUDIENCE: TEST_AUDIENCE,
      RATE_LIMIT_PER_MINUTE: '100000',
      AUTH_FAILURE_LIMIT: String(LIMIT),
      AUTH_FAILURE_WINDOW_SECONDS: '60',
      // As behind the load balancer: one trusted hop appends the client's address.
      TRUSTED_PROXY_HOPS: '1',
    });
    const remote = createRemoteJWKSet(new URL(t.issuer.jwksUrl));
    keyLookups = 0;
    const keys: JWTVerifyGetKey = (header, token) => {
      keyLookups += 1;
      return remote(header, token);
    };
    logs = [];
    app = await buildApp({
      config,
      pool: t.pool,
      paymentQueue: t.queue,
      keys,
      logStream: { write: (line: string) => logs.push(line) > 0 },
    });
  });
  afterEach(() => app.close());

  const from = (clientIp: string, authorization: string, url = '/v1/patients') =>
    app.inject({
      method: 'GET',
      url,
      remoteAddress: '10.0.1.25',
      headers: { authorization, 'x-forwarded-for': clientIp },
    });
  const forged = async () => `Bearer ${(await t.token()).slice(0, -4)}AAAA`;

  it('answers 429 without verifying the token once an address had more than the limit of failures', async () => {
    const bad = await forged();
    for (let i = 0; i <= LIMIT; i++) expect((await from('203.0.113.7', bad)).statusCode).toBe(401);
    const lookupsBefore = keyLookups;

    const valid = await from('203.0.113.7', `Bearer ${await t.token()}`);

    expect(valid.statusCode).toBe(429);
    expect(valid.json()).toMatchObject({ error: { code: 'too_many_failed_authentications' } });
    expect(Number(valid.headers['retry-after'])).toBeGreaterThan(0);
    expect(keyLookups).toBe(lookupsBefore);
    expect(logs.map((line) => JSON.parse(line)).some((entry) => entry.event === 'auth_rate_limited')).toBe(
      true,
    );
  });

  it('counts 403 answers as failures too', async () => {
    const readOnly = `Bearer ${await t.issuer.token({ scopes: ['payments:read'] })}`;
    for (let i = 0; i <= LIMIT; i++) expect((await from('203.0.113.8', readOnly)).statusCode).toBe(403);

    expect((await from('203.0.113.8', `Bearer ${await t.token()}`)).statusCode).toBe(429);
  });

  it('does not count successful requests, and limits up to the limit only', async () => {
    const valid = `Bearer ${await t.token(ALL_SCOPES)}`;
    for (let i = 0; i < 10; i++) expect((await from('203.0.113.9', valid)).statusCode).toBe(200);
    const bad = await forged();
    for (let i = 0; i < LIMIT; i++) expect((await from('203.0.113.9', bad)).statusCode).toBe(401);

    expect((await from('203.0.113.9', valid)).statusCode).toBe(200);
  });

  it('keys on the address the load balancer appended, so a forged X-Forwarded-For prefix does not escape', async () => {
    const bad = await forged();
    for (let i = 0; i <= LIMIT; i++) {
      expect((await from(`198.51.100.${i}, 203.0.113.10`, bad)).statusCode).toBe(401);
    }

    const rotated = await from('198.51.100.200, 203.0.113.10', `Bearer ${await t.token()}`);
    const otherClient = await from('203.0.113.11', `Bearer ${await t.token()}`);

    expect(rotated.statusCode).toBe(429);
    expect(otherClient.statusCode).toBe(200);
  });

  it('leaves routes without a token requirement open to a limited address', async () => {
    const bad = await forged();
    for (let i = 0; i <= LIMIT + 1; i++) await from('203.0.113.12', bad);

    expect((await from('203.0.113.12', bad, '/health')).statusCode).toBe(200);
  });
});

describe('FailureCounter', () => {
  it('blocks a key only after more than the limit of failures, until its window ends', () => {
    const counter = new FailureCounter(2, 60_000, 100);
    const start = 1_000_000;
    counter.record('a', start);
    counter.record('a', start + 1);
    const atLimit = counter.blockedFor('a', start + 2);
    counter.record('a', start + 3);

    expect(atLimit).toBe(0);
    expect(counter.blockedFor('a', start + 4)).toBe(60);
    expect(counter.blockedFor('a', start + 59_500)).toBe(1);
    expect(counter.blockedFor('a', start + 60_000)).toBe(0);
    expect(counter.blockedFor('b', start + 4)).toBe(0);
  });

  it('keeps memory bounded when failures come from ever new addresses', () => {
    const counter = new FailureCounter(5, 60_000, 1000);
    for (let i = 0; i < 100_000; i++) counter.record(`10.${i >> 16}.${(i >> 8) & 255}.${i & 255}`, 1);

    expect(counter.size).toBe(1000);
  });

  it('keeps the address that failed most recently when it must forget one', () => {
    const counter = new FailureCounter(1, 60_000, 2);
    counter.record('attacker', 1);
    counter.record('attacker', 2);
    counter.record('old', 3);
    counter.record('attacker', 4);
    counter.record('new', 5);

    expect(counter.blockedFor('attacker', 6)).toBeGreaterThan(0);
    expect(counter.blockedFor('old', 6)).toBe(0);
  });
});
