import { sql, type Kysely } from 'kysely';

/**
 * Splits the payment processor from the API. The processor gets its own role,
 * `citadel_processor`, which reads payments and records their outcome (status, failure
 * reason, processed time) with an audit row, and nothing else: no patients, no
 * idempotency records, no reading of the audit trail. The API role keeps creating pending
 * payments and reading them, but loses every UPDATE on payments and may insert only the
 * columns a client supplies, so `status` and `processed_at` always start at their defaults.
 *
 * Column privileges rather than a trigger: PostgreSQL itself refuses the statement
 * (SQLSTATE 42501) before any row is touched, the rule is visible in the catalog
 * (`has_column_privilege`) where the bootstrap and an auditor can check it, and it does
 * not depend on session state a connection could change.
 */
export async function up(db: Kysely<unknown>): Promise<void> {
  await sql`
    DO $$
    BEGIN
      CREATE ROLE citadel_processor NOLOGIN;
    EXCEPTION WHEN duplicate_object OR unique_violation THEN
      NULL;
    END
    $$`.execute(db);
  await sql`GRANT USAGE ON SCHEMA public TO citadel_processor`.execute(db);
  await sql`GRANT SELECT ON payments TO citadel_processor`.execute(db);
  await sql`GRANT UPDATE (status, failure_reason, processed_at) ON payments TO citadel_processor`.execute(db);
  await sql`GRANT INSERT ON audit_events TO citadel_processor`.execute(db);

  // Revoking the table privilege also revokes the column privileges granted in 0002.
  await sql`REVOKE UPDATE ON payments FROM citadel_app`.execute(db);
  await sql`REVOKE INSERT ON payments FROM citadel_app`.execute(db);
  await sql`
    GRANT INSERT (patient_id, amount, currency, description, created_by) ON payments TO citadel_app
  `.execute(db);
}
