import { Writable } from 'node:stream';
import { createTestDatabase, type TestDatabase } from '@citadel/db/testing';
import Fastify, { type FastifyInstance } from 'fastify';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { errorHandler } from '../../src/plugins/error-handler.js';

const STATEMENTS: Readonly<Record<string, string>> = {
  code: 'INSERT INTO sample (code) VALUES ($1)',
  amount: 'INSERT INTO sample (amount) VALUES ($1)',
  born: 'INSERT INTO sample (born) VALUES ($1)',
  id: 'SELECT $1::uuid',
  broken: 'SELEC $1',
};

describe('error handler with the database refusing a client value', () => {
  let database: TestDatabase;
  let pool: pg.Pool;
  let app: FastifyInstance;
  const logs: string[] = [];

  beforeAll(async () => {
    database = await createTestDatabase({ migrate: false });
    pool = new pg.Pool({ connectionString: database.adminUrl, max: 2 });
    await pool.query('CREATE TABLE sample (code varchar(3) UNIQUE, amount integer, born date)');
    const stream = new Writable({
      write(chunk: Buffer, _encoding, done) {
        logs.push(chunk.toString('utf8'));
        done();
      },
    });
    app = Fastify({ logger: { level: 'info', stream } });
    await app.register(errorHandler);
    app.post<{ Params: { field: string }; Body: { value: string } }>('/:field', async (request) => {
      await pool.query(STATEMENTS[request.params.field] as string, [request.body.value]);
      return { stored: true };
    });
    await app.ready();
  });
  afterAll(async () => {
    await app.close();
    await pool.end();
    await database.drop();
  });

  const send = (field: string, value: string) =>
    app.inject({ method: 'POST', url: `/${field}`, payload: { value } });

  it.each([
    [
      'a string too long (22001)',
      'code',
      'SECRET-LONG',
      400,
      'invalid_value',
      /longer than the field allows/,
    ],
    ['a number out of range (22003)', 'amount', '99999999999', 400, 'invalid_value', /out of the range/],
    ['a malformed date (22007)', 'born', 'SECRET-DATE', 400, 'invalid_value', /not in a valid form/],
    ['an impossible date (22008)', 'born', '2025-02-30', 400, 'invalid_value', /out of range/],
    ['text where a uuid belongs (22P02)', 'id', 'SECRET-ID', 400, 'invalid_value', /not in the form/],
    ['a NUL byte (22021)', 'code', 'a\u0000', 400, 'invalid_value', /cannot be stored/],
  ])(
    'answers %s with a 4xx that leaks neither the SQL nor the value',
    async (_label, field, value, status, code, message) => {
      // Act
      const response = await send(field, value);

      // Assess
      expect(response.statusCode).toBe(status);
      expect(response.json()).toEqual({
        error: { code, message: expect.stringMatching(message), requestId: expect.any(String) },
      });
      expect(response.body).not.toMatch(/sample|INSERT|SELECT|uuid|SECRET|2025|9999/i);
      expect(logs.join('\n')).not.toMatch(/SECRET|99999999999|2025-02-30/);
    },
  );

  it('answers a duplicate no route translated with 409 conflict', async () => {
    // Prepare
    expect((await send('code', 'dup')).statusCode).toBe(200);

    // Act
    const response = await send('code', 'dup');

    // Assess
    expect(response.statusCode).toBe(409);
    expect(response.json().error).toMatchObject({ code: 'conflict' });
    expect(response.body).not.toMatch(/sample|dup|constraint|key/i);
  });

  it('keeps a statement the server got wrong a generic 500', async () => {
    // Act
    const response = await send('broken', 'x');

    // Assess
    expect(response.statusCode).toBe(500);
    expect(response.json().error).toMatchObject({
      code: 'internal_error',
      message: 'an internal error occurred',
    });
    expect(response.body).not.toMatch(/SELEC|syntax/i);
  });
});
