import { randomUUID } from 'node:crypto';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestApp, type TestApp } from '../support/test-app.js';

describe('audit trail', () => {
  let t: TestApp;
  let auth: { authorization: string };
  beforeAll(async () => {
    t = await startTestApp();
    auth = { authorization: `Bearer ${await t.token(undefined, 'auditor-subject')}` };
  });
  afterAll(() => t.close());

  it('records every read and write of patients and payments with who, what, where and outcome', async () => {
    const patient = (
      await t.app.inject({
        method: 'POST',
        url: '/v1/patients',
        headers: { ...auth, 'x-request-id': 'req-audit-0001' },
        payload: { name: 'Audited', dateOfBirth: '1950-05-05', medicalRecordNumber: 'MRN-AUD' },
      })
    ).json();
    await t.app.inject({ method: 'GET', url: `/v1/patients/${patient.id}`, headers: auth });
    await t.app.inject({ method: 'GET', url: `/v1/patients/${randomUUID()}`, headers: auth });
    const created = await t.app.inject({
      method: 'POST',
      url: '/v1/payments',
      headers: { ...auth, 'idempotency-key': randomUUID() },
      payload: { patientId: patient.id, amount: 500, currency: 'GBP', description: 'Audit' },
    });
    expect(created.statusCode, created.body).toBe(201);
    const payment = created.json();
    await t.queue.drain();
    await t.app.inject({ method: 'GET', url: `/v1/payments/${payment.id}`, headers: auth });

    const { rows } = await t.admin.query(
      `SELECT subject, action, resource_type, resource_id, request_id, source_ip, outcome
       FROM audit_events ORDER BY id`,
    );

    expect(rows).toEqual([
      expect.objectContaining({
        subject: 'auditor-subject',
        action: 'create',
        resource_type: 'patient',
        resource_id: patient.id,
        // The server's own id, never the client's X-Request-Id.
        request_id: expect.stringMatching(
          /^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/,
        ),
        source_ip: '127.0.0.1',
        outcome: 'success',
      }),
      expect.objectContaining({
        action: 'read',
        resource_type: 'patient',
        resource_id: patient.id,
        outcome: 'success',
      }),
      expect.objectContaining({ action: 'read', resource_type: 'patient', outcome: 'not_found' }),
      expect.objectContaining({
        action: 'create',
        resource_type: 'payment',
        resource_id: payment.id,
        outcome: 'success',
      }),
      expect.objectContaining({
        subject: 'payment-processor',
        resource_type: 'payment',
        resource_id: payment.id,
      }),
      expect.objectContaining({
        action: 'read',
        resource_type: 'payment',
        resource_id: payment.id,
        outcome: 'success',
      }),
    ]);
  });

  it.each([
    ['UPDATE', `UPDATE audit_events SET outcome = 'success'`],
    ['DELETE', 'DELETE FROM audit_events'],
    ['TRUNCATE', 'TRUNCATE audit_events'],
  ])('refuses %s by the application role', async (_verb, statement) => {
    const client = new pg.Client({ connectionString: t.database.appUrl });
    await client.connect();
    try {
      await expect(client.query(statement)).rejects.toMatchObject({ code: '42501' });
    } finally {
      await client.end();
    }
  });

  it.each([
    ['UPDATE', `UPDATE audit_events SET outcome = 'success'`],
    ['DELETE', 'DELETE FROM audit_events'],
    ['TRUNCATE', 'TRUNCATE audit_events'],
  ])('refuses %s even by the table owner, through the trigger', async (_verb, statement) => {
    await expect(t.admin.query(statement)).rejects.toThrow(/append-only/);
  });
});
