import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { processPayment, simulatedGateway } from '../../src/index.js';
import { createTestDatabase, type TestDatabase } from '../../src/testing/index.js';
import { insertPendingPayment, paymentState } from '../payments/fixtures.js';

const INSUFFICIENT_PRIVILEGE = '42501';

describe('database roles', () => {
  let database: TestDatabase;
  let admin: pg.Pool;
  let api: pg.Pool;
  let processor: pg.Pool;

  beforeAll(async () => {
    database = await createTestDatabase();
    admin = new pg.Pool({ connectionString: database.adminUrl, max: 2 });
    api = new pg.Pool({ connectionString: database.appUrl, max: 2 });
    processor = new pg.Pool({ connectionString: database.processorUrl, max: 2 });
  });
  afterAll(async () => {
    await Promise.all([admin.end(), api.end(), processor.end()]);
    await database.drop();
  });

  describe('the API role (citadel_app)', () => {
    it('inserts a pending payment and reads it back', async () => {
      // Prepare
      const patientId = await insertPatient(api);

      // Act
      const { rows } = await api.query<{ status: string }>(
        `INSERT INTO payments (patient_id, amount, currency, description, created_by)
         VALUES ($1, 100, 'EUR', 'visit', 'user-1') RETURNING status`,
        [patientId],
      );

      // Assess
      expect(rows).toEqual([{ status: 'pending' }]);
    });

    it.each([
      ['status', `UPDATE payments SET status = 'settled', processed_at = now() WHERE id = $1`],
      ['failure_reason', `UPDATE payments SET failure_reason = 'x' WHERE id = $1`],
      ['amount', `UPDATE payments SET amount = 1 WHERE id = $1`],
    ])('fails with permission denied when it updates a payment’s %s', async (_column, statement) => {
      // Prepare
      const paymentId = await insertPendingPayment(admin);

      // Act
      const act = api.query(statement, [paymentId]);

      // Assess
      await expect(act).rejects.toMatchObject({ code: INSUFFICIENT_PRIVILEGE });
      expect(await paymentState(admin, paymentId)).toMatchObject({ status: 'pending', processed: false });
    });

    it('fails with permission denied when it inserts a payment already settled', async () => {
      // Prepare
      const patientId = await insertPatient(admin);

      // Act
      const act = api.query(
        `INSERT INTO payments (patient_id, amount, currency, description, created_by, status, processed_at)
         VALUES ($1, 100, 'EUR', 'visit', 'user-1', 'settled', now())`,
        [patientId],
      );

      // Assess
      await expect(act).rejects.toMatchObject({ code: INSUFFICIENT_PRIVILEGE });
    });

    it('fails with permission denied when it locks a payment for processing', async () => {
      // Prepare
      const paymentId = await insertPendingPayment(admin);

      // Act
      const act = processPayment(api, paymentId, simulatedGateway);

      // Assess
      await expect(act).rejects.toMatchObject({ code: INSUFFICIENT_PRIVILEGE });
      expect(await paymentState(admin, paymentId)).toMatchObject({ status: 'pending' });
    });

    it.each([
      ['DELETE', 'DELETE FROM audit_events'],
      ['UPDATE', `UPDATE audit_events SET outcome = 'success'`],
      ['TRUNCATE', 'TRUNCATE audit_events'],
    ])('fails with permission denied when it runs %s on audit rows', async (_operation, statement) => {
      // Prepare
      await api.query(
        `INSERT INTO audit_events (subject, action, resource_type, outcome) VALUES ('user-1', 'read', 'payment', 'failure')`,
      );

      // Act
      const act = api.query(statement);

      // Assess
      await expect(act).rejects.toMatchObject({ code: INSUFFICIENT_PRIVILEGE });
      const { rows } = await admin.query<{ n: number }>(`SELECT count(*)::int AS n FROM audit_events`);
      expect(rows[0]?.n).toBeGreaterThan(0);
    });
  });

  describe('the payment processor role (citadel_processor)', () => {
    it('settles a pending payment and writes its audit row', async () => {
      // Prepare
      const paymentId = await insertPendingPayment(admin, 2500);

      // Act
      const result = await processPayment(processor, paymentId, simulatedGateway);

      // Assess
      expect(result).toBe('settled');
      expect(await paymentState(admin, paymentId)).toEqual({
        status: 'settled',
        failure_reason: null,
        processed: true,
        audit_events: 1,
      });
    });

    it.each([
      [
        'inserts a patient',
        `INSERT INTO patients (name, date_of_birth, medical_record_number, created_by) VALUES ('A', '1980-01-01', 'MRN-P', 'p')`,
      ],
      ['reads patients', 'SELECT name FROM patients'],
      [
        'inserts a payment',
        `INSERT INTO payments (patient_id, amount, currency, description, created_by) SELECT id, 1, 'EUR', 'x', 'p' FROM patients`,
      ],
      ['changes a payment’s amount', 'UPDATE payments SET amount = 1'],
      ['reads idempotency records', 'SELECT response_body FROM idempotency_keys'],
      ['reads the audit trail', 'SELECT subject FROM audit_events'],
      ['deletes audit rows', 'DELETE FROM audit_events'],
    ])('fails with permission denied when it %s', async (_what, statement) => {
      // Prepare
      await insertPendingPayment(admin);

      // Act
      const act = processor.query(statement);

      // Assess
      await expect(act).rejects.toMatchObject({ code: INSUFFICIENT_PRIVILEGE });
    });
  });
});

async function insertPatient(pool: pg.Pool): Promise<string> {
  const { rows } = await pool.query<{ id: string }>(
    `INSERT INTO patients (name, date_of_birth, medical_record_number, created_by)
     VALUES ('Test Patient', '1980-01-01', gen_random_uuid()::text, 'test') RETURNING id`,
  );
  const id = rows[0]?.id;
  if (!id) throw new Error('patient insert returned no id');
  return id;
}
