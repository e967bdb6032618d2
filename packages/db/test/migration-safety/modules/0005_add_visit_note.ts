import { sql, type Kysely } from 'kysely';

/** A migration module shaped as a team would write one: `up`, and the expand/contract mark beside it. */
export const change = { step: 'expand' } as const;

export async function up(db: Kysely<unknown>): Promise<void> {
  await sql`ALTER TABLE payments ADD COLUMN visit_note text`.execute(db);
}
