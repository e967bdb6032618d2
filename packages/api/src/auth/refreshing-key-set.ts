import { createLocalJWKSet, type JSONWebKeySet, type JWTVerifyGetKey } from 'jose';

/** No keys are loaded yet (the mirror has not run): a token may be fine, so this is not a 401. */
export class KeySetUnavailableError extends Error {
  override readonly name = 'KeySetUnavailableError';
}

export interface RefreshingKeySetOptions {
  /** Loads the current key set; throws when it cannot. */
  readonly load: () => Promise<JSONWebKeySet>;
  /** @default 300_000 (5 minutes) */
  readonly refreshIntervalMs?: number;
  /** Shortest time between two loads caused by tokens naming an unknown kid. @default 30_000 */
  readonly unknownKidIntervalMs?: number;
  readonly onRefreshed?: (kids: readonly string[]) => void;
  readonly onRefreshFailed?: (error: unknown) => void;
  /** @default Date.now */
  readonly now?: () => number;
}

/**
 * Keys that change while the service runs: loaded at start, reloaded on a timer and, at most
 * once per `unknownKidIntervalMs`, when a token names a kid the set does not hold (a key the
 * provider has just rotated in). A failed reload keeps the last good keys.
 */
export class RefreshingKeySet {
  private localSet: JWTVerifyGetKey | undefined;
  private kids = new Set<string>();
  private lastLoadStartedMs = Number.NEGATIVE_INFINITY;
  private inFlight: Promise<boolean> | undefined;
  private timer: NodeJS.Timeout | undefined;
  private readonly now: () => number;

  constructor(private readonly options: RefreshingKeySetOptions) {
    this.now = options.now ?? (() => Date.now());
  }

  /** Loads the keys once; throws when that fails, then keeps them fresh until `stop()`. */
  async start(): Promise<void> {
    this.lastLoadStartedMs = this.now();
    this.install(await this.options.load());
    this.timer = setInterval(() => void this.refresh(), this.options.refreshIntervalMs ?? 300_000);
    this.timer.unref();
  }

  stop(): void {
    clearInterval(this.timer);
  }

  /** Reloads the keys; false (and the last good keys kept) when the load fails. */
  refresh(): Promise<boolean> {
    this.inFlight ??= this.load().finally(() => {
      this.inFlight = undefined;
    });
    return this.inFlight;
  }

  readonly getKey: JWTVerifyGetKey = async (header, token) => {
    const unknownKid = typeof header.kid === 'string' && !this.kids.has(header.kid);
    const interval = this.options.unknownKidIntervalMs ?? 30_000;
    if (unknownKid && this.now() - this.lastLoadStartedMs >= interval) await this.refresh();
    if (!this.localSet || this.kids.size === 0) {
      throw new KeySetUnavailableError('no identity provider keys are loaded yet');
    }
    return this.localSet(header, token);
  };

  private async load(): Promise<boolean> {
    this.lastLoadStartedMs = this.now();
    try {
      this.install(await this.options.load());
      return true;
    } catch (error) {
      this.options.onRefreshFailed?.(error);
      return false;
    }
  }

  private install(keySet: JSONWebKeySet): void {
    this.localSet = createLocalJWKSet(keySet);
    this.kids = new Set(
      keySet.keys.map((key) => key.kid).filter((kid): kid is string => typeof kid === 'string'),
    );
    this.options.onRefreshed?.([...this.kids]);
  }
}
