import { randomUUID } from 'node:crypto';
import type pg from 'pg';
import { insertPendingPayment } from '../payments/fixtures.js';

export interface IdempotencyRecord {
  readonly principal: string;
  readonly key: string;
  readonly paymentId: string;
}

/**
 * Inserts a payment and its idempotency record as the API would, with the record's age set
 * on the database's clock: `ageHours` before now(), or at an exact `createdAt` SQL expression.
 */
export async function insertIdempotencyRecord(
  admin: Pick<pg.Pool, 'query'>,
  age: { readonly ageHours: number } | { readonly createdAtSql: string },
  principal = 'user-1',
): Promise<IdempotencyRecord> {
  const paymentId = await insertPendingPayment(admin as pg.Pool);
  const key = randomUUID();
  const createdAt = 'ageHours' in age ? `now() - make_interval(secs => $4::float8 * 3600)` : age.createdAtSql;
  await admin.query(
    `INSERT INTO idempotency_keys (principal, key, request_hash, payment_id, response_status, response_body, created_at)
     VALUES ($1, $2, 'hash', $3, 201, '{}', ${createdAt})`,
    'ageHours' in age ? [principal, key, paymentId, age.ageHours] : [principal, key, paymentId],
  );
  return { principal, key, paymentId };
}

/** How many idempotency records are left, by the superuser. */
export async function countIdempotencyRecords(admin: Pick<pg.Pool, 'query'>): Promise<number> {
  const { rows } = await admin.query<{ n: number }>('SELECT count(*)::int AS n FROM idempotency_keys');
  return rows[0]?.n ?? 0;
}

/** Inserts a pending payment whose created_at lies `ageMinutes` before the database's now(). */
export async function insertAgedPendingPayment(admin: pg.Pool, ageMinutes: number): Promise<string> {
  const id = await insertPendingPayment(admin);
  await admin.query(
    `UPDATE payments SET created_at = now() - make_interval(secs => $2::float8 * 60) WHERE id = $1`,
    [id, ageMinutes],
  );
  return id;
}

/** Audit rows written by a job's subject, oldest first. */
export async function jobAuditRows(
  admin: Pick<pg.Pool, 'query'>,
  subject: string,
): Promise<
  Array<{ action: string; resource_type: string; resource_id: string; request_id: string; outcome: string }>
> {
  const { rows } = await admin.query(
    `SELECT action, resource_type, resource_id, request_id, outcome FROM audit_events WHERE subject = $1 ORDER BY id`,
    [subject],
  );
  return rows;
}

/**
 * A connection source whose one connection is a transaction opened by the superuser, in
 * which `prepare` sets up rows and then `SET LOCAL ROLE` makes every later statement run
 * with the job's own privileges. Inside one transaction now() does not move, so a row
 * can be placed exactly at a job's cut-off. `finish` rolls everything back.
 */
export async function transactionAsRole(
  adminUrl: string,
  role: string,
  prepare: (client: pg.Client) => Promise<void>,
): Promise<{
  readonly source: { connect(): Promise<pg.PoolClient> };
  readonly client: pg.Client;
  finish(): Promise<void>;
}> {
  const { default: pgModule } = await import('pg');
  const client = new pgModule.Client({ connectionString: adminUrl });
  await client.connect();
  await client.query('BEGIN');
  await prepare(client);
  await client.query(`SET LOCAL ROLE ${role}`);
  const lent = { query: client.query.bind(client), release: () => undefined } as unknown as pg.PoolClient;
  return {
    source: { connect: async () => lent },
    client,
    finish: async () => {
      await client.query('ROLLBACK');
      await client.end();
    },
  };
}

/**
 * A pool's connection source that runs `hook` once, right after the first statement
 * matching `when` has run on the job's connection: a change made "during the run".
 */
export function withHookAfter(
  pool: pg.Pool,
  when: RegExp,
  hook: () => Promise<void>,
): { connect(): Promise<pg.PoolClient> } {
  let fired = false;
  return {
    connect: async () => {
      const client = await pool.connect();
      const query = client.query.bind(client) as (...args: unknown[]) => Promise<unknown>;
      const hooked = async (...args: unknown[]) => {
        const result = await query(...args);
        const text = typeof args[0] === 'string' ? args[0] : '';
        if (!fired && when.test(text)) {
          fired = true;
          await hook();
        }
        return result;
      };
      return new Proxy(client, {
        get: (target, property, receiver) =>
          property === 'query' ? hooked : (Reflect.get(target, property, receiver) as unknown),
      });
    },
  };
}
