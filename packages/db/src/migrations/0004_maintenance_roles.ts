import { sql, type Kysely } from 'kysely';

/**
 * Two scheduled maintenance jobs, each with its own role and the least it needs:
 *
 * - `citadel_retention` deletes idempotency records past their window. It reads only the
 *   key and its age (never the stored request hash or response) and writes one audit row per run.
 * - `citadel_outbox` finds payments still `pending` after their queue message was lost and
 *   sends their ids again. It reads only a payment's id, status and age (never the amount,
 *   description or patient) and writes one audit row per run.
 *
 * Neither can read patients, change a payment or read the audit trail. Like the other
 * roles they are created without LOGIN; the database bootstrap enables IAM login on RDS.
 *
 * The API may now overwrite an idempotency record whose window has passed (and only the
 * columns a new request sets), so a client reusing an expired key gets a new payment
 * instead of a failed insert; the row lock taken by `ON CONFLICT DO UPDATE` keeps two
 * concurrent reuses of the same expired key to one new payment.
 */
export async function up(db: Kysely<unknown>): Promise<void> {
  await sql`
    DO $$
    BEGIN
      CREATE ROLE citadel_retention NOLOGIN;
    EXCEPTION WHEN duplicate_object OR unique_violation THEN
      NULL;
    END
    $$`.execute(db);
  await sql`
    DO $$
    BEGIN
      CREATE ROLE citadel_outbox NOLOGIN;
    EXCEPTION WHEN duplicate_object OR unique_violation THEN
      NULL;
    END
    $$`.execute(db);

  await sql`GRANT USAGE ON SCHEMA public TO citadel_retention, citadel_outbox`.execute(db);
  await sql`GRANT SELECT (principal, key, created_at) ON idempotency_keys TO citadel_retention`.execute(db);
  await sql`GRANT DELETE ON idempotency_keys TO citadel_retention`.execute(db);
  await sql`GRANT SELECT (id, status, created_at) ON payments TO citadel_outbox`.execute(db);
  await sql`GRANT INSERT ON audit_events TO citadel_retention, citadel_outbox`.execute(db);

  // The retention job deletes oldest first, and the outbox pages through old pending payments.
  await sql`CREATE INDEX idempotency_keys_created_at ON idempotency_keys (created_at)`.execute(db);
  await sql`CREATE INDEX payments_pending_created_at ON payments (created_at, id) WHERE status = 'pending'`.execute(
    db,
  );

  await sql`
    GRANT UPDATE (request_hash, payment_id, response_status, response_body, created_at)
      ON idempotency_keys TO citadel_app
  `.execute(db);
}
