import type { AddressInfo } from 'node:net';
import { API_PROBE_ISSUER } from '@citadel/api/contract';
import { createLocalJWKSet, exportJWK, generateKeyPair, jwtVerify, type JWK } from 'jose';
import { afterAll, afterEach, beforeAll, describe, expect, it, vi } from 'vitest';
import { startTestApp, type TestApp } from '../../../api/test/support/test-app.js';
import { TEST_AUDIENCE } from '../../../api/test/support/token-issuer.js';
import {
  createDeploymentCheck,
  DEPLOYMENT_CHECK_EVENTS,
  type CheckTiming,
} from '../../src/deployment-check/check-handler.js';
import { deploymentCheckSettingsFromEnvironment } from '../../src/deployment-check/settings.js';
import { FakeSecrets } from '../fake-secrets.js';
import { silentLogger } from '../silent-logger.js';
import { lifecycleEvent } from './lifecycle-event.js';
import { startListener, type Listener } from './test-listener.js';

const SECRET_ARN =
  'arn:aws:secretsmanager:eu-west-1:111111111111:secret:citadel/prod/deployment-check-AbCdEf';
const FAST: CheckTiming = {
  requestTimeoutMs: 1_500,
  readyAttempts: 3,
  readAttempts: 2,
  retryDelayMs: 50,
  reserveMs: 0,
};

interface ProbeKeyPair {
  readonly privateJwk: JWK;
  readonly publicJwk: JWK;
}

async function probeKeyPair(kid = 'deployment-check-1'): Promise<ProbeKeyPair> {
  const { privateKey, publicKey } = await generateKeyPair('ES256', { extractable: true });
  return {
    privateJwk: { ...(await exportJWK(privateKey)), kid },
    publicJwk: { ...(await exportJWK(publicKey)), kid, alg: 'ES256', use: 'sig' },
  };
}

/** The check as the handler builds it, against `baseUrl`, with the private JWK in Secrets Manager. */
function checkAgainst(baseUrl: string, privateJwk: JWK, timing: CheckTiming = FAST) {
  const logger = silentLogger('deployment-check');
  const errors = vi.spyOn(logger, 'error');
  const infos = vi.spyOn(logger, 'info');
  const secrets = new FakeSecrets({ [SECRET_ARN]: JSON.stringify(privateJwk) });
  const settings = deploymentCheckSettingsFromEnvironment(
    {
      TEST_BASE_URL: baseUrl,
      PROBE_KEY_SECRET_ARN: SECRET_ARN,
      PROBE_AUDIENCE: TEST_AUDIENCE,
      PROBE_ISSUER: API_PROBE_ISSUER,
    },
    { allowLoopbackHttp: true },
  );
  const check = createDeploymentCheck({ settings, secrets, logger, timing });
  const failures = () =>
    errors.mock.calls.map((call) => call[1] as { event: string; step: string; reason: string });
  const passes = () => infos.mock.calls.map((call) => call[1] as { event: string });
  return { check, failures, passes, secrets };
}

async function listen(t: TestApp): Promise<string> {
  await t.app.listen({ port: 0, host: '127.0.0.1' });
  return `http://127.0.0.1:${(t.app.server.address() as AddressInfo).port}`;
}

describe('the deployment check against the real API on a local test listener', () => {
  let probe: ProbeKeyPair;
  let withProbe: TestApp;
  let withProbeUrl: string;
  beforeAll(async () => {
    probe = await probeKeyPair();
    withProbe = await startTestApp({ AUTH_PROBE_JWKS: JSON.stringify({ keys: [probe.publicJwk] }) });
    withProbeUrl = await listen(withProbe);
  });
  afterAll(() => withProbe.close());

  it('answers SUCCEEDED when the new revision is ready and lets the probe read, audited as the probe', async () => {
    // Prepare
    const { check, failures, passes, secrets } = checkAgainst(withProbeUrl, probe.privateJwk);

    // Act
    const response = await check(lifecycleEvent(), { getRemainingTimeInMillis: () => 60_000 });

    // Assess
    expect(failures()).toEqual([]);
    expect(response).toEqual({ hookStatus: 'SUCCEEDED' });
    expect(passes()).toEqual([
      expect.objectContaining({ event: DEPLOYMENT_CHECK_EVENTS.passed, readyAttempts: 1, readAttempts: 1 }),
    ]);
    expect(secrets.requested).toEqual([SECRET_ARN]);
    const { rows } = await withProbe.admin.query(
      `SELECT subject, action, resource_type, outcome FROM audit_events WHERE subject = 'deployment-check'`,
    );
    expect(rows).toEqual([
      { subject: 'deployment-check', action: 'read', resource_type: 'payment', outcome: 'not_found' },
    ]);
  });

  it('fails when the probe signs with a key the API does not pin (401 at the read)', async () => {
    const other = await probeKeyPair(probe.publicJwk.kid);
    const { check, failures } = checkAgainst(withProbeUrl, other.privateJwk);

    const response = await check(lifecycleEvent());

    expect(response).toEqual({ hookStatus: 'FAILED' });
    expect(failures()).toEqual([
      expect.objectContaining({
        event: DEPLOYMENT_CHECK_EVENTS.failed,
        step: 'read',
        reason: expect.stringMatching(/^read: .* got HTTP 401 \(unauthenticated\)$/),
      }),
    ]);
  });

  it('fails when the secret does not hold a usable private key, naming the secret and never the key', async () => {
    const { d: _d, ...publicOnly } = probe.privateJwk;
    const { check, failures } = checkAgainst(withProbeUrl, publicOnly);

    const response = await check(lifecycleEvent());

    expect(response).toEqual({ hookStatus: 'FAILED' });
    expect(failures()[0]?.reason).toBe(
      `probe-key: secret ${SECRET_ARN} has no usable 'd' member; it must hold a private P-256 JWK with kid`,
    );
  });

  it('fails when the API has no AUTH_PROBE_JWKS (401 at the read)', async () => {
    // Prepare
    const without = await startTestApp();
    try {
      const { check, failures } = checkAgainst(await listen(without), probe.privateJwk);

      // Act
      const response = await check(lifecycleEvent());

      // Assess
      expect(response).toEqual({ hookStatus: 'FAILED' });
      expect(failures()[0]).toMatchObject({ step: 'read', reason: expect.stringContaining('got HTTP 401') });
    } finally {
      await without.close();
    }
  });

  it('fails when the database is unreachable: /ready answers 503 on every try', async () => {
    // Prepare
    const down = await startTestApp();
    const appUrl = new URL(down.database.appUrl);
    const database = appUrl.pathname.slice(1);
    const role = decodeURIComponent(appUrl.username);
    try {
      const url = await listen(down);
      // The API's role loses this one database; the other suites sharing the server keep theirs.
      await down.admin.query(`REVOKE CONNECT ON DATABASE "${database}" FROM PUBLIC, "${role}"`);
      await down.admin.query(
        'SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname = $1 AND usename = $2',
        [database, role],
      );
      const { check, failures } = checkAgainst(url, probe.privateJwk);

      // Act
      const response = await check(lifecycleEvent());

      // Assess
      expect(response).toEqual({ hookStatus: 'FAILED' });
      expect(failures()[0]).toMatchObject({
        step: 'ready',
        reason: 'ready: GET /ready expected HTTP 200, got HTTP 503 (database_unavailable) after 3 tries',
      });
    } finally {
      await down.admin
        .query(`ALTER DATABASE "${database}" WITH ALLOW_CONNECTIONS true`)
        .catch(() => undefined);
      await down.close().catch(() => undefined);
    }
  });
});

describe('the deployment check against a misbehaving test listener', () => {
  let probe: ProbeKeyPair;
  let listener: Listener | undefined;
  beforeAll(async () => {
    probe = await probeKeyPair();
  });
  afterEach(async () => {
    await listener?.close();
    listener = undefined;
  });

  const apiNotFound = JSON.stringify({
    error: { code: 'payment_not_found', message: 'no payment has this id' },
  });

  it.each([
    ['/ready answers 500', 500, {}, /^ready: GET \/ready expected HTTP 200, got HTTP 500$/],
    [
      '/ready redirects',
      302,
      { location: 'https://elsewhere.example/ready' },
      /got HTTP 302 redirecting to https:\/\/elsewhere\.example\/ready$/,
    ],
    ['/ready answers 401', 401, {}, /got HTTP 401$/],
  ])('fails at once when %s, naming the step and status', async (_case, status, headers, reason) => {
    listener = await startListener((_request, response) => response.writeHead(status, headers).end());
    const { check, failures } = checkAgainst(listener.url, probe.privateJwk);

    const response = await check(lifecycleEvent());

    expect(response).toEqual({ hookStatus: 'FAILED' });
    expect(failures()[0]?.reason).toMatch(reason);
    expect(listener.requests).toHaveLength(1);
  });

  it('fails when the listener does not answer within the per-call timeout, after its tries', async () => {
    listener = await startListener(() => undefined);
    const { check, failures } = checkAgainst(listener.url, probe.privateJwk, {
      ...FAST,
      requestTimeoutMs: 300,
      readyAttempts: 2,
    });

    const started = Date.now();
    const response = await check(lifecycleEvent());

    expect(response).toEqual({ hookStatus: 'FAILED' });
    expect(failures()[0]?.reason).toBe(
      'ready: GET /ready expected HTTP 200, got no answer within 300 ms after 2 tries',
    );
    expect(Date.now() - started).toBeLessThan(2_000);
  });

  it('stops trying when the invocation has no time left for another request', async () => {
    listener = await startListener((_request, response) => response.writeHead(503).end());
    const { check, failures } = checkAgainst(listener.url, probe.privateJwk, { ...FAST, readyAttempts: 10 });

    const response = await check(lifecycleEvent(), { getRemainingTimeInMillis: () => 1_000 });

    expect(response).toEqual({ hookStatus: 'FAILED' });
    expect(failures()[0]?.reason).toMatch(/got HTTP 503; no time left for another try after 1$/);
    expect(listener.requests).toHaveLength(1);
  });

  it('fails on a certificate no trust store holds', async () => {
    listener = await startListener((_request, response) => response.writeHead(200).end(), { tls: true });
    const { check, failures } = checkAgainst(listener.url, probe.privateJwk);

    const response = await check(lifecycleEvent());

    expect(response).toEqual({ hookStatus: 'FAILED' });
    expect(failures()[0]?.reason).toMatch(
      /^ready: GET \/ready expected HTTP 200, got TLS failure \([A-Z_]+\)$/,
    );
  });

  it('fails when a 404 comes from something other than the API (the load balancer default)', async () => {
    listener = await startListener((request, response) =>
      request.url === '/ready'
        ? response.writeHead(200).end('{"status":"ready"}')
        : response.writeHead(404).end('Not Found'),
    );
    const { check, failures } = checkAgainst(listener.url, probe.privateJwk);

    const response = await check(lifecycleEvent());

    expect(response).toEqual({ hookStatus: 'FAILED' });
    expect(failures()[0]?.reason).toMatch(/^read: .* got HTTP 404$/);
  });

  it('waits out a warming revision, and sends a short-lived read-only probe token', async () => {
    // Prepare
    let readyCalls = 0;
    listener = await startListener((request, response) => {
      if (request.url === '/ready') {
        readyCalls += 1;
        response.writeHead(readyCalls < 3 ? 503 : 200).end();
      } else {
        response.writeHead(404, { 'content-type': 'application/json' }).end(apiNotFound);
      }
    });
    const { check, passes } = checkAgainst(listener.url, probe.privateJwk);

    // Act
    const response = await check(lifecycleEvent());

    // Assess
    expect(response).toEqual({ hookStatus: 'SUCCEEDED' });
    expect(passes()[0]).toMatchObject({ readyAttempts: 3, readAttempts: 1 });
    const read = listener.requests.at(-1);
    expect(read?.path).toMatch(
      /^\/v1\/payments\/[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/,
    );
    const token = (read?.authorization ?? '').replace(/^Bearer /, '');
    const { payload, protectedHeader } = await jwtVerify(
      token,
      createLocalJWKSet({ keys: [probe.publicJwk] }),
      {
        issuer: API_PROBE_ISSUER,
        audience: TEST_AUDIENCE,
        algorithms: ['ES256'],
      },
    );
    expect(protectedHeader.kid).toBe(probe.publicJwk.kid);
    expect(payload).toMatchObject({ sub: 'deployment-check', scope: 'payments:read' });
    expect((payload.exp as number) - (payload.iat as number)).toBeLessThanOrEqual(60);
  });
});
