import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createPool } from '@citadel/db';
import { BODY_LIMIT_BYTES, buildApp } from '../src/app.js';
import { startTestApp, type TestApp } from './support/test-app.js';

const ERROR_SHAPE = {
  error: {
    code: expect.stringMatching(/^[a-z_]+$/),
    message: expect.any(String),
    requestId: expect.any(String),
  },
};

describe('errors', () => {
  let t: TestApp;
  let auth: { authorization: string };
  beforeAll(async () => {
    t = await startTestApp({ RATE_LIMIT_PER_MINUTE: '20' });
    auth = { authorization: `Bearer ${await t.token(undefined, 'errors-user')}` };
  });
  afterAll(() => t.close());

  it.each([
    ['an unknown route', { method: 'GET', url: '/nope' }, 404, 'not_found'],
    [
      'malformed JSON',
      {
        method: 'POST',
        url: '/v1/patients',
        payload: '{"name":',
        headers: { 'content-type': 'application/json' },
      },
      400,
      'malformed_json',
    ],
    [
      'a text body',
      { method: 'POST', url: '/v1/patients', payload: 'hello', headers: { 'content-type': 'text/plain' } },
      415,
      'unsupported_media_type',
    ],
    [
      'a body over 64 KiB',
      {
        method: 'POST',
        url: '/v1/patients',
        payload: JSON.stringify({ name: 'x'.repeat(BODY_LIMIT_BYTES) }),
        headers: { 'content-type': 'application/json' },
      },
      413,
      'payload_too_large',
    ],
    ['a wrong method', { method: 'DELETE', url: '/v1/patients' }, 404, 'not_found'],
  ] as const)('answers %s in the error shape', async (_case, request, status, code) => {
    const response = await t.app.inject({
      ...request,
      headers: { ...auth, ...('headers' in request ? request.headers : {}) },
    });

    expect(response.statusCode).toBe(status);
    expect(response.json()).toEqual(ERROR_SHAPE);
    expect(response.json().error.code).toBe(code);
    expect(response.json().error.requestId).toBe(response.headers['x-request-id']);
  });

  it('sets security headers on every response', async () => {
    const response = await t.app.inject({ method: 'GET', url: '/health' });

    expect(response.headers['strict-transport-security']).toContain('max-age=');
    expect(response.headers['x-content-type-options']).toBe('nosniff');
    expect(response.headers['cache-control']).toBe('no-store');
  });

  it('answers 503 with the error shape, no SQL and no stack, when the database is gone', async () => {
    const pool = createPool({ kind: 'url', connectionString: 'postgres://citadel_app:x@127.0.0.1:9/none' });
    const app = await buildApp({
      config: t.config,
      pool,
      paymentQueue: t.queue,
      logStream: { write: () => true },
    });
    try {
      const response = await app.inject({ method: 'GET', url: '/v1/patients', headers: auth });

      expect(response.statusCode).toBe(503);
      expect(response.json()).toEqual(ERROR_SHAPE);
      expect(response.body).not.toMatch(/SELECT|ECONNREFUSED|at .*\.ts/);
      expect(response.headers['retry-after']).toBeDefined();
    } finally {
      await app.close();
      await pool.end();
    }
  });

  it('limits requests per principal with 429 and Retry-After', async () => {
    const other = { authorization: `Bearer ${await t.token(undefined, 'someone-else')}` };
    const statuses: number[] = [];
    let limited;
    for (let index = 0; index < 25; index++) {
      const response = await t.app.inject({ method: 'GET', url: '/v1/patients', headers: auth });
      statuses.push(response.statusCode);
      if (response.statusCode === 429) limited = response;
    }

    expect(statuses.filter((status) => status === 429).length).toBeGreaterThan(0);
    expect(limited?.json()).toEqual(ERROR_SHAPE);
    expect(limited?.json().error.code).toBe('rate_limited');
    expect(limited?.headers['retry-after']).toBeDefined();
    const unaffected = await t.app.inject({ method: 'GET', url: '/v1/patients', headers: other });
    expect(unaffected.statusCode).toBe(200);
  });
});
