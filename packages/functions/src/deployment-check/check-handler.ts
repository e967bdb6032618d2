import { randomUUID } from 'node:crypto';
import type { Logger } from '@aws-lambda-powertools/logger';
import { API_PAYMENTS_PATH, API_READINESS_PATH } from '@citadel/api/contract';
import type { SecretsReader } from '../shared/secrets.js';
import {
  parseLifecycleHookEvent,
  type CheckTarget,
  type LifecycleHookEvent,
  type LifecycleHookResponse,
} from './hook-event.js';
import { describeOutcome, probe, type Fetch, type ProbeOutcome } from './http-probe.js';
import { readProbeSigningKey } from './probe-key.js';
import { mintProbeToken } from './probe-token.js';
import type { DeploymentCheckSettings } from './settings.js';

/** Log event names the check writes; `deployment_check_failed` is the one to alarm on. */
export const DEPLOYMENT_CHECK_EVENTS = {
  passed: 'deployment_check_passed',
  failed: 'deployment_check_failed',
} as const;

/** The steps a FAILED reason names. */
export type CheckStep = 'settings' | 'event' | 'ready' | 'probe-key' | 'read';

export interface CheckTiming {
  /** One request, body included. */
  readonly requestTimeoutMs: number;
  /** Tries of /ready while the new tasks warm up. */
  readonly readyAttempts: number;
  /** Tries of the authenticated read, for a load balancer still registering targets. */
  readonly readAttempts: number;
  /** Wait between two tries. */
  readonly retryDelayMs: number;
  /** Time kept back at the end of the invocation to answer ECS. */
  readonly reserveMs: number;
}

/**
 * Worst case: 4 × 5 s + 3 × 3 s for readiness, 3 × 5 s + 2 × 3 s for the read, about 50 s;
 * the function's timeout should leave room above that. Less remaining time ends the tries early.
 */
export const DEFAULT_CHECK_TIMING: CheckTiming = {
  requestTimeoutMs: 5_000,
  readyAttempts: 4,
  readAttempts: 3,
  retryDelayMs: 3_000,
  reserveMs: 2_000,
};

/** Statuses and failures that a revision still warming up (or a target still registering) gives. */
const TRANSIENT_STATUSES = new Set([502, 503, 504]);

export interface DeploymentCheckDependencies {
  readonly settings: DeploymentCheckSettings;
  readonly secrets: SecretsReader;
  readonly logger: Logger;
  /** @default the global fetch */
  readonly fetch?: Fetch;
  /** @default DEFAULT_CHECK_TIMING */
  readonly timing?: CheckTiming;
}

/** The part of the Lambda context the check uses. */
export interface InvocationClock {
  getRemainingTimeInMillis(): number;
}

export type DeploymentCheckHandler = (
  event: unknown,
  context?: InvocationClock,
) => Promise<LifecycleHookResponse>;

class CheckFailure extends Error {
  override readonly name = 'CheckFailure';

  constructor(
    readonly step: CheckStep,
    message: string,
  ) {
    super(`${step}: ${message}`);
  }
}

/**
 * Builds the lifecycle hook: check the event, wait for `GET /ready` to answer 200 through the
 * test listener (a team service's hook: its own health path, and nothing more), then read an unknown payment as the probe principal and expect the API's own
 * 404 (`payment_not_found`): signed in, allowed to read, the query ran. Anything else answers
 * FAILED with a logged reason naming the step and what came back, so ECS rolls back. The
 * handler never throws.
 */
export function createDeploymentCheck(deps: DeploymentCheckDependencies): DeploymentCheckHandler {
  const { settings, logger } = deps;
  const timing = deps.timing ?? DEFAULT_CHECK_TIMING;
  const base = settings.testBaseUrl;

  return async (input, context) => {
    const startedMs = Date.now();
    const remainingMs = (): number => context?.getRemainingTimeInMillis() ?? Number.POSITIVE_INFINITY;
    const parsed = parseLifecycleHookEvent(input);
    if (!parsed.ok)
      return failed(logger, new CheckFailure('event', parsed.problem), { testBaseUrl: base.origin });
    const { event } = parsed;
    const context_ = logContext(event, base);
    try {
      const target = event.hookDetails;
      const readinessPath = target.check === 'api' ? API_READINESS_PATH : target.healthPath;
      const ready = await attempt(
        'ready',
        timing.readyAttempts,
        timing,
        remainingMs,
        () => probe(readinessUrl(target, base), {}, timing.requestTimeoutMs, deps.fetch),
        (outcome) => outcome.kind === 'answered' && outcome.status === 200,
        `GET ${readinessPath} expected HTTP 200`,
      );
      if (target.check === 'readiness') {
        logger.info('the new revision answered the pre-traffic check', {
          event: DEPLOYMENT_CHECK_EVENTS.passed,
          ...context_,
          readyAttempts: ready,
          durationMs: Date.now() - startedMs,
        });
        return { hookStatus: 'SUCCEEDED' };
      }
      let signing;
      try {
        signing = await readProbeSigningKey(deps.secrets, settings.probeKeySecretArn);
      } catch (error) {
        throw new CheckFailure('probe-key', (error as Error).message);
      }
      const readPath = `${API_PAYMENTS_PATH}/${randomUUID()}`;
      const read = await attempt(
        'read',
        timing.readAttempts,
        timing,
        remainingMs,
        async () =>
          probe(
            new URL(readPath, base),
            { authorization: `Bearer ${await mintProbeToken(signing, settings)}` },
            timing.requestTimeoutMs,
            deps.fetch,
          ),
        (outcome) =>
          outcome.kind === 'answered' && outcome.status === 404 && outcome.errorCode === 'payment_not_found',
        `GET ${API_PAYMENTS_PATH}/<random id> as the probe expected the API's HTTP 404 (payment_not_found)`,
      );
      logger.info('the new revision answered the pre-traffic check', {
        event: DEPLOYMENT_CHECK_EVENTS.passed,
        ...context_,
        readyAttempts: ready,
        readAttempts: read,
        durationMs: Date.now() - startedMs,
      });
      return { hookStatus: 'SUCCEEDED' };
    } catch (error) {
      const failure =
        error instanceof CheckFailure
          ? error
          : new CheckFailure('read', `unexpected ${(error as Error).name ?? 'error'}`);
      return failed(logger, failure, { ...context_, durationMs: Date.now() - startedMs });
    }
  };
}

/**
 * Tries `run` until `passes`, at most `attempts` times; only transient outcomes are tried
 * again, and only while the invocation has time for another request. Returns the number of
 * tries it took.
 */
async function attempt(
  step: CheckStep,
  attempts: number,
  timing: CheckTiming,
  remainingMs: () => number,
  run: () => Promise<ProbeOutcome>,
  passes: (outcome: ProbeOutcome) => boolean,
  expectation: string,
): Promise<number> {
  for (let tried = 1; ; tried += 1) {
    const outcome = await run();
    if (passes(outcome)) return tried;
    const got = describeOutcome(outcome, timing.requestTimeoutMs);
    if (!isTransient(outcome)) throw new CheckFailure(step, `${expectation}, got ${got}`);
    if (tried >= attempts) throw new CheckFailure(step, `${expectation}, got ${got} after ${tried} tries`);
    if (remainingMs() < timing.retryDelayMs + timing.requestTimeoutMs + timing.reserveMs) {
      throw new CheckFailure(step, `${expectation}, got ${got}; no time left for another try after ${tried}`);
    }
    await new Promise((resolve) => setTimeout(resolve, timing.retryDelayMs));
  }
}

function isTransient(outcome: ProbeOutcome): boolean {
  if (outcome.kind === 'timeout' || outcome.kind === 'unreachable') return true;
  return outcome.kind === 'answered' && TRANSIENT_STATUSES.has(outcome.status);
}

/**
 * Where readiness is asked: the API's /ready on the test listener, or a team service's
 * health path there, on the service's own host when it is routed by host (its name resolves
 * to the same load balancer, whose test rule for the service matches that host).
 */
function readinessUrl(target: CheckTarget, base: URL): URL {
  if (target.check === 'api') return new URL(API_READINESS_PATH, base);
  const url = new URL(target.healthPath, base);
  if (target.host !== undefined) url.hostname = target.host;
  return url;
}

function logContext(event: LifecycleHookEvent, base: URL): Record<string, string> {
  const target = event.hookDetails;
  return {
    check: target.check,
    ...(target.check === 'readiness'
      ? { healthPath: target.healthPath, ...(target.host === undefined ? {} : { host: target.host }) }
      : {}),
    executionId: event.executionId,
    lifecycleStage: event.lifecycleStage,
    serviceArn: event.executionDetails.serviceArn,
    targetServiceRevisionArn: event.executionDetails.targetServiceRevisionArn,
    testBaseUrl: base.origin,
  };
}

function failed(
  logger: Logger,
  failure: CheckFailure,
  context: Record<string, unknown>,
): LifecycleHookResponse {
  logger.error('the new revision failed the pre-traffic check; the deployment rolls back', {
    event: DEPLOYMENT_CHECK_EVENTS.failed,
    ...context,
    step: failure.step,
    reason: failure.message,
  });
  return { hookStatus: 'FAILED' };
}

/** The answer when the check's own settings are wrong: FAILED, with the setting named in the log. */
export function failedForSettings(logger: Logger, error: unknown): LifecycleHookResponse {
  const message = error instanceof Error ? error.message : String(error);
  return failed(logger, new CheckFailure('settings', message), {});
}
