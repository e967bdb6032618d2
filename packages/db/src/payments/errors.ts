/** A payments queue message is not JSON of the shape `{ "paymentId": "<uuid>" }`. */
export class InvalidPaymentMessageError extends Error {
  override readonly name = 'InvalidPaymentMessageError';
}
