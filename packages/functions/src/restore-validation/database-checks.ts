import { migrationState } from '@citadel/db';
import pg from 'pg';

/** The tables whose rows a restore must bring back, in the order they are counted. */
export const CORE_TABLES = ['patients', 'payments', 'audit_events', 'idempotency_keys'] as const;

export type CoreTable = (typeof CORE_TABLES)[number];

export interface DatabaseCheck {
  /** True when every check passed. */
  readonly passed: boolean;
  /** Every problem found, in one line each; empty when passed. */
  readonly problems: readonly string[];
  readonly appliedMigration: string | null;
  readonly expectedMigration: string | null;
  /** Rows per core table; a table that could not be counted is missing here. */
  readonly rowCounts: Readonly<Partial<Record<CoreTable, number>>>;
}

/**
 * What a restored copy must show to count as a working restore: the newest migration this
 * code knows is applied, and every core table is there and readable. Every patient and
 * payment created writes an audit event in the same transaction, and audit events are never
 * deleted, so fewer audit events than patients and payments together means rows were lost.
 * Reads only counts and the migration name; no row content leaves the database.
 */
export async function checkRestoredDatabase(db: pg.Pool): Promise<DatabaseCheck> {
  const problems: string[] = [];
  const state = await migrationState(db);
  if (!state.current) {
    problems.push(
      `migration ${state.expected ?? '(none)'} is not applied (latest applied: ${state.applied ?? 'none'})`,
    );
  }
  const rowCounts: Partial<Record<CoreTable, number>> = {};
  for (const table of CORE_TABLES) {
    try {
      const { rows } = await db.query<{ count: string }>(
        `SELECT count(*) AS count FROM ${pg.escapeIdentifier(table)}`,
      );
      rowCounts[table] = Number(rows[0]?.count);
    } catch (error) {
      problems.push(`table ${table} cannot be read: ${describeError(error)}`);
    }
  }
  const { patients, payments, audit_events: auditEvents } = rowCounts;
  if (patients !== undefined && payments !== undefined && auditEvents !== undefined) {
    if (auditEvents < patients + payments) {
      problems.push(
        `audit_events has ${auditEvents} rows, fewer than the ${patients + payments} patients and payments whose creation each wrote one`,
      );
    }
  }
  return {
    passed: problems.length === 0,
    problems,
    appliedMigration: state.applied,
    expectedMigration: state.expected,
    rowCounts,
  };
}

function describeError(error: unknown): string {
  if (error instanceof Error) {
    const code = (error as { code?: unknown }).code;
    return typeof code === 'string' ? `${error.message} (SQLSTATE ${code})` : error.message;
  }
  return String(error);
}
