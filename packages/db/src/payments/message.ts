import { InvalidPaymentMessageError } from './errors.js';

/** What the API puts on the payments queue once a payment row is committed. */
export interface PaymentMessage {
  readonly paymentId: string;
}

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/** Serializes a message for the queue; the inverse of {@link parsePaymentMessage}. */
export function formatPaymentMessage(message: PaymentMessage): string {
  return JSON.stringify({ paymentId: message.paymentId });
}

/**
 * Reads a queue message body. Anything but a JSON object whose `paymentId` is a UUID is
 * rejected: such a message can never succeed, so retrying it would only delay the DLQ.
 * The error message never echoes the body, which is untrusted input.
 */
export function parsePaymentMessage(body: string): PaymentMessage {
  let parsed: unknown;
  try {
    parsed = JSON.parse(body);
  } catch (error) {
    throw new InvalidPaymentMessageError('payment message body is not valid JSON', { cause: error });
  }
  if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed)) {
    throw new InvalidPaymentMessageError('payment message body must be a JSON object with a paymentId');
  }
  const { paymentId } = parsed as { paymentId?: unknown };
  if (typeof paymentId !== 'string' || !UUID.test(paymentId)) {
    throw new InvalidPaymentMessageError('payment message paymentId must be a UUID string');
  }
  return { paymentId: paymentId.toLowerCase() };
}
