import type { FastifyInstance } from 'fastify';
import { exportJWK, generateKeyPair, SignJWT, type CryptoKey, type JWK } from 'jose';
import { afterAll, afterEach, beforeAll, describe, expect, it, vi } from 'vitest';
import { buildApp } from '../../src/app.js';
import { loadConfig } from '../../src/config.js';
import { KEY_SOURCE_EVENTS } from '../../src/plugins/authentication.js';
import { accessDenied, FakeParameterStore } from '../support/fake-parameter-store.js';
import { startTestApp, type TestApp } from '../support/test-app.js';
import { TEST_AUDIENCE, TEST_ISSUER } from '../support/token-issuer.js';

const PARAMETER = '/citadel/prod/auth/jwks';

interface ProviderKey {
  readonly kid: string;
  readonly privateKey: CryptoKey;
  readonly publicJwk: JWK;
}

async function providerKey(kid: string): Promise<ProviderKey> {
  const { privateKey, publicKey } = await generateKeyPair('ES256');
  return { kid, privateKey, publicJwk: { ...(await exportJWK(publicKey)), kid, alg: 'ES256', use: 'sig' } };
}

const keySet = (...keys: ProviderKey[]): string => JSON.stringify({ keys: keys.map((key) => key.publicJwk) });

async function token(key: ProviderKey, subject = 'user-1'): Promise<string> {
  return new SignJWT({ scope: 'patients:read' })
    .setProtectedHeader({ alg: 'ES256', kid: key.kid, typ: 'JWT' })
    .setIssuer(TEST_ISSUER)
    .setAudience(TEST_AUDIENCE)
    .setSubject(subject)
    .setIssuedAt()
    .setExpirationTime('5m')
    .sign(key.privateKey);
}

describe('authentication with keys from the mirror parameter (AUTH_JWKS_PARAMETER)', () => {
  let t: TestApp;
  const logs: Record<string, unknown>[] = [];
  const apps: FastifyInstance[] = [];

  beforeAll(async () => {
    t = await startTestApp();
  });
  afterEach(async () => {
    vi.useRealTimers();
    await Promise.all(apps.splice(0).map((app) => app.close()));
    logs.length = 0;
  });
  afterAll(() => t.close());

  /** The deployed configuration: the task environment names the parameter, nothing else. */
  async function deployedApp(ssm: FakeParameterStore): Promise<FastifyInstance> {
    const config = loadConfig({
      CITADEL_MODE: 'aws',
      DATABASE_URL: t.database.appUrl,
      AUTH_JWKS_PARAMETER: PARAMETER,
      AUTH_ISSUER: TEST_ISSUER,
      AUTH_AUDIENCE: TEST_AUDIENCE,
      PAYMENTS_QUEUE_URL: 'https://sqs.eu-west-1.amazonaws.com/111111111111/payments',
      RATE_LIMIT_PER_MINUTE: '100000',
    });
    const app = await buildApp({
      config,
      pool: t.pool,
      paymentQueue: t.queue,
      parameterStore: ssm,
      logStream: { write: (line: string) => logs.push(JSON.parse(line)) && true },
    });
    apps.push(app);
    return app;
  }

  const get = (app: FastifyInstance, bearer: string) =>
    app.inject({ method: 'GET', url: '/v1/patients', headers: { authorization: `Bearer ${bearer}` } });

  /** Moves the clock past the shortest interval between two unknown-kid reloads. */
  function afterUnknownKidInterval(): void {
    vi.useFakeTimers({ toFake: ['Date'], now: Date.now() + 31_000 });
  }

  it('verifies tokens against the keys the parameter holds at start', async () => {
    // Prepare
    const current = await providerKey('idp-2026-11');
    const ssm = new FakeParameterStore({ [PARAMETER]: keySet(current) });
    const app = await deployedApp(ssm);

    // Act
    const response = await get(app, await token(current));

    // Assess
    expect(response.statusCode).toBe(200);
    expect(ssm.requested).toEqual([PARAMETER]);
    expect(logs).toContainEqual(
      expect.objectContaining({
        event: KEY_SOURCE_EVENTS.loaded,
        parameter: PARAMETER,
        kids: ['idp-2026-11'],
      }),
    );
  });

  it('accepts a key rotated in at the provider without a restart, and refuses the removed key after the refresh', async () => {
    // Prepare
    const old = await providerKey('idp-2026-10');
    const next = await providerKey('idp-2026-12');
    const ssm = new FakeParameterStore({ [PARAMETER]: keySet(old) });
    const app = await deployedApp(ssm);
    expect((await get(app, await token(old))).statusCode).toBe(200);
    ssm.put(PARAMETER, keySet(next));
    afterUnknownKidInterval();

    // Act
    const rotatedIn = await get(app, await token(next));
    const removed = await get(app, await token(old, 'user-2'));

    // Assess
    expect(rotatedIn.statusCode).toBe(200);
    expect(removed.statusCode).toBe(401);
    expect(removed.headers['www-authenticate']).toContain('unknown key');
    expect(ssm.requested).toHaveLength(2);
  });

  it('reloads for unknown kids at most once per interval, so forged kids cannot flood SSM', async () => {
    // Prepare
    const current = await providerKey('idp-current');
    const forged = await Promise.all(['a', 'b', 'c', 'd', 'e'].map((kid) => providerKey(`forged-${kid}`)));
    const ssm = new FakeParameterStore({ [PARAMETER]: keySet(current) });
    const app = await deployedApp(ssm);
    afterUnknownKidInterval();

    // Act
    const responses = await Promise.all(forged.map(async (key) => get(app, await token(key))));

    // Assess
    expect(responses.map((response) => response.statusCode)).toEqual([401, 401, 401, 401, 401]);
    expect(ssm.requested).toHaveLength(2);
  });

  it('keeps the last good keys when a refresh fails', async () => {
    // Prepare
    const current = await providerKey('idp-current');
    const ssm = new FakeParameterStore({ [PARAMETER]: keySet(current) });
    const app = await deployedApp(ssm);
    ssm.failWith = accessDenied();
    afterUnknownKidInterval();

    // Act
    const unknown = await get(app, await token(await providerKey('idp-unknown')));
    const known = await get(app, await token(current, 'user-3'));

    // Assess
    expect(unknown.statusCode).toBe(401);
    expect(known.statusCode).toBe(200);
    expect(logs).toContainEqual(
      expect.objectContaining({ event: KEY_SOURCE_EVENTS.refreshFailed, parameter: PARAMETER }),
    );
  });

  it('keeps the last good keys when the parameter is overwritten with a private key', async () => {
    // Prepare
    const current = await providerKey('idp-current');
    const ssm = new FakeParameterStore({ [PARAMETER]: keySet(current) });
    const app = await deployedApp(ssm);
    const { privateKey } = await generateKeyPair('ES256', { extractable: true });
    ssm.put(PARAMETER, JSON.stringify({ keys: [{ ...(await exportJWK(privateKey)), kid: 'leaked' }] }));
    afterUnknownKidInterval();

    // Act
    const unknown = await get(app, await token(await providerKey('idp-unknown')));
    const known = await get(app, await token(current, 'user-4'));

    // Assess
    expect(unknown.statusCode).toBe(401);
    expect(known.statusCode).toBe(200);
    expect(logs).toContainEqual(expect.objectContaining({ event: KEY_SOURCE_EVENTS.refreshFailed }));
  });

  it('answers 503 until the mirror has written the first keys, then verifies', async () => {
    // Prepare
    const current = await providerKey('idp-current');
    const ssm = new FakeParameterStore({ [PARAMETER]: '{"keys":[]}' });
    const app = await deployedApp(ssm);

    // Act
    const before = await get(app, await token(current));
    ssm.put(PARAMETER, keySet(current));
    afterUnknownKidInterval();
    const after = await get(app, await token(current, 'user-5'));

    // Assess
    expect(before.statusCode).toBe(503);
    expect(before.json()).toMatchObject({ error: { code: 'auth_unavailable' } });
    expect(after.statusCode).toBe(200);
  });

  it.each([
    [
      'the task may not read it',
      () => accessDenied(),
      /ssm:GetParameter on \/citadel\/prod\/auth\/jwks failed/,
    ],
    ['it does not exist', () => undefined, /ssm:GetParameter on \/citadel\/prod\/auth\/jwks failed/],
  ])('fails to start when %s', async (_case, failure, message) => {
    // Prepare
    const ssm = new FakeParameterStore();
    ssm.failWith = failure();

    // Act
    const start = deployedApp(ssm);

    // Assess
    await expect(start).rejects.toThrow(message);
  });
});
