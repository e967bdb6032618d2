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
];

describe('card data is never accepted', () => {
  let t: TestApp;
  let auth: { authorization: string };
  let patientId: string;
  beforeAll(async () => {
    t = await startTestApp();
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

  it.each(PAN_FORMATS)(
    'rejects a payment description holding %s with 422, stored and logged nowhere',
    async (pan) => {
      const response = await t.app.inject({
        method: 'POST',
        url: '/v1/payments',
        headers: { ...auth, 'idempotency-key': randomUUID() },
        payload: { patientId, amount: 100, currency: 'USD', description: pan },
      });

      expect(response.statusCode).toBe(422);
      expect(response.json().error.code).toBe('card_data_not_accepted');
      const digits = pan.replace(/\D/g, '');
      expect(t.logs.join('\n').replace(/\D/g, '')).not.toContain(digits);
      const stored = await t.admin.query(
        `SELECT count(*)::int AS n FROM payments WHERE regexp_replace(description, '\\D', '', 'g') LIKE $1`,
        [`%${digits}%`],
      );
      expect(stored.rows[0].n).toBe(0);
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

      expect(response.statusCode).toBe(422);
      expect(response.json().error.code).toBe('card_data_not_accepted');
    },
  );
});
