import { randomUUID } from 'node:crypto';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { OUTBOX_ROLE, RETENTION_ROLE } from '../../src/index.js';
import { createTestDatabase, type TestDatabase } from '../../src/testing/index.js';
import { insertIdempotencyRecord } from '../jobs/fixtures.js';
import { insertPendingPayment } from '../payments/fixtures.js';

const INSUFFICIENT_PRIVILEGE = '42501';

describe('maintenance roles (migration 0004)', () => {
  let database: TestDatabase;
  let admin: pg.Pool;
  let retention: pg.Pool;
  let outbox: pg.Pool;

  beforeAll(async () => {
    database = await createTestDatabase();
    admin = new pg.Pool({ connectionString: database.adminUrl, max: 2 });
    retention = new pg.Pool({ connectionString: database.retentionUrl, max: 2 });
    outbox = new pg.Pool({ connectionString: database.outboxUrl, max: 2 });
  });
  afterAll(async () => {
    await Promise.all([admin.end(), retention.end(), outbox.end()]);
    await database.drop();
  });

  it('creates both roles without LOGIN of their own, which local mode then grants', async () => {
    // Act
    const { rows } = await admin.query<{ rolname: string; rolsuper: boolean; rolcreaterole: boolean }>(
      `SELECT rolname, rolsuper, rolcreaterole FROM pg_roles WHERE rolname = ANY($1) ORDER BY rolname`,
      [[RETENTION_ROLE, OUTBOX_ROLE]],
    );

    // Assess
    expect(rows).toEqual([
      { rolname: OUTBOX_ROLE, rolsuper: false, rolcreaterole: false },
      { rolname: RETENTION_ROLE, rolsuper: false, rolcreaterole: false },
    ]);
  });

  describe('the retention role (citadel_retention)', () => {
    it('reads a key’s age and deletes the record, and writes an audit row', async () => {
      // Prepare
      const record = await insertIdempotencyRecord(admin, { ageHours: 30 });

      // Act
      const read = await retention.query(
        'SELECT principal, key, created_at FROM idempotency_keys WHERE key = $1',
        [record.key],
      );
      const deleted = await retention.query('DELETE FROM idempotency_keys WHERE key = $1', [record.key]);
      await retention.query(
        `INSERT INTO audit_events (subject, action, resource_type, outcome)
         VALUES ('idempotency-retention', 'purge', 'idempotency_key', 'success')`,
      );

      // Assess
      expect(read.rowCount).toBe(1);
      expect(deleted.rowCount).toBe(1);
    });

    it.each([
      ['reads a stored response', 'SELECT response_body FROM idempotency_keys'],
      ['reads a request fingerprint', 'SELECT request_hash FROM idempotency_keys'],
      ['reads every column of a record', 'SELECT * FROM idempotency_keys'],
      ['changes a record', `UPDATE idempotency_keys SET created_at = now()`],
      [
        'inserts a record',
        `INSERT INTO idempotency_keys (principal, key, request_hash, payment_id, response_status, response_body)
         SELECT 'p', gen_random_uuid(), 'h', id, 201, '{}' FROM payments LIMIT 1`,
      ],
      ['empties the table', 'TRUNCATE idempotency_keys'],
      ['reads patients', 'SELECT name FROM patients'],
      ['reads payments', 'SELECT id FROM payments'],
      ['changes a payment', `UPDATE payments SET status = 'failed'`],
      ['reads the audit trail', 'SELECT subject FROM audit_events'],
      ['deletes audit rows', 'DELETE FROM audit_events'],
      ['creates a table', 'CREATE TABLE retention_scratch (id int)'],
    ])('fails with permission denied when it %s', async (_what, statement) => {
      // Prepare
      await insertIdempotencyRecord(admin, { ageHours: 1 });

      // Act
      const act = retention.query(statement);

      // Assess
      await expect(act).rejects.toMatchObject({ code: INSUFFICIENT_PRIVILEGE });
    });
  });

  describe('the outbox role (citadel_outbox)', () => {
    it('reads a payment’s id, status and age, and writes an audit row', async () => {
      // Prepare
      const paymentId = await insertPendingPayment(admin);

      // Act
      const { rows } = await outbox.query<{ id: string; status: string }>(
        'SELECT id, status, created_at FROM payments WHERE id = $1',
        [paymentId],
      );
      await outbox.query(
        `INSERT INTO audit_events (subject, action, resource_type, outcome)
         VALUES ('payment-outbox', 'resend', 'payment', 'success')`,
      );

      // Assess
      expect(rows).toEqual([expect.objectContaining({ id: paymentId, status: 'pending' })]);
    });

    it.each([
      ['reads an amount', 'SELECT amount FROM payments'],
      ['reads a description', 'SELECT description FROM payments'],
      ['reads which patient paid', 'SELECT patient_id FROM payments'],
      ['reads every column of a payment', 'SELECT * FROM payments'],
      ['settles a payment', `UPDATE payments SET status = 'settled', processed_at = now()`],
      ['locks a payment', 'SELECT id FROM payments FOR UPDATE'],
      [
        'inserts a payment',
        `INSERT INTO payments (patient_id, amount, currency, description, created_by)
         VALUES (gen_random_uuid(), 1, 'EUR', 'x', 'p')`,
      ],
      ['deletes a payment', 'DELETE FROM payments'],
      ['reads patients', 'SELECT name FROM patients'],
      ['reads idempotency records', 'SELECT key FROM idempotency_keys'],
      ['deletes idempotency records', 'DELETE FROM idempotency_keys'],
      ['reads the audit trail', 'SELECT subject FROM audit_events'],
      ['deletes audit rows', 'DELETE FROM audit_events'],
    ])('fails with permission denied when it %s', async (_what, statement) => {
      // Prepare
      await insertPendingPayment(admin);

      // Act
      const act = outbox.query(statement);

      // Assess
      await expect(act).rejects.toMatchObject({ code: INSUFFICIENT_PRIVILEGE });
    });
  });

  it('has granted the two roles nothing beyond the listed table and column privileges', async () => {
    // Act
    const tables = await admin.query<{ grantee: string; table_name: string; privilege_type: string }>(
      `SELECT grantee, table_name, privilege_type FROM information_schema.role_table_grants
        WHERE grantee = ANY($1) ORDER BY grantee, table_name, privilege_type`,
      [[RETENTION_ROLE, OUTBOX_ROLE]],
    );
    const columns = await admin.query<{
      grantee: string;
      table_name: string;
      column_name: string;
      privilege_type: string;
    }>(
      `SELECT grantee, table_name, column_name, privilege_type FROM information_schema.column_privileges
        WHERE grantee = ANY($1) AND privilege_type <> 'INSERT' AND table_name <> 'audit_events'
          AND NOT (grantee = $2 AND table_name = 'idempotency_keys' AND privilege_type = 'DELETE')
        ORDER BY grantee, table_name, column_name, privilege_type`,
      [[RETENTION_ROLE, OUTBOX_ROLE], RETENTION_ROLE],
    );

    // Assess
    expect(tables.rows).toEqual([
      { grantee: OUTBOX_ROLE, table_name: 'audit_events', privilege_type: 'INSERT' },
      { grantee: RETENTION_ROLE, table_name: 'audit_events', privilege_type: 'INSERT' },
      { grantee: RETENTION_ROLE, table_name: 'idempotency_keys', privilege_type: 'DELETE' },
    ]);
    expect(columns.rows).toEqual([
      { grantee: OUTBOX_ROLE, table_name: 'payments', column_name: 'created_at', privilege_type: 'SELECT' },
      { grantee: OUTBOX_ROLE, table_name: 'payments', column_name: 'id', privilege_type: 'SELECT' },
      { grantee: OUTBOX_ROLE, table_name: 'payments', column_name: 'status', privilege_type: 'SELECT' },
      {
        grantee: RETENTION_ROLE,
        table_name: 'idempotency_keys',
        column_name: 'created_at',
        privilege_type: 'SELECT',
      },
      {
        grantee: RETENTION_ROLE,
        table_name: 'idempotency_keys',
        column_name: 'key',
        privilege_type: 'SELECT',
      },
      {
        grantee: RETENTION_ROLE,
        table_name: 'idempotency_keys',
        column_name: 'principal',
        privilege_type: 'SELECT',
      },
    ]);
  });

  it('lets the API overwrite an idempotency record’s replay columns, but not its principal or key', async () => {
    // Prepare
    const api = new pg.Pool({ connectionString: database.appUrl, max: 1 });
    const record = await insertIdempotencyRecord(admin, { ageHours: 30 });

    try {
      // Act
      const renew = api.query('UPDATE idempotency_keys SET created_at = now() WHERE key = $1', [record.key]);
      const rekey = api.query('UPDATE idempotency_keys SET key = $2 WHERE key = $1', [
        record.key,
        randomUUID(),
      ]);
      const remove = api.query('DELETE FROM idempotency_keys WHERE key = $1', [record.key]);

      // Assess
      await expect(renew).resolves.toMatchObject({ rowCount: 1 });
      await expect(rekey).rejects.toMatchObject({ code: INSUFFICIENT_PRIVILEGE });
      await expect(remove).rejects.toMatchObject({ code: INSUFFICIENT_PRIVILEGE });
    } finally {
      await api.end();
    }
  });
});
