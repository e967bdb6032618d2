import { randomUUID } from 'node:crypto';
import { afterAll, afterEach, beforeAll, describe, expect, it, vi } from 'vitest';
import { startTestApp, type TestApp } from '../support/test-app.js';

describe('payments', () => {
  let t: TestApp;
  let auth: { authorization: string };
  let patientId: string;

  beforeAll(async () => {
    t = await startTestApp({ PAYMENT_AMOUNT_CAP: '500000', PAYMENT_AMOUNT_CAPS: 'EUR=4000' });
    auth = { authorization: `Bearer ${await t.token()}` };
    const patient = await t.app.inject({
      method: 'POST',
      url: '/v1/patients',
      headers: auth,
      payload: { name: 'Payer', dateOfBirth: '1960-06-01', medicalRecordNumber: 'MRN-PAY-1' },
    });
    patientId = patient.json().id;
  });
  afterAll(() => t.close());
  afterEach(() => {
    vi.restoreAllMocks();
  });

  const pay = (payload: Record<string, unknown>, key: string = randomUUID(), headers = auth) =>
    t.app.inject({
      method: 'POST',
      url: '/v1/payments',
      headers: { ...headers, 'idempotency-key': key },
      payload,
    });
  const body = (overrides: Record<string, unknown> = {}) => ({
    patientId,
    amount: 12_500,
    currency: 'EUR',
    description: 'Physiotherapy session',
    ...overrides,
  });

  it('creates a pending payment that the processor then settles', async () => {
    const created = await pay(body());

    expect(created.statusCode).toBe(201);
    expect(created.json()).toMatchObject({ status: 'pending', amount: 12_500, currency: 'EUR', patientId });
    await t.queue.drain();
    const read = await t.app.inject({
      method: 'GET',
      url: `/v1/payments/${created.json().id}`,
      headers: auth,
    });
    expect(read.json()).toMatchObject({ status: 'settled', failureReason: null });
    expect(read.json().processedAt).not.toBeNull();
  });

  it('replays a settled payment as it is now, and does not queue it again', async () => {
    const key = randomUUID();
    const first = await pay(body(), key);
    await t.queue.drain();
    const sends = vi.spyOn(t.queue, 'enqueue');

    const again = await pay(body(), key);

    expect(again.statusCode).toBe(first.statusCode);
    expect(again.headers['idempotent-replayed']).toBe('true');
    expect(again.json()).toEqual({
      ...first.json(),
      status: 'settled',
      processedAt: expect.stringMatching(/Z$/),
    });
    expect(sends).not.toHaveBeenCalled();
  });

  it('replays a failed payment as it is now, and does not queue it again', async () => {
    const key = randomUUID();
    await pay(body({ amount: 1099 }), key);
    await t.queue.drain();
    const sends = vi.spyOn(t.queue, 'enqueue');

    const again = await pay(body({ amount: 1099 }), key);

    expect(again.json()).toMatchObject({ status: 'failed', failureReason: expect.any(String) });
    expect(sends).not.toHaveBeenCalled();
  });

  it('queues a replay of a payment still pending once more, so a lost send recovers', async () => {
    const key = randomUUID();
    const sends = vi.spyOn(t.queue, 'enqueue').mockResolvedValue(undefined);
    const first = await pay(body(), key);

    const again = await pay(body(), key);

    expect(again.json()).toEqual(first.json());
    expect(sends.mock.calls).toEqual([[{ paymentId: first.json().id }], [{ paymentId: first.json().id }]]);
  });

  it('answers 409 when a key is reused with a different body', async () => {
    const key = randomUUID();
    await pay(body(), key);

    const conflict = await pay(body({ amount: 99 }), key);

    expect(conflict.statusCode).toBe(409);
    expect(conflict.json().error.code).toBe('idempotency_key_reused');
  });

  it('scopes keys to the principal: another user with the same key gets a payment of their own', async () => {
    const key = randomUUID();
    const mine = await pay(body(), key);

    const theirs = await pay(body(), key, { authorization: `Bearer ${await t.token(undefined, 'user-2')}` });

    expect(theirs.statusCode).toBe(201);
    expect(theirs.json().id).not.toBe(mine.json().id);
  });

  it('makes exactly one payment from 50 concurrent duplicates, all answered with it', async () => {
    const key = randomUUID();
    const description = `Concurrent ${key}`;

    const responses = await Promise.all(Array.from({ length: 50 }, () => pay(body({ description }), key)));

    expect(new Set(responses.map((response) => response.statusCode))).toEqual(new Set([201]));
    expect(new Set(responses.map((response) => response.json().id)).size).toBe(1);
    const { rows } = await t.admin.query('SELECT count(*)::int AS n FROM payments WHERE description = $1', [
      description,
    ]);
    expect(rows[0].n).toBe(1);
  });

  it('fails a payment the gateway declines', async () => {
    const created = await pay(body({ amount: 1099 }));
    await t.queue.drain();

    const read = await t.app.inject({
      method: 'GET',
      url: `/v1/payments/${created.json().id}`,
      headers: auth,
    });

    expect(read.json()).toMatchObject({ status: 'failed' });
    expect(read.json().failureReason).toEqual(expect.any(String));
  });

  it.each([
    [
      'a missing Idempotency-Key',
      () => t.app.inject({ method: 'POST', url: '/v1/payments', headers: auth, payload: body() }),
      400,
    ],
    ['an Idempotency-Key that is not a UUID', () => pay(body(), 'retry-1'), 400],
    ['a zero amount', () => pay(body({ amount: 0 })), 400],
    ['a fractional amount', () => pay(body({ amount: 10.5 })), 400],
    ['an amount over the cap', () => pay(body({ amount: 500_001 })), 400],
    ['an amount sent as a string', () => pay(body({ amount: '100' })), 400],
    ['a lowercase currency', () => pay(body({ currency: 'eur' })), 400],
    ['a currency that is not ISO 4217', () => pay(body({ currency: 'ABC' })), 422],
    ['a withdrawn currency', () => pay(body({ currency: 'HRK' })), 422],
    ['a fund code', () => pay(body({ currency: 'XDR' })), 422],
    ['gold', () => pay(body({ currency: 'XAU' })), 422],
    ['the testing code', () => pay(body({ currency: 'XTS' })), 422],
    ['an unknown patient', () => pay(body({ patientId: randomUUID() })), 422],
    ['an extra property', () => pay({ ...body(), status: 'settled' }), 400],
  ])('rejects %s and records no payment', async (_case, send, status) => {
    const before = await t.admin.query('SELECT count(*)::int AS n FROM payments');

    const response = await send();

    expect(response.statusCode).toBe(status);
    expect(response.json().error).toEqual(expect.objectContaining({ code: expect.any(String) }));
    const after = await t.admin.query('SELECT count(*)::int AS n FROM payments');
    expect(after.rows[0].n).toBe(before.rows[0].n);
  });

  it.each([
    ['EUR', 400_000, 201],
    ['EUR', 400_001, 422],
    ['JPY', 450_000, 201],
    ['KWD', 450_000, 201],
  ])('applies the %s cap in major units to an amount of %i minor units', async (currency, amount, status) => {
    const response = await pay(body({ currency, amount }));

    expect(response.statusCode).toBe(status);
    if (status === 422) {
      expect(response.json().error).toMatchObject({
        code: 'amount_over_cap',
        message: 'amount is above the cap of 4000 EUR (400000 minor units)',
      });
    }
  });

  it('answers 404 for an unknown payment', async () => {
    const response = await t.app.inject({
      method: 'GET',
      url: `/v1/payments/${randomUUID()}`,
      headers: auth,
    });

    expect(response.statusCode).toBe(404);
    expect(response.json().error.code).toBe('payment_not_found');
  });
});
