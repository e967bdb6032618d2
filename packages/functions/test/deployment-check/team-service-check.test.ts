import { API_PROBE_ISSUER } from '@citadel/api/contract';
import fc from 'fast-check';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { createDeploymentCheck, type CheckTiming } from '../../src/deployment-check/check-handler.js';
import { deploymentCheckSettingsFromEnvironment } from '../../src/deployment-check/settings.js';
import { FakeSecrets } from '../fake-secrets.js';
import { silentLogger } from '../silent-logger.js';
import { TEAM_SERVICE_ARN, teamServiceEvent } from './lifecycle-event.js';
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

/** The check of one environment, pointed at `baseUrl`; its secret store holds nothing, so a read would fail. */
function checkAgainst(baseUrl: string, fetch?: typeof globalThis.fetch) {
  const logger = silentLogger('deployment-check');
  const errors = vi.spyOn(logger, 'error');
  const infos = vi.spyOn(logger, 'info');
  const secrets = new FakeSecrets({});
  const settings = deploymentCheckSettingsFromEnvironment(
    {
      TEST_BASE_URL: baseUrl,
      PROBE_KEY_SECRET_ARN: SECRET_ARN,
      PROBE_AUDIENCE: 'citadel-api',
      PROBE_ISSUER: API_PROBE_ISSUER,
    },
    { allowLoopbackHttp: true },
  );
  const check = createDeploymentCheck({
    settings,
    secrets,
    logger,
    timing: FAST,
    ...(fetch ? { fetch } : {}),
  });
  const failures = () => errors.mock.calls.map((call) => call[1] as Record<string, unknown>);
  const passes = () => infos.mock.calls.map((call) => call[1] as Record<string, unknown>);
  return { check, failures, passes, secrets };
}

describe("a team service's pre-traffic check", () => {
  let listener: Listener | undefined;
  afterEach(async () => {
    await listener?.close();
    listener = undefined;
  });

  it('answers SUCCEEDED when the new revision answers 200 at its own health path, sending no token and reading no key', async () => {
    // Prepare
    listener = await startListener((request, response) =>
      response.writeHead(request.url === '/orders/health' ? 200 : 404).end(),
    );
    const { check, passes, secrets } = checkAgainst(listener.url);
    const reads = vi.spyOn(secrets, 'send');

    // Act
    const response = await check(teamServiceEvent({ check: 'readiness', healthPath: '/orders/health' }));

    // Assess
    expect(response).toEqual({ hookStatus: 'SUCCEEDED' });
    expect(listener.requests).toEqual([{ method: 'GET', path: '/orders/health', authorization: undefined }]);
    expect(reads).not.toHaveBeenCalled();
    expect(passes()[0]).toMatchObject({
      event: 'deployment_check_passed',
      check: 'readiness',
      healthPath: '/orders/health',
      serviceArn: TEAM_SERVICE_ARN,
    });
  });

  it('fails when the new revision answers 500 at its health path, naming the path, and never reads the API', async () => {
    // Prepare
    listener = await startListener((_request, response) => response.writeHead(500).end());
    const { check, failures } = checkAgainst(listener.url);

    // Act
    const response = await check(teamServiceEvent({ check: 'readiness', healthPath: '/orders/health' }));

    // Assess
    expect(response).toEqual({ hookStatus: 'FAILED' });
    expect(failures()[0]).toMatchObject({
      event: 'deployment_check_failed',
      step: 'ready',
      reason: 'ready: GET /orders/health expected HTTP 200, got HTTP 500',
      serviceArn: TEAM_SERVICE_ARN,
    });
    expect(listener.requests.map((request) => request.path)).toEqual(['/orders/health']);
  });

  it('fails after its tries when the test rule still sends the health path to the load balancer default (503)', async () => {
    // Prepare
    listener = await startListener((_request, response) => response.writeHead(503).end());
    const { check, failures } = checkAgainst(listener.url);

    // Act
    const response = await check(teamServiceEvent({ check: 'readiness', healthPath: '/orders/health' }));

    // Assess
    expect(response).toEqual({ hookStatus: 'FAILED' });
    expect(String(failures()[0]?.reason)).toMatch(/got HTTP 503 after 3 tries$/);
    expect(listener.requests).toHaveLength(FAST.readyAttempts);
  });

  it("asks a host-routed service on its own host name, at the test listener's port", async () => {
    // Prepare
    const fetch = vi.fn(async () => new Response(null, { status: 200 }));
    const { check } = checkAgainst('https://api.example.com:9443', fetch as never);

    // Act
    const response = await check(
      teamServiceEvent({ check: 'readiness', healthPath: '/health', host: 'shop.example.com' }),
    );

    // Assess
    expect(response).toEqual({ hookStatus: 'SUCCEEDED' });
    expect(fetch.mock.calls.map((call) => (call as unknown[])[0])).toEqual([
      'https://shop.example.com:9443/health',
    ]);
  });

  const hostile: [string, unknown, RegExp][] = [
    ['no hookDetails', undefined, /the event has no hookDetails/],
    ['hookDetails that are not an object', 'readiness', /hookDetails is not an object/],
    ['an unknown check', { check: 'exec' }, /hookDetails\.check 'exec' is not a check/],
    ['no health path', { check: 'readiness' }, /hookDetails has no healthPath/],
    ['a path that climbs', { check: 'readiness', healthPath: '/orders/../admin' }, /healthPath/],
    ['a path with a query', { check: 'readiness', healthPath: '/health?x=1' }, /healthPath/],
    ['a full URL as the path', { check: 'readiness', healthPath: 'https://evil.example/x' }, /healthPath/],
    ['a path with a NUL', { check: 'readiness', healthPath: '/health\u0000' }, /\\u\{0\}/],
    ['an oversize path', { check: 'readiness', healthPath: `/${'a'.repeat(5_000)}` }, /…/],
    ['a host with a port', { check: 'readiness', healthPath: '/h', host: 'evil.example:443' }, /host/],
    ['a host with a user', { check: 'readiness', healthPath: '/h', host: 'a@evil.example' }, /host/],
    ['a Unicode host', { check: 'readiness', healthPath: '/h', host: 'ѕhop.example.com' }, /host/],
    ['an extra member on the API check', { check: 'api', healthPath: '/x' }, /'healthPath'/],
    ['an extra member', { check: 'readiness', healthPath: '/h', url: 'https://x' }, /'url'/],
  ];

  it.each(hostile)(
    'answers FAILED to %s, naming the member, and calls nothing',
    async (_case, details, reason) => {
      // Prepare
      const fetch = vi.fn(async () => new Response(null, { status: 200 }));
      const { check, failures } = checkAgainst('https://api.example.com:9443', fetch as never);
      const event = teamServiceEvent({});
      if (details === undefined) delete event.hookDetails;
      else event.hookDetails = details;

      // Act
      const response = await check(event);

      // Assess
      expect(response).toEqual({ hookStatus: 'FAILED' });
      expect(String(failures()[0]?.reason)).toMatch(/^event: /);
      expect(String(failures()[0]?.reason)).toMatch(reason);
      expect(String(failures()[0]?.reason).length).toBeLessThan(400);
      expect(fetch).not.toHaveBeenCalled();
    },
  );

  it('calls only the test listener origin or a DNS host name on its port, for any health path and host it accepts', async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.string({ maxLength: 80 }),
        fc.option(fc.string({ maxLength: 40 })),
        async (path, host) => {
          const fetch = vi.fn(async () => new Response(null, { status: 200 }));
          const { check } = checkAgainst('https://api.example.com:9443', fetch as never);
          await check(
            teamServiceEvent({ check: 'readiness', healthPath: path, ...(host === null ? {} : { host }) }),
          );
          for (const [called] of fetch.mock.calls as unknown as [string][]) {
            const url = new URL(called);
            expect(url.protocol).toBe('https:');
            expect(url.port).toBe('9443');
            expect(url.search).toBe('');
            expect(url.username + url.password).toBe('');
            expect(url.pathname).toBe(path);
            expect(url.hostname).toBe(host ?? 'api.example.com');
          }
        },
      ),
      { numRuns: 200 },
    );
  });
});
