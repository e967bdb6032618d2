import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestApp, type TestApp } from '../support/test-app.js';

describe('patients', () => {
  let t: TestApp;
  let auth: { authorization: string };
  beforeAll(async () => {
    t = await startTestApp();
    auth = { authorization: `Bearer ${await t.token()}` };
  });
  afterAll(() => t.close());

  const create = (payload: Record<string, unknown>) =>
    t.app.inject({ method: 'POST', url: '/v1/patients', headers: auth, payload });

  it('creates a patient and reads it back', async () => {
    const created = await create({
      name: 'Grace Hopper',
      dateOfBirth: '1906-12-09',
      medicalRecordNumber: 'MRN-GH-1',
    });

    expect(created.statusCode).toBe(201);
    const patient = created.json();
    expect(patient).toMatchObject({
      name: 'Grace Hopper',
      dateOfBirth: '1906-12-09',
      medicalRecordNumber: 'MRN-GH-1',
    });
    expect(created.headers.location).toBe(`/v1/patients/${patient.id}`);
    const read = await t.app.inject({ method: 'GET', url: `/v1/patients/${patient.id}`, headers: auth });
    expect(read.statusCode).toBe(200);
    expect(read.json()).toEqual(patient);
  });

  it('answers 409 for a second patient with the same medical record number', async () => {
    await create({ name: 'First', dateOfBirth: '1970-01-01', medicalRecordNumber: 'MRN-DUP' });

    const second = await create({
      name: 'Second',
      dateOfBirth: '1971-01-01',
      medicalRecordNumber: 'MRN-DUP',
    });

    expect(second.statusCode).toBe(409);
    expect(second.json().error.code).toBe('duplicate_medical_record_number');
  });

  it('answers 404 for an unknown id and 400 for an id that is not a UUID', async () => {
    const unknown = await t.app.inject({
      method: 'GET',
      url: '/v1/patients/00000000-0000-4000-8000-000000000000',
      headers: auth,
    });
    const malformed = await t.app.inject({ method: 'GET', url: '/v1/patients/123', headers: auth });

    expect(unknown.statusCode).toBe(404);
    expect(unknown.json().error.code).toBe('patient_not_found');
    expect(malformed.statusCode).toBe(400);
  });

  it.each([
    [
      'an unexpected property',
      { name: 'A', dateOfBirth: '1990-01-01', medicalRecordNumber: 'M1', admin: true },
    ],
    ['a missing field', { name: 'A', dateOfBirth: '1990-01-01' }],
    ['an impossible date', { name: 'A', dateOfBirth: '1990-02-30', medicalRecordNumber: 'M2' }],
    ['a name too long', { name: 'x'.repeat(201), dateOfBirth: '1990-01-01', medicalRecordNumber: 'M3' }],
    ['a blank name', { name: '   ', dateOfBirth: '1990-01-01', medicalRecordNumber: 'M4' }],
    ['a record number with spaces', { name: 'A', dateOfBirth: '1990-01-01', medicalRecordNumber: 'M 5' }],
    ['a number where a string belongs', { name: 42, dateOfBirth: '1990-01-01', medicalRecordNumber: 'M6' }],
  ])('rejects %s without writing anything', async (_case, payload) => {
    const before = await t.admin.query('SELECT count(*)::int AS n FROM patients');

    const response = await create(payload);

    expect([400, 422]).toContain(response.statusCode);
    const after = await t.admin.query('SELECT count(*)::int AS n FROM patients');
    expect(after.rows[0].n).toBe(before.rows[0].n);
  });

  it('rejects a date of birth in the future with 422', async () => {
    const response = await create({
      name: 'Future',
      dateOfBirth: '2999-01-01',
      medicalRecordNumber: 'MRN-FUT',
    });

    expect(response.statusCode).toBe(422);
    expect(response.json().error.code).toBe('invalid_date_of_birth');
  });

  it('pages through every patient exactly once with cursors', async () => {
    for (let index = 0; index < 25; index++) {
      await create({
        name: `Paged ${index}`,
        dateOfBirth: '1980-01-01',
        medicalRecordNumber: `MRN-PAGE-${index}`,
      });
    }
    const { rows } = await t.admin.query<{ n: number }>('SELECT count(*)::int AS n FROM patients');
    const seen: string[] = [];
    let cursor: string | null = null;
    let pages = 0;

    do {
      const query: string = cursor ? `?limit=7&cursor=${cursor}` : '?limit=7';
      const response = await t.app.inject({ method: 'GET', url: `/v1/patients${query}`, headers: auth });
      expect(response.statusCode).toBe(200);
      const page = response.json();
      expect(page.data.length).toBeLessThanOrEqual(7);
      seen.push(...page.data.map((patient: { id: string }) => patient.id));
      cursor = page.nextCursor;
      pages++;
    } while (cursor);

    expect(seen).toHaveLength(rows[0]?.n as number);
    expect(new Set(seen).size).toBe(seen.length);
    expect(pages).toBe(Math.ceil(seen.length / 7) + (seen.length % 7 === 0 ? 1 : 0));
  });

  it.each(['0', '101', 'abc', '-1'])('rejects limit=%s', async (limit) => {
    const response = await t.app.inject({ method: 'GET', url: `/v1/patients?limit=${limit}`, headers: auth });

    expect(response.statusCode).toBe(400);
  });

  it('rejects a cursor it did not issue', async () => {
    const response = await t.app.inject({
      method: 'GET',
      url: '/v1/patients?cursor=Zm9vYmFy',
      headers: auth,
    });

    expect(response.statusCode).toBe(400);
    expect(response.json().error.code).toBe('invalid_cursor');
  });
});
