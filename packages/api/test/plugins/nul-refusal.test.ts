import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestApp, type TestApp } from '../support/test-app.js';

const PATIENT = { name: 'Ada Lovelace', dateOfBirth: '1990-01-01', medicalRecordNumber: 'MRN-NUL' };
const PATIENT_ID = '0f8fad5b-d9cb-469f-a165-70867728950e';

describe('NUL characters', () => {
  let t: TestApp;
  let token: string;
  beforeAll(async () => {
    t = await startTestApp();
    token = await t.token();
  });
  afterAll(() => t.close());

  const rows = async (table: string) =>
    Number((await t.admin.query<{ n: string }>(`SELECT count(*) AS n FROM ${table}`)).rows[0]?.n);

  it.each([
    ['a patient name', '/v1/patients', { ...PATIENT, name: 'Ada\u0000Lovelace' }, 'the body'],
    ['a body key', '/v1/patients', { ...PATIENT, 'x\u0000': 1 }, 'the body'],
    [
      'a value nested 200 levels deep',
      '/v1/patients',
      { ...PATIENT, deep: nest(200, 'a\u0000') },
      'the body',
    ],
    ['an array item', '/v1/patients', { ...PATIENT, items: ['ok', '\u0000'] }, 'the body'],
    [
      'a payment description',
      '/v1/payments',
      { patientId: PATIENT_ID, amount: 100, currency: 'USD', description: 'visit\u0000' },
      'the body',
    ],
  ])('refuses %s holding NUL with 400 before the database is called', async (_label, url, payload, where) => {
    // Prepare
    const before = { patients: await rows('patients'), payments: await rows('payments') };

    // Act
    const response = await t.app.inject({
      method: 'POST',
      url,
      headers: {
        authorization: `Bearer ${token}`,
        'idempotency-key': '6ec0bd7f-11c0-43da-975e-2a8ad9ebae0b',
      },
      payload,
    });

    // Assess
    expect(response.statusCode).toBe(400);
    expect(response.json()).toEqual({
      error: {
        code: 'nul_character',
        message: `${where} contains a NUL character (U+0000); remove it`,
        requestId: expect.any(String),
      },
    });
    expect({ patients: await rows('patients'), payments: await rows('payments') }).toEqual(before);
  });

  it.each([
    ['an encoded NUL in a path parameter', `/v1/patients/${PATIENT_ID}%00`],
    ['an encoded NUL in a query value', '/v1/patients?cursor=abc%00def'],
    ['an encoded NUL in a query key', '/v1/patients?a%00=1'],
    ['a lower-case encoded NUL on an unknown route', '/v1/nothing%00here'],
  ])('refuses %s with 400', async (_label, url) => {
    // Act
    const response = await t.app.inject({
      method: 'GET',
      url,
      headers: { authorization: `Bearer ${token}` },
    });

    // Assess
    expect(response.statusCode).toBe(400);
    expect(response.json().error).toMatchObject({ code: 'nul_character' });
    expect(response.json().error.message).toMatch(/^the path or query string contains a NUL/);
  });

  it('refuses a NUL in a header and names the header', async () => {
    // Act
    const response = await t.app.inject({
      method: 'GET',
      url: '/v1/patients',
      headers: { authorization: `Bearer ${token}`, 'user-agent': 'probe\u0000' },
    });

    // Assess
    expect(response.statusCode).toBe(400);
    expect(response.json().error.message).toBe(
      'the user-agent header contains a NUL character (U+0000); remove it',
    );
  });

  it('still accepts text that merely mentions a NUL escape', async () => {
    // Act
    const response = await t.app.inject({
      method: 'POST',
      url: '/v1/patients',
      headers: { authorization: `Bearer ${token}` },
      payload: { ...PATIENT, name: 'Ada %00 \\u0000 Lovelace', medicalRecordNumber: 'MRN-ESC' },
    });

    // Assess
    expect(response.statusCode).toBe(201);
    expect(response.json().name).toBe('Ada %00 \\u0000 Lovelace');
  });
});

function nest(levels: number, leaf: unknown): unknown {
  let value = leaf;
  for (let level = 0; level < levels; level++) value = { child: value };
  return value;
}
