import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestApp, type TestApp } from './support/test-app.js';

describe('logs', () => {
  let t: TestApp;
  beforeAll(async () => {
    t = await startTestApp({ LOG_LEVEL: 'trace' });
  });
  afterAll(() => t.close());

  it('never contain a token, a name, a date of birth or a record number across a full create-and-read flow', async () => {
    const token = await t.token();
    const auth = { authorization: `Bearer ${token}` };
    const protectedValues = {
      name: 'Zebulon Quarterfield',
      dateOfBirth: '1933-07-21',
      medicalRecordNumber: 'MRN-ZQ-73311',
    };
    const patient = (
      await t.app.inject({ method: 'POST', url: '/v1/patients', headers: auth, payload: protectedValues })
    ).json();
    await t.app.inject({ method: 'GET', url: `/v1/patients/${patient.id}`, headers: auth });
    await t.app.inject({ method: 'GET', url: '/v1/patients?limit=5', headers: auth });
    await t.app.inject({ method: 'POST', url: '/v1/patients', headers: auth, payload: protectedValues });
    const payment = await t.app.inject({
      method: 'POST',
      url: '/v1/payments',
      headers: { ...auth, 'idempotency-key': randomUUID() },
      payload: { patientId: patient.id, amount: 700, currency: 'USD', description: 'Zebulon follow-up' },
    });
    await t.queue.drain();
    await t.app.inject({ method: 'GET', url: `/v1/payments/${payment.json().id}`, headers: auth });
    await t.app.inject({
      method: 'GET',
      url: '/v1/patients',
      headers: { authorization: `Bearer ${token}x` },
    });

    const output = t.logs.join('\n');

    expect(t.logs.length).toBeGreaterThan(10);
    for (const value of [
      token,
      token.split('.')[2] as string,
      ...Object.values(protectedValues),
      'Zebulon',
    ]) {
      expect(output).not.toContain(value);
    }
  });

  it('puts the request id on every request log line and as a response header', async () => {
    const response = await t.app.inject({
      method: 'GET',
      url: '/v1/patients',
      headers: { 'x-request-id': 'trace-me-12345', authorization: `Bearer ${await t.token()}` },
    });

    expect(response.headers['x-request-id']).toBe('trace-me-12345');
    const lines = t.logs
      .map((line) => JSON.parse(line))
      .filter((entry) => entry.requestId === 'trace-me-12345');
    expect(lines.length).toBeGreaterThanOrEqual(2);
  });

  it('redacts an authorization header and a token even if a handler logs them', () => {
    t.app.log.info(
      { headers: { authorization: 'Bearer secret-looking-value' }, token: 'another-secret' },
      'probe',
    );

    expect(t.logs.at(-1)).not.toContain('secret-looking-value');
    expect(t.logs.at(-1)).not.toContain('another-secret');
    expect(t.logs.at(-1)).toContain('[redacted]');
  });
});
