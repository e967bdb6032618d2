import { randomUUID } from 'node:crypto';
import type { LightMyRequestResponse } from 'fastify';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { encodeCursor } from '../../src/domain/page-cursor.js';
import { startTestApp, type TestApp } from '../support/test-app.js';

const CARD_NUMBER = '4111111111111111';

describe('audit trail', () => {
  let t: TestApp;
  let auth: { authorization: string };
  beforeAll(async () => {
    // Refusals are the point here: keep the per-address failure limit out of the way.
    t = await startTestApp({ AUTH_FAILURE_LIMIT: '100000' });
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

  describe('one row per request', () => {
    let patientId: string;
    let lastId = 0;
    beforeAll(async () => {
      const created = await t.app.inject({
        method: 'POST',
        url: '/v1/patients',
        headers: auth,
        payload: { name: 'Row Counted', dateOfBirth: '1970-01-02', medicalRecordNumber: 'MRN-ROWS' },
      });
      patientId = created.json().id;
      await t.queue.drain();
      lastId = await maxAuditId();
    });

    async function maxAuditId(): Promise<number> {
      const { rows } = await t.admin.query('SELECT coalesce(max(id), 0)::int AS id FROM audit_events');
      return rows[0].id as number;
    }

    /** Every audit row written since the previous call. */
    async function newRows(): Promise<Record<string, unknown>[]> {
      const { rows } = await t.admin.query(
        `SELECT id, subject, action, resource_type, resource_id, request_id, source_ip, outcome
         FROM audit_events WHERE id > $1 ORDER BY id`,
        [lastId],
      );
      lastId = Math.max(lastId, ...rows.map((row) => Number(row.id)));
      return rows;
    }

    const requestIdOf = (response: LightMyRequestResponse) => response.headers['x-request-id'];
    const pay = (key: string, amount = 700) =>
      t.app.inject({
        method: 'POST',
        url: '/v1/payments',
        headers: { ...auth, 'idempotency-key': key },
        payload: { patientId, amount, currency: 'EUR', description: 'Replayed' },
      });

    it('records an idempotent replay, which returns the full payment, as a replay of that payment', async () => {
      const key = randomUUID();
      const first = await pay(key);
      await t.queue.drain();
      await newRows();

      const replay = await pay(key);

      expect(replay.statusCode).toBe(201);
      expect(await newRows()).toEqual([
        expect.objectContaining({
          subject: 'auditor-subject',
          action: 'replay',
          resource_type: 'payment',
          resource_id: first.json().id,
          request_id: requestIdOf(replay),
          source_ip: '127.0.0.1',
          outcome: 'success',
        }),
      ]);
    });

    it("records a key reused with another body as a conflict on the key's payment", async () => {
      const key = randomUUID();
      const first = await pay(key);
      await t.queue.drain();
      await newRows();

      const reused = await pay(key, 701);

      expect(reused.statusCode).toBe(409);
      expect(await newRows()).toEqual([
        expect.objectContaining({
          subject: 'auditor-subject',
          action: 'create',
          resource_type: 'payment',
          resource_id: first.json().id,
          request_id: requestIdOf(reused),
          outcome: 'conflict',
        }),
      ]);
    });

    it.each([
      ['POST', '/v1/patients', ['patients:read'], 'create', 'patient'],
      ['GET', '/v1/patients', ['payments:read'], 'list', 'patient'],
      ['GET', '/v1/patients/7d1f4b3e-8c2a-4f6b-9e0d-1a2b3c4d5e6f', ['payments:read'], 'read', 'patient'],
      ['POST', '/v1/payments', ['payments:read'], 'create', 'payment'],
      ['GET', '/v1/payments/7d1f4b3e-8c2a-4f6b-9e0d-1a2b3c4d5e6f', ['patients:read'], 'read', 'payment'],
    ] as const)(
      'records %s %s without the needed scope as forbidden, naming who and the route only',
      async (method, url, scopes, action, resourceType) => {
        const token = await t.token(scopes, 'scope-short-subject');

        const response = await t.app.inject({
          method,
          url,
          headers: { authorization: `Bearer ${token}`, 'idempotency-key': randomUUID() },
          ...(method === 'POST' ? { payload: { anything: 'x' } } : {}),
        });

        expect(response.statusCode).toBe(403);
        expect(await newRows()).toEqual([
          {
            id: expect.anything(),
            subject: 'scope-short-subject',
            action,
            resource_type: resourceType,
            resource_id: null,
            request_id: requestIdOf(response),
            source_ip: '127.0.0.1',
            outcome: 'forbidden',
          },
        ]);
      },
    );

    it.each([
      [
        'the body of a payment',
        () =>
          t.app.inject({
            method: 'POST',
            url: '/v1/payments',
            headers: { ...auth, 'idempotency-key': randomUUID() },
            payload: { patientId, amount: 100, currency: 'EUR', description: `card ${CARD_NUMBER}` },
          }),
        'create',
        'payment',
      ],
      [
        'the body of a patient',
        () =>
          t.app.inject({
            method: 'POST',
            url: '/v1/patients',
            headers: auth,
            payload: { name: CARD_NUMBER, dateOfBirth: '1970-01-02', medicalRecordNumber: 'MRN-CARD' },
          }),
        'create',
        'patient',
      ],
      [
        'the query string of a list',
        () => t.app.inject({ method: 'GET', url: `/v1/patients?cursor=${CARD_NUMBER}`, headers: auth }),
        'list',
        'patient',
      ],
      [
        'a header of a read',
        () =>
          t.app.inject({
            method: 'GET',
            url: `/v1/payments/${randomUUID()}`,
            headers: { ...auth, 'x-request-id': `pan-${CARD_NUMBER}` },
          }),
        'read',
        'payment',
      ],
    ] as const)(
      'records card data in %s as a refusal of the route, with no value of the request',
      async (_where, send, action, resourceType) => {
        const response = await send();

        expect(response.statusCode).toBe(422);
        expect(response.json().error.code).toBe('card_data_not_accepted');
        const rows = await newRows();
        expect(rows).toEqual([
          expect.objectContaining({
            action,
            resource_type: resourceType,
            resource_id: null,
            request_id: requestIdOf(response),
            source_ip: '127.0.0.1',
            outcome: 'card_data_refused',
          }),
        ]);
        expect(['auditor-subject', 'unauthenticated']).toContain(rows[0]?.subject);
        expect(JSON.stringify(rows)).not.toContain(CARD_NUMBER);
      },
    );

    it('records a page of patients with one row per patient returned, and none for the one looked ahead at', async () => {
      await newRows();

      const page = await t.app.inject({ method: 'GET', url: '/v1/patients?limit=1', headers: auth });

      expect(page.json().nextCursor).not.toBeNull();
      expect(await newRows()).toEqual([
        expect.objectContaining({
          action: 'list',
          resource_type: 'patient',
          resource_id: page.json().data[0].id,
          request_id: requestIdOf(page),
          outcome: 'success',
        }),
      ]);
    });

    it('records a page with no patients on it as one list row without a resource', async () => {
      const { rows } = await t.admin.query(
        `SELECT id, to_char(created_at AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.US"Z"') AS "createdAt"
         FROM patients ORDER BY created_at DESC, id DESC LIMIT 1`,
      );
      const afterTheLast = encodeCursor({ createdAt: rows[0].createdAt, id: rows[0].id });
      await newRows();

      const empty = await t.app.inject({
        method: 'GET',
        url: `/v1/patients?cursor=${encodeURIComponent(afterTheLast)}`,
        headers: auth,
      });

      expect(empty.json()).toEqual({ data: [], nextCursor: null });
      expect(await newRows()).toEqual([
        expect.objectContaining({
          subject: 'auditor-subject',
          action: 'list',
          resource_type: 'patient',
          resource_id: null,
          request_id: requestIdOf(empty),
          outcome: 'success',
        }),
      ]);
    });

    const bearer = async (token: Promise<string>): Promise<string> => `Bearer ${await token}`;
    const refusedTokens: [string, () => Promise<string | undefined>][] = [
      ['no token', async () => undefined],
      ['a malformed header', async () => 'Bearer not-a-jwt'],
      ['another scheme', async () => 'Basic dXNlcjpwYXNz'],
      ['a forged signature', async () => 'Bearer eyJhbGciOiJSUzI1NiJ9.eyJzdWIiOiJ4In0.c2ln'],
      ['an expired token', () => bearer(t.issuer.token({ expiresIn: Math.floor(Date.now() / 1000) - 120 }))],
      ['another issuer', () => bearer(t.issuer.token({ issuer: 'https://elsewhere.example' }))],
      ['another audience', () => bearer(t.issuer.token({ audience: 'another-api' }))],
      ['an unknown key', () => bearer(t.issuer.token({ kid: 'rotated-away' }))],
      ['no subject', () => bearer(t.issuer.token({ subject: null }))],
    ];
    it.each(refusedTokens)(
      'logs %s as one auth_failed security event the metric filter counts, and no audit row',
      async (_case, makeAuthorization) => {
        const authorization = await makeAuthorization();
        const before = t.logs.length;

        const response = await t.app.inject({
          method: 'GET',
          url: `/v1/payments/${randomUUID()}`,
          headers: authorization === undefined ? {} : { authorization },
        });

        expect(response.statusCode).toBe(401);
        const events = t.logs
          .slice(before)
          .map((line) => JSON.parse(line) as Record<string, unknown>)
          .filter((entry) => entry.requestId === requestIdOf(response) && 'event' in entry);
        // The API log's metric filter is `{ $.event = "auth_failed" }`: a top-level string field.
        expect(events.filter((entry) => entry.event === 'auth_failed')).toEqual([
          expect.objectContaining({ event: 'auth_failed', reason: expect.any(String), level: 'warn' }),
        ]);
        expect(await newRows()).toEqual([]);
        if (authorization) expect(t.logs.slice(before).join('\n')).not.toContain(authorization.slice(7));
      },
    );

    it('pairs every 401 this app answered with exactly one auth_failed event of the same request', () => {
      const entries = t.logs.map((line) => JSON.parse(line) as Record<string, unknown>);
      const unauthenticated = entries
        .filter((entry) => (entry.res as { statusCode?: number } | undefined)?.statusCode === 401)
        .map((entry) => entry.requestId);
      const failed = entries.filter((entry) => entry.event === 'auth_failed').map((entry) => entry.requestId);

      expect(unauthenticated.length).toBeGreaterThanOrEqual(9);
      expect(failed.sort()).toEqual(unauthenticated.sort());
    });
  });
});
