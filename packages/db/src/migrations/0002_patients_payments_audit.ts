import { sql, type Kysely } from 'kysely';

export async function up(db: Kysely<unknown>): Promise<void> {
  await sql`
    CREATE TABLE patients (
      id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
      name text NOT NULL CHECK (char_length(name) BETWEEN 1 AND 200),
      date_of_birth date NOT NULL,
      medical_record_number text NOT NULL UNIQUE CHECK (char_length(medical_record_number) BETWEEN 1 AND 64),
      created_by text NOT NULL,
      created_at timestamptz NOT NULL DEFAULT clock_timestamp()
    )`.execute(db);
  await sql`CREATE INDEX patients_page_order ON patients (created_at, id)`.execute(db);

  await sql`
    CREATE TABLE payments (
      id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
      patient_id uuid NOT NULL REFERENCES patients (id),
      amount bigint NOT NULL CHECK (amount > 0),
      currency char(3) NOT NULL CHECK (currency ~ '^[A-Z]{3}$'),
      description text NOT NULL CHECK (char_length(description) BETWEEN 1 AND 500),
      status text NOT NULL DEFAULT 'pending' CHECK (status IN ('pending', 'settled', 'failed')),
      failure_reason text,
      created_by text NOT NULL,
      created_at timestamptz NOT NULL DEFAULT clock_timestamp(),
      processed_at timestamptz,
      CHECK ((status = 'pending') = (processed_at IS NULL))
    )`.execute(db);
  await sql`CREATE INDEX payments_patient ON payments (patient_id)`.execute(db);

  // One row per (principal, key): the first request's fingerprint and response, replayed to retries.
  await sql`
    CREATE TABLE idempotency_keys (
      principal text NOT NULL,
      key uuid NOT NULL,
      request_hash text NOT NULL,
      payment_id uuid NOT NULL REFERENCES payments (id),
      response_status smallint NOT NULL,
      response_body jsonb NOT NULL,
      created_at timestamptz NOT NULL DEFAULT clock_timestamp(),
      PRIMARY KEY (principal, key)
    )`.execute(db);

  await sql`
    CREATE TABLE audit_events (
      id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
      occurred_at timestamptz NOT NULL DEFAULT clock_timestamp(),
      subject text NOT NULL,
      action text NOT NULL,
      resource_type text NOT NULL,
      resource_id text,
      request_id text,
      source_ip text,
      outcome text NOT NULL
    )`.execute(db);
  await sql`CREATE INDEX audit_events_resource ON audit_events (resource_type, resource_id)`.execute(db);

  await sql`
    CREATE FUNCTION audit_events_append_only() RETURNS trigger LANGUAGE plpgsql AS $$
    BEGIN
      RAISE EXCEPTION 'audit_events is append-only: % is not allowed', TG_OP
        USING ERRCODE = 'insufficient_privilege';
    END
    $$`.execute(db);
  await sql`
    CREATE TRIGGER audit_events_no_change BEFORE UPDATE OR DELETE ON audit_events
      FOR EACH ROW EXECUTE FUNCTION audit_events_append_only()`.execute(db);
  await sql`
    CREATE TRIGGER audit_events_no_truncate BEFORE TRUNCATE ON audit_events
      FOR EACH STATEMENT EXECUTE FUNCTION audit_events_append_only()`.execute(db);

  await sql`GRANT SELECT, INSERT ON patients, idempotency_keys TO citadel_app`.execute(db);
  await sql`GRANT SELECT, INSERT ON payments TO citadel_app`.execute(db);
  await sql`GRANT UPDATE (status, failure_reason, processed_at) ON payments TO citadel_app`.execute(db);
  await sql`GRANT SELECT, INSERT ON audit_events TO citadel_app`.execute(db);
  await sql`REVOKE UPDATE, DELETE, TRUNCATE ON audit_events FROM citadel_app`.execute(db);
}
