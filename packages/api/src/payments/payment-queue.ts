/** What the API hands to the payment processor once a payment is recorded as pending. */
export interface PaymentQueue {
  enqueue(message: { readonly paymentId: string }): Promise<void>;
  /** Waits for work this process started (in-process queue); a no-op for remote queues. */
  drain(): Promise<void>;
}
