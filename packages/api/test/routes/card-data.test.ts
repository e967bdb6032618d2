import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestApp, type TestApp } from '../support/test-app.js';

const PAN_FORMATS = [
  '4111111111111111',
  '4111 1111 1111 1111',
  '4111-1111-1111-1111',
  '3782 822463 10005',
  'card 5555555555554444 exp 12/29',
  '6011-0009-9013-9424',
  '4111111111111111 12/28',
  '4111.1111.1111.1111',
  '4111\u00a01111\u200b1111\u20091111',
  '\uff14\uff11\uff11\uff11\uff11\uff11\uff11\uff11\uff11\uff11\uff11\uff11\uff11\uff11\uff11\uff11',
  '\u0664\u0661\u0661\u0661 \u0661\u0661\u0661\u0661 \u0661\u0661\u0661\u0661 \u0661\u0661\u0661\u0661',
  '\u096a\u0967\u0967\u0967-\u0967\u0967\u0967\u0967-\u0967\u0967\u0967\u0967-\u0967\u0967\u0967\u0967',
  'MRN-4111111111111111-01',
];

const TABLES = ['patients', 'payments', 'idempotency_keys', 'audit_events'] as const;

/** The ASCII digits of what a person would read in `text` (any script, NFKC-folded). */
function readDigits(text: string): string {
  return [...text.normalize('NFKC')]
    .map((char) => {
      if (!/\p{Nd}/u.test(char)) return '';
      let zero = char.codePointAt(0) as number;
      while (/\p{Nd}/u.test(String.fromCodePoint(zero - 1))) zero--;
      return String(((char.codePointAt(0) as number) - zero) % 10);
    })
    .join('');
}

describe('card data is never accepted', () => {
  let t: TestApp;
  let auth: { authorization: string };
  let patientId: string;
  beforeAll(async () => {
    t = await startTestApp({ AUTH_FAILURE_LIMIT: '100000' });
    auth = { authorization: `Bearer ${await t.token()}` };
    const patient = await t.app.inject({
      method: 'POST',
      url: '/v1/patients',
      headers: auth,
      payload: { name: 'Card Holder', dateOfBirth: '1975-03-03', medicalRecordNumber: 'MRN-CARD' },
    });
    patientId = patient.json().id;
  });
  afterAll(() => t.close());

  /** Every log line and every row of every table, with the digits a person would read. */
  async function everythingKept(): Promise<{ lines: string[]; digits: string }> {
    const rows: string[] = [];
    for (const table of TABLES) {
      const result = await t.admin.query(`SELECT row_to_json(t)::text AS row FROM ${table} t`);
      rows.push(...result.rows.map((row: { row: string }) => row.row));
    }
    const lines = [...t.logs, ...rows];
    return { lines, digits: lines.map(readDigits).join('\n') };
  }

  async function expectRefusedAndKeptNowhere(
    response: { statusCode: number; json: () => unknown; headers: Record<string, unknown> },
    pan: string,
  ): Promise<void> {
    expect(response.statusCode).toBe(422);
    const body = response.json() as { error: { code: string; message: string; requestId: string } };
    expect(body).toEqual({
      error: { code: 'card_data_not_accepted', message: expect.any(String), requestId: expect.any(String) },
    });
    expect(readDigits(JSON.stringify(body))).not.toContain(readDigits(pan).slice(0, 13));
    expect(readDigits(String(response.headers['x-request-id']))).not.toContain(readDigits(pan).slice(0, 13));
    const kept = await everythingKept();
    expect(kept.digits).not.toContain(readDigits(pan).slice(0, 13));
    expect(kept.digits).not.toContain(readDigits(pan).slice(-13));
  }

  it.each(PAN_FORMATS)(
    'rejects a payment description holding %s with 422, stored and logged nowhere',
    async (pan) => {
      const response = await t.app.inject({
        method: 'POST',
        url: '/v1/payments',
        headers: { ...auth, 'idempotency-key': randomUUID() },
        payload: { patientId, amount: 100, currency: 'USD', description: pan },
      });

      await expectRefusedAndKeptNowhere(response, pan);
    },
  );

  it.each(['name', 'medicalRecordNumber'])(
    'rejects a patient whose %s holds a card number',
    async (field) => {
      const payload = {
        name: 'Someone',
        dateOfBirth: '1990-01-01',
        medicalRecordNumber: 'MRN-X1',
        [field]: '4111111111111111',
      };

      const response = await t.app.inject({ method: 'POST', url: '/v1/patients', headers: auth, payload });

      await expectRefusedAndKeptNowhere(response, '4111111111111111');
    },
  );

  it.each([
    [
      'a top-level key',
      { '4111 1111 1111 1111': 'x', name: 'A', dateOfBirth: '1990-01-01', medicalRecordNumber: 'M-1' },
    ],
    [
      'a nested key',
      {
        name: 'A',
        dateOfBirth: '1990-01-01',
        medicalRecordNumber: 'M-1',
        extra: { '4111\u200b1111\u200b1111\u200b1111': 1 },
      },
    ],
    [
      'an array item',
      {
        name: 'A',
        dateOfBirth: '1990-01-01',
        medicalRecordNumber: 'M-1',
        extra: [1, ['4111.1111.1111.1111']],
      },
    ],
  ])('rejects, before validation, a body holding a card number in %s', async (_where, payload) => {
    const response = await t.app.inject({ method: 'POST', url: '/v1/patients', headers: auth, payload });

    await expectRefusedAndKeptNowhere(response, '4111111111111111');
  });

  it.each([
    ['the path', '/v1/payments/4111111111111111'],
    ['the path, percent-encoded', '/v1/patients/%34%31%31%31%31%31%31%31%31%31%31%31%31%31%31%31'],
    ['an unknown path', '/v1/cards/4111-1111-1111-1111'],
    ['the query string', '/v1/patients?limit=10&q=4111111111111111'],
    ['the query string, with plus signs', '/v1/patients?q=4111+1111+1111+1111'],
    [
      'the query string, percent-encoded with zero-width spaces',
      '/v1/patients?q=4111%E2%80%8B1111%E2%80%8B1111%E2%80%8B1111',
    ],
    ['a query parameter name', '/v1/patients?4111111111111111=1'],
  ])('rejects a card number in %s with 422 before authentication', async (_where, url) => {
    const response = await t.app.inject({ method: 'GET', url });

    await expectRefusedAndKeptNowhere(response, '4111111111111111');
  });

  it.each([
    ['x-request-id', '4111111111111111'],
    ['idempotency-key', '4111-1111-1111-1111'],
    ['user-agent', 'pay-client/1.0 (4111 1111 1111 1111)'],
    ['referer', 'https://portal.example/pay?card=4111%201111%201111%201111'],
    ['x-forwarded-for', '4111 1111 1111 1111'],
  ])('rejects a card number in the %s header with 422 before authentication', async (name, value) => {
    const response = await t.app.inject({ method: 'POST', url: '/v1/payments', headers: { [name]: value } });

    await expectRefusedAndKeptNowhere(response, '4111111111111111');
  });

  it('accepts a payment whose ids, dates, phone number and amounts hold no card number', async () => {
    const response = await t.app.inject({
      method: 'POST',
      url: '/v1/payments',
      headers: {
        ...auth,
        'idempotency-key': randomUUID(),
        'x-request-id': randomUUID(),
        'user-agent': 'Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 Chrome/131.0.6778.86',
        referer: 'https://portal.example/patients?page=2&from=2024-05-06',
      },
      payload: {
        patientId,
        amount: 12_550,
        currency: 'EUR',
        description: 'Visit 2024-05-06 12:34:56, call +49 151 23456789, IBAN DE89 3704 0044 0532 0130 00',
      },
    });

    expect(response.statusCode, response.body).toBe(201);
  });
});
