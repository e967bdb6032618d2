import type { FastifyInstance, FastifyRequest } from 'fastify';
import fp from 'fastify-plugin';
import { ApiError } from '../errors.js';

const NUL = '\u0000';
const ENCODED_NUL = /%00/i;
const MAX_DEPTH = 64;

/**
 * Refuses with 400, before authentication and before any handler, a request carrying a NUL
 * character (U+0000) in its path, query string, a header, or any key or string of its JSON
 * body. PostgreSQL text cannot hold NUL, so letting one through would fail at the database
 * instead of telling the client what is wrong.
 */
export const nulRefusal = fp(
  async (app: FastifyInstance) => {
    app.addHook('onRequest', async (request) => {
      if (request.url.includes(NUL) || ENCODED_NUL.test(request.url))
        throw refusal('the path or query string');
      const header = Object.entries(request.headers).find(([, value]) => holdsNul(value, 0));
      if (header) throw refusal(`the ${header[0]} header`);
    });
    app.addHook('preValidation', async (request: FastifyRequest) => {
      if (holdsNul(request.body, 0)) throw refusal('the body');
      if (holdsNul(request.query, 0) || holdsNul(request.params, 0))
        throw refusal('the path or query string');
    });
  },
  { name: 'nul-refusal' },
);

function refusal(where: string): ApiError {
  return new ApiError(400, 'nul_character', `${where} contains a NUL character (U+0000); remove it`);
}

/** True when `value`, or any key or string nested in it, holds NUL; iterative past MAX_DEPTH. */
function holdsNul(value: unknown, depth: number): boolean {
  if (typeof value === 'string') return value.includes(NUL);
  if (typeof value !== 'object' || value === null) return false;
  if (depth >= MAX_DEPTH) return JSON.stringify(value).includes('\\u0000');
  if (Array.isArray(value)) return value.some((item) => holdsNul(item, depth + 1));
  for (const [key, item] of Object.entries(value)) {
    if (key.includes(NUL) || holdsNul(item, depth + 1)) return true;
  }
  return false;
}
