import type { Logger } from '@aws-lambda-powertools/logger';
import type { ScheduledEvent } from 'aws-lambda';
import { DEFAULT_FETCH_LIMITS, fetchKeySetText, type Fetch, type FetchLimits } from './fetch-key-set.js';
import { readParameter, writeParameter, type ParameterStore } from './key-set-parameter.js';
import type { MirrorSettings } from './settings.js';
import { normalizeKeySet } from './validate-key-set.js';

export interface JwksMirrorDependencies {
  readonly settings: MirrorSettings;
  readonly ssm: ParameterStore;
  readonly logger: Logger;
  /** @default the global fetch */
  readonly fetch?: Fetch;
  /** @default DEFAULT_FETCH_LIMITS */
  readonly limits?: FetchLimits;
}

export interface JwksMirrorResult {
  /** True when the parameter was written. */
  readonly changed: boolean;
  readonly kids: readonly string[];
}

export type JwksMirrorHandler = (event: ScheduledEvent) => Promise<JwksMirrorResult>;

/** Log event names the mirror writes; `jwks_mirror_failed` is the one to alarm on. */
export const JWKS_MIRROR_EVENTS = {
  updated: 'jwks_updated',
  unchanged: 'jwks_unchanged',
  failed: 'jwks_mirror_failed',
} as const;

/**
 * Builds the scheduled handler: fetch the provider's key set, check it, and write it to the
 * parameter only when it differs from what is stored. Any failure leaves the parameter as
 * it was, is logged as `jwks_mirror_failed` and fails the invocation, so the function's
 * error metric sees it.
 */
export function createJwksMirror(deps: JwksMirrorDependencies): JwksMirrorHandler {
  const { settings, ssm, logger } = deps;
  const context = { jwksUrl: settings.jwksUrl.href, parameterName: settings.parameterName };
  return async (event) => {
    try {
      const text = await fetchKeySetText(settings.jwksUrl, deps.fetch, deps.limits ?? DEFAULT_FETCH_LIMITS);
      const keySet = normalizeKeySet(text);
      const stored = await readParameter(ssm, settings.parameterName);
      if (stored === keySet.json) {
        logger.info('key set unchanged', {
          event: JWKS_MIRROR_EVENTS.unchanged,
          ...context,
          kids: keySet.kids,
        });
        return { changed: false, kids: keySet.kids };
      }
      await writeParameter(ssm, settings.parameterName, keySet.json);
      logger.info('key set updated', { event: JWKS_MIRROR_EVENTS.updated, ...context, kids: keySet.kids });
      return { changed: true, kids: keySet.kids };
    } catch (error) {
      const failure = error instanceof Error ? error : new Error(String(error));
      logger.error('key set not mirrored; the parameter keeps its last good value', {
        event: JWKS_MIRROR_EVENTS.failed,
        ...context,
        scheduledAt: event.time,
        reason: failure.name,
        detail: failure.message,
      });
      throw failure;
    }
  };
}
