/**
 * Remembers, for a short time, the result of verifying a bearer token, keyed by the whole
 * token string (signature included), so a client that sends the same token on every
 * request is not charged a signature verification each time.
 *
 * Only tokens that passed every check are stored. An entry is dropped at the token's own
 * `exp` (without the verifier's clock tolerance, so never later than verification would
 * reject it) or after `maxAgeMs`, whichever comes first. A key withdrawn from the JWKS
 * therefore stops being honoured for cached tokens within `maxAgeMs`; the JWKS itself is
 * cached by jose for longer than that. The cache is bounded: when full, the entry stored
 * first is evicted.
 */
export class VerifiedTokenCache<T> {
  private readonly entries = new Map<string, { readonly value: T; readonly expiresAtMs: number }>();

  constructor(
    /** @default 60_000 */
    private readonly maxAgeMs = 60_000,
    /** @default 10_000 */
    private readonly maxEntries = 10_000,
  ) {}

  get(token: string, nowMs = Date.now()): T | undefined {
    const entry = this.entries.get(token);
    if (!entry) return undefined;
    if (nowMs >= entry.expiresAtMs) {
      this.entries.delete(token);
      return undefined;
    }
    return entry.value;
  }

  /** `expiresAtSeconds` is the token's `exp` claim. */
  set(token: string, value: T, expiresAtSeconds: number, nowMs = Date.now()): void {
    const expiresAtMs = Math.min(expiresAtSeconds * 1000, nowMs + this.maxAgeMs);
    if (expiresAtMs <= nowMs) return;
    if (this.entries.size >= this.maxEntries && !this.entries.has(token)) {
      const oldest = this.entries.keys().next().value;
      if (oldest !== undefined) this.entries.delete(oldest);
    }
    this.entries.set(token, { value, expiresAtMs });
  }

  get size(): number {
    return this.entries.size;
  }
}
