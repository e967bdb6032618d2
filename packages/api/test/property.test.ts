import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestApp, type TestApp } from './support/test-app.js';

const ROUTES = [
  { method: 'POST', url: '/v1/patients' },
  { method: 'POST', url: '/v1/payments' },
  { method: 'GET', url: '/v1/patients' },
  { method: 'GET', url: '/v1/patients/' },
  { method: 'GET', url: '/v1/payments/' },
  { method: 'GET', url: '/ready' },
] as const;

const jsonish = fc.oneof(
  fc.jsonValue(),
  fc.record(
    {
      name: fc.oneof(fc.string(), fc.integer(), fc.constant(null)),
      dateOfBirth: fc.oneof(
        fc.string(),
        fc.date({ noInvalidDate: true }).map((date) => date.toISOString().slice(0, 10)),
      ),
      medicalRecordNumber: fc.oneof(fc.string(), fc.stringMatching(/^[0-9 -]{10,24}$/)),
      patientId: fc.oneof(fc.uuid(), fc.string()),
      amount: fc.oneof(fc.integer(), fc.double(), fc.string(), fc.bigInt().map(String)),
      currency: fc.oneof(fc.constantFrom('USD', 'EUR', 'usd', 'XXX', 'ABCD', ''), fc.string()),
      description: fc.oneof(fc.string(), fc.stringMatching(/^[0-9 -]{13,23}$/)),
    },
    { requiredKeys: [] },
  ),
);

const rawBody = fc.oneof(
  jsonish.map((value) => JSON.stringify(value)),
  fc.string(),
  fc.uint8Array({ maxLength: 256 }).map((bytes) => Buffer.from(bytes).toString('latin1')),
  fc.constantFrom(
    '{',
    '[',
    '{"a":',
    'null',
    '"x"',
    '{"__proto__":{"admin":true}}',
    '{"constructor":{"prototype":{}}}',
  ),
);

const headerValue = fc.oneof(
  fc.string({ maxLength: 80 }).map((value) => value.replace(/[^\x20-\x7e]/g, '')),
  fc.uuid(),
  fc.constantFrom('', 'Bearer', 'Bearer a.b.c', 'Bearer ...', 'Basic x'),
);

const pathSuffix = fc.oneof(
  fc.uuid(),
  fc.string({ maxLength: 60 }).map(encodeURIComponent),
  fc.constantFrom('%', '%00', '..%2f..%2fetc', '?limit=999', '?cursor=%ff', '?limit=1&limit=2', '?a[b]=c'),
);

describe('malformed input never breaks the API', () => {
  let t: TestApp;
  let token: string;
  beforeAll(async () => {
    t = await startTestApp();
    token = await t.token();
  });
  afterAll(() => t.close());

  it('answers 2,000 generated malformed requests without a 5xx, always in the error shape', async () => {
    let sent = 0;
    await fc.assert(
      fc.asyncProperty(
        fc.constantFrom(...ROUTES),
        pathSuffix,
        rawBody,
        fc.record({
          authorized: fc.boolean(),
          contentType: fc.constantFrom(
            'application/json',
            'text/plain',
            'application/x-www-form-urlencoded',
            'application/json; charset=utf-16',
            '',
          ),
          idempotencyKey: headerValue,
          authorization: headerValue,
        }),
        async (route, suffix, body, headers) => {
          sent++;
          const response = await t.app.inject({
            method: route.method,
            url: route.url.endsWith('/') ? `${route.url}${suffix}` : route.url,
            headers: {
              authorization: headers.authorized ? `Bearer ${token}` : headers.authorization,
              'idempotency-key': headers.idempotencyKey,
              ...(headers.contentType ? { 'content-type': headers.contentType } : {}),
            },
            ...(route.method === 'POST' ? { payload: body } : {}),
          });
          expect(response.statusCode).toBeLessThan(500);
          if (response.statusCode >= 400) {
            const json = response.json();
            expect(Object.keys(json)).toEqual(['error']);
            expect(json.error).toEqual({
              code: expect.any(String),
              message: expect.any(String),
              requestId: expect.any(String),
            });
          }
        },
      ),
      { numRuns: 2000, seed: Number(process.env.FC_SEED ?? Date.now() % 2 ** 31) },
    );

    expect(sent).toBeGreaterThanOrEqual(2000);
    const alive = await t.app.inject({ method: 'GET', url: '/health' });
    expect(alive.statusCode).toBe(200);
  }, 180_000);
});
