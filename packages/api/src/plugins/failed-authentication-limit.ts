import type { FastifyInstance } from 'fastify';
import fp from 'fastify-plugin';
import { API_LOG_EVENTS } from '../contract.js';
import { ApiError } from '../errors.js';

export interface FailedAuthenticationLimitOptions {
  /** Failed authentications (401 or 403) one client IP may have within the window. */
  readonly maxFailures: number;
  readonly windowSeconds: number;
  /**
   * Client IPs tracked at once; when full, the IP whose last failure is oldest is forgotten,
   * so rotating addresses cannot grow memory without bound. @default 10_000
   */
  readonly maxTrackedClients?: number;
}

/** Logged when a client IP is refused for too many failed authentications. */
export const AUTH_RATE_LIMITED_EVENT = API_LOG_EVENTS.authRateLimited;

/**
 * Answers 429 to a client IP that had more than `maxFailures` failed authentications in the
 * current window, on every route that needs a token, before its token is verified: a client
 * guessing or replaying tokens cannot make the service pay for a signature check each time.
 * Successful requests do not count. The client IP is `request.ip`, which honours only the
 * X-Forwarded-For entries appended by the trusted load balancer.
 *
 * Register before the authentication plugin, so this check runs first.
 */
export const failedAuthenticationLimit = fp<FailedAuthenticationLimitOptions>(
  async (app: FastifyInstance, options) => {
    const failures = new FailureCounter(
      options.maxFailures,
      options.windowSeconds * 1000,
      options.maxTrackedClients ?? 10_000,
    );

    app.addHook('onRequest', async (request) => {
      if (!request.routeOptions.config.requiredScope) return;
      const retryAfterSeconds = failures.blockedFor(request.ip);
      if (retryAfterSeconds === 0) return;
      request.log.warn({ event: AUTH_RATE_LIMITED_EVENT }, 'too many failed authentications');
      throw new ApiError(
        429,
        'too_many_failed_authentications',
        'too many failed authentications from this address; retry later',
        { headers: { 'retry-after': String(retryAfterSeconds) } },
      );
    });
    app.addHook('onResponse', async (request, reply) => {
      if (reply.statusCode === 401 || reply.statusCode === 403) failures.record(request.ip);
    });
  },
  { name: 'failed-authentication-limit' },
);

/**
 * Failures per key in fixed windows, in a bounded map kept in least-recently-failed order
 * (a Map iterates in insertion order; a key is re-inserted on each failure).
 */
export class FailureCounter {
  private readonly entries = new Map<string, { count: number; readonly windowStartMs: number }>();

  constructor(
    private readonly maxFailures: number,
    private readonly windowMs: number,
    private readonly maxEntries: number,
  ) {}

  record(key: string, nowMs = Date.now()): void {
    const entry = this.current(key, nowMs);
    this.entries.delete(key);
    if (this.entries.size >= this.maxEntries) {
      const oldest = this.entries.keys().next().value;
      if (oldest !== undefined) this.entries.delete(oldest);
    }
    this.entries.set(key, {
      count: (entry?.count ?? 0) + 1,
      windowStartMs: entry?.windowStartMs ?? nowMs,
    });
  }

  /** Seconds until `key` may try again; 0 when it is not blocked. */
  blockedFor(key: string, nowMs = Date.now()): number {
    const entry = this.current(key, nowMs);
    if (!entry || entry.count <= this.maxFailures) return 0;
    return Math.max(1, Math.ceil((entry.windowStartMs + this.windowMs - nowMs) / 1000));
  }

  get size(): number {
    return this.entries.size;
  }

  private current(key: string, nowMs: number) {
    const entry = this.entries.get(key);
    if (entry && nowMs - entry.windowStartMs >= this.windowMs) {
      this.entries.delete(key);
      return undefined;
    }
    return entry;
  }
}
