import { migrationState, type MigrationState } from '@citadel/db';
import type { FastifyInstance } from 'fastify';
import type pg from 'pg';
import { Type } from 'typebox';
import { API_HEALTH_PATH, API_LOG_EVENTS, API_READINESS_PATH } from '../contract.js';
import { sendError } from '../plugins/error-handler.js';
import { errorResponses } from './schemas.js';

const READY_TIMEOUT_MS = 1500;
/** How long one readiness answer is reused, so probes and callers cannot turn /ready into load on the database. */
export const READY_CACHE_MS = 1000;

type Readiness =
  { readonly ok: true; readonly state: MigrationState } | { readonly ok: false; readonly error: Error };

/** Liveness (no dependencies) and readiness (database reachable, migrations current). */
export async function healthRoutes(app: FastifyInstance, options: { pool: pg.Pool }): Promise<void> {
  const readiness = sharedFor(READY_CACHE_MS, () =>
    withTimeout(migrationState(options.pool), READY_TIMEOUT_MS).then(
      (state): Readiness => ({ ok: true, state }),
      (error: unknown): Readiness => ({ ok: false, error: error as Error }),
    ),
  );

  app.get(
    API_HEALTH_PATH,
    {
      config: { rateLimit: false },
      schema: { hide: true, response: { 200: Type.Object({ status: Type.Literal('ok') }) } },
      logLevel: 'warn',
    },
    async () => ({ status: 'ok' as const }),
  );

  app.get(
    API_READINESS_PATH,
    {
      config: { rateLimit: false },
      schema: {
        hide: true,
        response: { 200: Type.Object({ status: Type.Literal('ready') }), ...errorResponses(503) },
      },
      logLevel: 'warn',
    },
    async (request, reply) => {
      const answer = await readiness();
      if (!answer.ok) {
        request.log.warn(
          { event: API_LOG_EVENTS.notReady, err: { message: answer.error.message } },
          'database not reachable',
        );
        return sendError(reply, 503, 'database_unavailable', 'the database is not reachable');
      }
      const { state } = answer;
      if (!state.current) {
        return sendError(
          reply,
          503,
          'migrations_pending',
          `database schema is at ${state.applied ?? 'nothing'}, expected ${state.expected}`,
        );
      }
      return { status: 'ready' as const };
    },
  );
}

/**
 * Calls `load` at most once per `ttlMs`: callers while a load is in flight and within `ttlMs`
 * after it settled share its result. `load` must not reject.
 */
function sharedFor<T>(ttlMs: number, load: () => Promise<T>): () => Promise<T> {
  let current: Promise<T> | undefined;
  let settledAtMs = 0;
  return () => {
    if (current && (settledAtMs === 0 || Date.now() - settledAtMs < ttlMs)) return current;
    settledAtMs = 0;
    const loading = load().finally(() => {
      if (current === loading) settledAtMs = Date.now();
    });
    current = loading;
    return current;
  };
}

function withTimeout<T>(promise: Promise<T>, ms: number): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`no answer within ${ms} ms`)), ms);
  });
  return Promise.race([promise, timeout]).finally(() => clearTimeout(timer));
}
