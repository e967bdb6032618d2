import { Logger } from '@aws-lambda-powertools/logger';
import { PutParameterCommand } from '@aws-sdk/client-ssm';
import { afterAll, beforeAll, beforeEach, describe, expect, it, vi } from 'vitest';
import { JwksFetchError, JwksValidationError, ParameterStoreError } from '../../src/errors.js';
import { createJwksMirror, JWKS_MIRROR_EVENTS } from '../../src/jwks-mirror/mirror-handler.js';
import { FakeParameterStore } from './fake-ssm.js';
import { KeySetServer, type KeySetRoute } from './key-set-server.js';
import { privateJwk, publicJwk } from './keys.js';
import { scheduledEvent } from './scheduled-event.js';

const PARAMETER = '/citadel/test/auth/jwks';
const LAST_GOOD = JSON.stringify({ keys: [publicJwk('last-good')] });
const limits = { timeoutMs: 500, maxBytes: 64 * 1024, maxRedirects: 3 };

describe('JWKS mirror', () => {
  const server = new KeySetServer();
  let ssm: FakeParameterStore;
  let logged: { level: string; attributes: Record<string, unknown> }[];

  beforeAll(() => server.start());
  afterAll(() => server.stop());
  beforeEach(() => {
    server.routes.clear();
    ssm = new FakeParameterStore({ [PARAMETER]: LAST_GOOD });
    logged = [];
  });

  function mirror(path: string) {
    const logger = new Logger({ serviceName: 'jwks-mirror', logLevel: 'SILENT' });
    for (const level of ['info', 'error'] as const) {
      vi.spyOn(logger, level).mockImplementation((_message, ...extra) => {
        logged.push({ level, attributes: Object.assign({}, ...extra) });
      });
    }
    return createJwksMirror({
      settings: { jwksUrl: new URL(server.url(path)), parameterName: PARAMETER },
      ssm,
      logger,
      fetch: server.fetch,
      limits,
    });
  }

  it('writes a new key set to the parameter as a standard String, overwriting', async () => {
    // Prepare
    const keys = [publicJwk('k1'), publicJwk('k2', 'EC')];
    server.routes.set('/jwks.json', { body: JSON.stringify({ keys }) });

    // Act
    const result = await mirror('/jwks.json')(scheduledEvent());

    // Assess
    expect(result).toEqual({ changed: true, kids: ['k1', 'k2'] });
    expect(ssm.puts.map((put) => put.input)).toEqual([
      expect.objectContaining({ Name: PARAMETER, Type: 'String', Tier: 'Standard', Overwrite: true }),
    ]);
    const stored = JSON.parse(ssm.values.get(PARAMETER)?.value ?? '');
    expect(stored.keys.map((key: { kid: string }) => key.kid)).toEqual(['k1', 'k2']);
    expect(logged).toContainEqual({
      level: 'info',
      attributes: expect.objectContaining({ event: JWKS_MIRROR_EVENTS.updated, kids: ['k1', 'k2'] }),
    });
  });

  it('reads the parameter and writes nothing when the key set is unchanged', async () => {
    // Prepare
    server.routes.set('/jwks.json', { body: JSON.stringify({ keys: [publicJwk('k1')] }) });
    await mirror('/jwks.json')(scheduledEvent());
    ssm.calls.length = 0;

    // Act
    const result = await mirror('/jwks.json')(scheduledEvent('2026-11-30T16:10:00Z'));

    // Assess
    expect(result.changed).toBe(false);
    expect(ssm.calls.map((call) => call.constructor.name)).toEqual(['GetParameterCommand']);
  });

  it('writes the key set when the parameter does not exist yet', async () => {
    // Prepare
    ssm.values.clear();
    server.routes.set('/jwks.json', { body: JSON.stringify({ keys: [publicJwk('k1')] }) });

    // Act
    const result = await mirror('/jwks.json')(scheduledEvent());

    // Assess
    expect(result.changed).toBe(true);
    expect(ssm.values.get(PARAMETER)?.version).toBe(1);
  });

  it('follows a redirect to another https URL', async () => {
    // Prepare
    server.routes.set('/moved', { status: 301, headers: { location: server.url('/jwks.json') } });
    server.routes.set('/jwks.json', { body: JSON.stringify({ keys: [publicJwk('k1')] }) });

    // Act
    const result = await mirror('/moved')(scheduledEvent());

    // Assess
    expect(result.kids).toEqual(['k1']);
  });

  const hostile: [string, KeySetRoute | (() => KeySetRoute), new (message: string) => Error, RegExp][] = [
    [
      'a private RSA key',
      () => ({ body: JSON.stringify({ keys: [privateJwk('leaked')] }) }),
      JwksValidationError,
      /private member 'd'/,
    ],
    [
      'a symmetric key',
      { body: JSON.stringify({ keys: [{ kty: 'oct', kid: 'h', k: 'c2VjcmV0', alg: 'HS256' }] }) },
      JwksValidationError,
      /private member 'k'/,
    ],
    ['an empty set', { body: '{"keys":[]}' }, JwksValidationError, /no keys/],
    ['a body that is not JSON', { body: '<html>sign in</html>' }, JwksValidationError, /not JSON/],
    [
      'an HTML page',
      { contentType: 'text/html', body: '{"keys":[]}' },
      JwksFetchError,
      /content type 'text\/html'/,
    ],
    ['a body larger than the limit', { streamBytes: 1024 * 1024 }, JwksFetchError, /more than 65536 bytes/],
    [
      'a declared length larger than the limit',
      { streamBytes: 128 * 1024, headers: { 'content-length': String(128 * 1024) } },
      JwksFetchError,
      /declares 131072 bytes/,
    ],
    ['a server error', { status: 503, body: '' }, JwksFetchError, /HTTP 503/],
    ['a server that never answers', { hang: true }, JwksFetchError, /did not answer within 500 ms/],
    [
      'a redirect to plain http',
      () => ({ status: 302, headers: { location: server.url('/jwks.json', 'http:') } }),
      JwksFetchError,
      /refusing http: URL/,
    ],
    ['a redirect without a location', { status: 302 }, JwksFetchError, /without a Location/],
  ];

  it.each(hostile)(
    'fails and keeps the last good parameter when the provider serves %s',
    async (_name, route, errorClass, message) => {
      // Prepare
      server.routes.set('/jwks.json', { body: JSON.stringify({ keys: [publicJwk('fresh')] }) });
      server.routes.set('/hostile', typeof route === 'function' ? route() : route);

      // Act
      const run = mirror('/hostile')(scheduledEvent());

      // Assess
      const error = await run.catch((caught: unknown) => caught);
      expect(error).toBeInstanceOf(errorClass);
      expect((error as Error).message).toMatch(message);
      expect(ssm.puts).toEqual([]);
      expect(ssm.values.get(PARAMETER)?.value).toBe(LAST_GOOD);
      expect(logged).toContainEqual({
        level: 'error',
        attributes: expect.objectContaining({
          event: JWKS_MIRROR_EVENTS.failed,
          parameterName: PARAMETER,
          reason: errorClass.name,
          scheduledAt: '2026-11-30T16:05:00Z',
        }),
      });
    },
  );

  it('fails when the provider redirects in a loop', async () => {
    // Prepare
    server.routes.set('/loop', { status: 302, headers: { location: server.url('/loop') } });

    // Act
    const run = mirror('/loop')(scheduledEvent());

    // Assess
    await expect(run).rejects.toThrow(/redirected more than 3 times/);
    expect(server.requested.filter((path) => path === '/loop')).toHaveLength(4);
    expect(ssm.puts).toEqual([]);
  });

  it('fails with the SSM error named when the parameter cannot be read, and writes nothing', async () => {
    // Prepare
    server.routes.set('/jwks.json', { body: JSON.stringify({ keys: [publicJwk('k1')] }) });
    ssm.failWith = Object.assign(new Error('User is not authorized to perform: ssm:GetParameter'), {
      name: 'AccessDeniedException',
      $metadata: { httpStatusCode: 400 },
    });

    // Act
    const error = await mirror('/jwks.json')(scheduledEvent()).catch((caught: unknown) => caught);

    // Assess
    expect(error).toBeInstanceOf(ParameterStoreError);
    expect((error as Error).message).toBe(`ssm:GetParameter on ${PARAMETER} failed`);
    expect(ssm.calls.some((call) => call instanceof PutParameterCommand)).toBe(false);
  });
});
