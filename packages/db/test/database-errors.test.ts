import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { clientDataProblem } from '../src/index.js';
import { createTestDatabase, type TestDatabase } from '../src/testing/index.js';

describe('clientDataProblem', () => {
  let database: TestDatabase;
  let pool: pg.Pool;

  beforeAll(async () => {
    database = await createTestDatabase({ migrate: false });
    pool = new pg.Pool({ connectionString: database.adminUrl, max: 2 });
    await pool.query('CREATE TABLE sample (code varchar(3) UNIQUE, amount integer, born date)');
  });
  afterAll(async () => {
    await pool.end();
    await database.drop();
  });

  async function errorOf(sql: string, values: unknown[]): Promise<unknown> {
    try {
      await pool.query(sql, values);
    } catch (error) {
      return error;
    }
    throw new Error(`expected PostgreSQL to refuse: ${sql}`);
  }

  it.each([
    ['22001', 'a string longer than its column', 'INSERT INTO sample (code) VALUES ($1)', ['abcd']],
    ['22003', 'a number out of range', 'INSERT INTO sample (amount) VALUES ($1)', ['99999999999']],
    ['22007', 'a malformed date', 'INSERT INTO sample (born) VALUES ($1)', ['not-a-date']],
    ['22008', 'an impossible date', 'INSERT INTO sample (born) VALUES ($1)', ['2025-02-30']],
    ['22008', 'year 0', 'SELECT $1::timestamptz', ['0000-01-01T00:00:00Z']],
    ['22P02', 'text where a uuid belongs', 'SELECT $1::uuid', ['not-a-uuid']],
    ['22021', 'a NUL byte in text', 'SELECT $1::text', ['a\u0000b']],
  ])(
    'answers 400 for SQLSTATE %s, %s, without the value or the SQL',
    async (sqlState, _label, sql, values) => {
      // Prepare
      const error = await errorOf(sql, values);

      // Act
      const problem = clientDataProblem(error);

      // Assess
      expect((error as { code: string }).code).toBe(sqlState);
      expect(problem).toMatchObject({ status: 400, code: 'invalid_value', sqlState });
      expect(problem?.message).not.toMatch(/sample|SELECT|INSERT|abcd|9999|not-a|2025|0000/i);
    },
  );

  it('answers 409 for a unique violation', async () => {
    // Prepare
    await pool.query("INSERT INTO sample (code) VALUES ('dup')");
    const error = await errorOf('INSERT INTO sample (code) VALUES ($1)', ['dup']);

    // Act
    const problem = clientDataProblem(error);

    // Assess
    expect(problem).toMatchObject({ status: 409, code: 'conflict', sqlState: '23505' });
    expect(problem?.message).not.toMatch(/sample|dup|constraint/i);
  });

  it.each([
    ['a syntax error in the statement (42601)', 'SELEC 1', []],
    ['an unknown column (42703)', 'SELECT nothing FROM sample', []],
    ['a missing table (42P01)', 'SELECT * FROM missing_table', []],
  ])('leaves %s a server error', async (_label, sql, values) => {
    // Prepare
    const error = await errorOf(sql, values);

    // Act / Assess
    expect(clientDataProblem(error)).toBeNull();
  });

  it.each([
    ['a Node error whose code looks like a SQLSTATE', Object.assign(new Error('x'), { code: '22001' })],
    ['a connection refusal', Object.assign(new Error('x'), { code: 'ECONNREFUSED', severity: 'ERROR' })],
    ['a string', '22001'],
    ['null', null],
  ])('fails to classify %s', (_label, error) => {
    // Act / Assess
    expect(clientDataProblem(error)).toBeNull();
  });
});
