import { migrationState } from '@citadel/db';
import type { FastifyInstance } from 'fastify';
import type pg from 'pg';
import { Type } from 'typebox';
import { sendError } from '../plugins/error-handler.js';
import { errorResponses } from './schemas.js';

const READY_TIMEOUT_MS = 1500;

/** Liveness (no dependencies) and readiness (database reachable, migrations current). */
export async function healthRoutes(app: FastifyInstance, options: { pool: pg.Pool }): Promise<void> {
  app.get(
    '/health',
    {
      config: { rateLimit: false },
      schema: { hide: true, response: { 200: Type.Object({ status: Type.Literal('ok') }) } },
      logLevel: 'warn',
    },
    async () => ({ status: 'ok' as const }),
  );

  app.get(
    '/ready',
    {
      config: { rateLimit: false },
      schema: {
        hide: true,
        response: { 200: Type.Object({ status: Type.Literal('ready') }), ...errorResponses(503) },
      },
      logLevel: 'warn',
    },
    async (request, reply) => {
      try {
        const state = await withTimeout(migrationState(options.pool), READY_TIMEOUT_MS);
        if (!state.current) {
          return sendError(
            reply,
            503,
            'migrations_pending',
            `database schema is at ${state.applied ?? 'nothing'}, expected ${state.expected}`,
          );
        }
        return { status: 'ready' as const };
      } catch (error) {
        request.log.warn(
          { event: 'not_ready', err: { message: (error as Error).message } },
          'database not reachable',
        );
        return sendError(reply, 503, 'database_unavailable', 'the database is not reachable');
      }
    },
  );
}

function withTimeout<T>(promise: Promise<T>, ms: number): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`no answer within ${ms} ms`)), ms);
  });
  return Promise.race([promise, timeout]).finally(() => clearTimeout(timer));
}
