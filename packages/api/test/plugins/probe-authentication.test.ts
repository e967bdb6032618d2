import { randomUUID } from 'node:crypto';
import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { API_PAYMENTS_PATH, API_PROBE_ISSUER, API_PROBE_SUBJECT } from '../../src/contract.js';
import { ProbeKey } from '../support/probe-key.js';
import { startTestApp, type TestApp } from '../support/test-app.js';
import { TEST_ISSUER } from '../support/token-issuer.js';

const NEW_PATIENT = { name: 'Probe Target', dateOfBirth: '1980-01-01', medicalRecordNumber: 'MRN-PROBE' };

function authFailures(t: TestApp): string[] {
  return t.logs
    .map((line) => JSON.parse(line) as { event?: string; reason?: string })
    .filter((entry) => entry.event === 'auth_failed')
    .map((entry) => entry.reason as string);
}

describe('the deployment check probe principal, with AUTH_PROBE_JWKS set', () => {
  let t: TestApp;
  let probe: ProbeKey;
  beforeAll(async () => {
    probe = await ProbeKey.generate();
    t = await startTestApp({ AUTH_PROBE_JWKS: probe.keySetJson });
  });
  afterAll(() => t.close());

  const read = async (authorization: string) =>
    t.app.inject({ method: 'GET', url: `${API_PAYMENTS_PATH}/${randomUUID()}`, headers: { authorization } });

  it('reads an unknown payment (404) and the audit trail names the probe as the actor', async () => {
    // Prepare
    const token = await probe.token();

    // Act
    const response = await read(`Bearer ${token}`);

    // Assess
    expect(response.statusCode, response.body).toBe(404);
    const { rows } = await t.admin.query(
      `SELECT subject, action, resource_type, outcome FROM audit_events WHERE subject = $1`,
      [API_PROBE_SUBJECT],
    );
    expect(rows).toEqual([
      { subject: API_PROBE_SUBJECT, action: 'read', resource_type: 'payment', outcome: 'not_found' },
    ]);
  });

  it.each([
    [
      'a payment',
      API_PAYMENTS_PATH,
      { patientId: randomUUID(), amount: 100, currency: 'EUR', description: 'x' },
    ],
    ['a patient', '/v1/patients', NEW_PATIENT],
  ])('cannot create %s (403), and the refusal is audited against the probe', async (_what, url, payload) => {
    // Prepare
    const token = await probe.token({ scope: 'payments:read patients:read' });

    // Act
    const response = await t.app.inject({
      method: 'POST',
      url,
      headers: { authorization: `Bearer ${token}`, 'idempotency-key': randomUUID() },
      payload,
    });

    // Assess
    expect(response.statusCode, response.body).toBe(403);
    const { rows } = await t.admin.query(
      `SELECT count(*)::int AS refused FROM audit_events
       WHERE subject = $1 AND action = 'create' AND outcome = 'forbidden'`,
      [API_PROBE_SUBJECT],
    );
    expect(rows[0].refused).toBeGreaterThan(0);
  });

  it.each([
    ['another issuer', { issuer: TEST_ISSUER }, 'unknown_key'],
    ['another audience', { audience: 'another-api' }, 'invalid_aud'],
    ['a write scope', { scope: 'payments:read payments:write' }, 'probe_scope'],
    ['only a write scope', { scope: 'patients:write' }, 'probe_scope'],
    ['no scope', { scope: '' }, 'probe_scope'],
    ['a lifetime over 60 seconds', { lifetimeSeconds: 300 }, 'probe_lifetime'],
    ['another subject', { subject: 'admin' }, 'invalid_sub'],
  ])('refuses a token signed by the probe key with %s (401)', async (_case, options, reason) => {
    // Prepare
    const token = await probe.token(options);

    // Act
    const response = await read(`Bearer ${token}`);

    // Assess
    expect(response.statusCode, response.body).toBe(401);
    expect(authFailures(t).at(-1)).toBe(reason);
  });

  it("refuses a probe-issuer token signed by the identity provider's key, whatever it asks for", async () => {
    // Prepare
    const token = await t.issuer.token({
      issuer: API_PROBE_ISSUER,
      subject: API_PROBE_SUBJECT,
      scopes: ['payments:read'],
    });

    // Act
    const response = await read(`Bearer ${token}`);

    // Assess
    expect(response.statusCode).toBe(401);
    expect(authFailures(t).at(-1)).toBe('unknown_key');
  });

  it('refuses a probe token signed by another P-256 key claiming the probe kid', async () => {
    const impostor = await ProbeKey.generate(probe.kid);

    const response = await read(`Bearer ${await impostor.token()}`);

    expect(response.statusCode).toBe(401);
    expect(authFailures(t).at(-1)).toBe('bad_signature');
  });

  it("still accepts the identity provider's tokens with every scope", async () => {
    const response = await t.app.inject({
      method: 'POST',
      url: '/v1/patients',
      headers: { authorization: `Bearer ${await t.token()}` },
      payload: { ...NEW_PATIENT, medicalRecordNumber: 'MRN-PROBE-IDP' },
    });

    expect(response.statusCode, response.body).toBe(201);
  });
});

describe('the deployment check probe principal, without AUTH_PROBE_JWKS', () => {
  let t: TestApp;
  let probe: ProbeKey;
  beforeAll(async () => {
    probe = await ProbeKey.generate();
    t = await startTestApp();
  });
  afterAll(() => t.close());

  it('refuses every probe token as signed by an unknown key', async () => {
    const readScopes = fc.subarray(['payments:read', 'patients:read'], { minLength: 1 });
    await fc.assert(
      fc.asyncProperty(
        readScopes,
        fc.integer({ min: 1, max: 60 }),
        fc.constantFrom('GET', 'POST'),
        async (scopes, lifetimeSeconds, method) => {
          // Prepare
          const token = await probe.token({ scope: scopes.join(' '), lifetimeSeconds });

          // Act
          const response = await t.app.inject({
            method,
            url: method === 'GET' ? `${API_PAYMENTS_PATH}/${randomUUID()}` : '/v1/patients',
            headers: { authorization: `Bearer ${token}` },
            ...(method === 'POST' ? { payload: NEW_PATIENT } : {}),
          });

          // Assess
          expect(response.statusCode).toBe(401);
          expect(authFailures(t).at(-1)).toBe('unknown_key');
        },
      ),
      { numRuns: 40 },
    );
    const { rows } = await t.admin.query(
      'SELECT count(*)::int AS rows FROM audit_events WHERE subject = $1',
      [API_PROBE_SUBJECT],
    );
    expect(rows[0].rows).toBe(0);
  });
});
