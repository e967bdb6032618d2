/** What the processor sends to the acquirer: never card data, only the payment's own fields. */
export interface GatewayCharge {
  /** The payment id; a real acquirer must receive it as its idempotency key. */
  readonly id: string;
  /** Integer minor units (cents). */
  readonly amount: number;
  /** ISO 4217 code. */
  readonly currency: string;
  readonly description: string;
}

export type GatewayResult =
  { readonly outcome: 'settled' } | { readonly outcome: 'failed'; readonly reason: string };

/** The acquirer a payment is charged through. */
export interface PaymentGateway {
  charge(payment: GatewayCharge): Promise<GatewayResult>;
}

/**
 * A deterministic stand-in for an acquirer, used locally, in tests and in the deployed
 * processor until a real integration replaces it: an amount whose last two minor-unit
 * digits are 99 (for example 10.99) is declined with `card_declined`; every other amount
 * settles. The rule lets anyone exercise both outcomes from the API with no test cards.
 */
export const simulatedGateway: PaymentGateway = {
  charge: async (payment) =>
    payment.amount % 100 === 99 ? { outcome: 'failed', reason: 'card_declined' } : { outcome: 'settled' },
};
