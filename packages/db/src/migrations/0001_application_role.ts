import { sql, type Kysely } from 'kysely';

/**
 * The role the API and the payment processor use. It is created without LOGIN here;
 * the database bootstrap (or local start) enables login for it, by IAM token on RDS.
 * Creating it can race when several databases on one cluster migrate at once, hence the handler.
 */
export async function up(db: Kysely<unknown>): Promise<void> {
  await sql`
    DO $$
    BEGIN
      CREATE ROLE citadel_app NOLOGIN;
    EXCEPTION WHEN duplicate_object OR unique_violation THEN
      NULL;
    END
    $$`.execute(db);
  await sql`REVOKE CREATE ON SCHEMA public FROM PUBLIC`.execute(db);
  await sql`GRANT USAGE ON SCHEMA public TO citadel_app`.execute(db);
  // Readiness checks compare the applied migrations with the ones the code expects.
  await sql`GRANT SELECT ON schema_migrations TO citadel_app`.execute(db);
}
