import { randomUUID } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import {
  formatPaymentMessage,
  InvalidPaymentMessageError,
  parsePaymentMessage,
  simulatedGateway,
} from '../../src/index.js';

describe('parsePaymentMessage', () => {
  it('reads the payment id from a message the API wrote', () => {
    const paymentId = randomUUID();

    expect(parsePaymentMessage(formatPaymentMessage({ paymentId }))).toEqual({ paymentId });
  });

  it.each([
    ['not JSON', 'not json', /not valid JSON/],
    ['a JSON array', '[]', /JSON object/],
    ['JSON null', 'null', /JSON object/],
    ['a missing paymentId', '{}', /must be a UUID/],
    ['a numeric paymentId', '{"paymentId":42}', /must be a UUID/],
    ['a paymentId that is not a UUID', '{"paymentId":"4111111111111111"}', /must be a UUID/],
    ['a UUID with trailing text', `{"paymentId":"${randomUUID()}; DROP TABLE payments"}`, /must be a UUID/],
  ])('fails when the body is %s', (_case, body, message) => {
    const act = () => parsePaymentMessage(body);

    expect(act).toThrow(InvalidPaymentMessageError);
    expect(act).toThrow(message);
  });

  it('never echoes the body in the error', () => {
    const body = '{"paymentId":"4111 1111 1111 1111"}';

    const error = captureError(() => parsePaymentMessage(body));

    expect(error).toBeInstanceOf(InvalidPaymentMessageError);
    expect(String(error)).not.toContain('4111');
  });
});

describe('simulatedGateway', () => {
  it.each([
    [1099, { outcome: 'failed', reason: 'card_declined' }],
    [99, { outcome: 'failed', reason: 'card_declined' }],
    [1000, { outcome: 'settled' }],
    [1098, { outcome: 'settled' }],
    [1199, { outcome: 'failed', reason: 'card_declined' }],
  ])('answers an amount of %i minor units with %o', async (amount, expected) => {
    const result = await simulatedGateway.charge({
      id: randomUUID(),
      amount,
      currency: 'EUR',
      description: 'x',
    });

    expect(result).toEqual(expected);
  });
});

function captureError(act: () => unknown): unknown {
  try {
    act();
  } catch (error) {
    return error;
  }
  throw new Error('expected the call to throw');
}
