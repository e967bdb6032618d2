import type { IncomingHttpHeaders } from 'node:http';
import type { FastifyInstance, FastifyRequest } from 'fastify';
import fp from 'fastify-plugin';
import {
  containsPrimaryAccountNumber,
  decodeUrlComponent,
  urlContainsPrimaryAccountNumber,
  valueContainsPrimaryAccountNumber,
} from '../domain/card-data.js';
import { API_LOG_EVENTS } from '../contract.js';
import { ApiError } from '../errors.js';

/**
 * Headers left unchecked, because the API never logs, echoes or stores them: credentials
 * (redacted from every log line) and trace context ids set by the load balancer or a
 * tracing library. Trace ids are random hex, and about one in seven hundred holds a
 * Luhn-valid card-prefixed run of digits; checking them would refuse requests at random.
 */
const UNCHECKED_HEADERS: ReadonlySet<string> = new Set([
  'authorization',
  'proxy-authorization',
  'cookie',
  'x-amzn-trace-id',
  'traceparent',
  'tracestate',
]);

/**
 * Headers that are comma-separated lists of addresses, checked element by element: the
 * client address taken from them is one element, and two IPv4 addresses read together hold
 * a Luhn-valid card-prefixed window about one time in six.
 */
const LIST_HEADERS: ReadonlySet<string> = new Set(['x-forwarded-for']);

/**
 * True when the request target (path and query string, raw and decoded) or any header
 * other than credentials holds a primary account number. Header names are checked too:
 * every header may be logged, echoed or stored by some layer.
 */
export function requestHoldsCardData(request: {
  readonly url: string;
  readonly headers: IncomingHttpHeaders;
}): boolean {
  if (urlContainsPrimaryAccountNumber(request.url)) return true;
  const headers = request.headers;
  for (const name in headers) {
    if (UNCHECKED_HEADERS.has(name)) continue;
    if (containsPrimaryAccountNumber(name)) return true;
    const value = headers[name];
    const values = typeof value === 'string' ? [value] : Array.isArray(value) ? value : [];
    for (const item of values) {
      const parts = LIST_HEADERS.has(name) ? item.split(',') : [item];
      for (const part of parts) if (headerValueHoldsCardData(part)) return true;
    }
  }
  return false;
}

/** A header value as written and, when it holds escapes (Referer, Origin), percent-decoded. */
function headerValueHoldsCardData(value: string): boolean {
  if (containsPrimaryAccountNumber(value)) return true;
  return value.includes('%') && containsPrimaryAccountNumber(decodeUrlComponent(value, true));
}

function refuse(request: FastifyRequest): ApiError {
  // Only the route pattern is logged, never the path, query, headers or body that held it.
  request.log.warn(
    { event: API_LOG_EVENTS.cardDataRejected, route: request.routeOptions.url ?? null },
    'card data rejected',
  );
  return new ApiError(
    422,
    'card_data_not_accepted',
    'card numbers are not accepted by this service; use your payment provider for card data',
  );
}

/**
 * Refuses with 422 `card_data_not_accepted` a request that holds a primary account number
 * anywhere a client controls: the path and query string and headers as soon as the request
 * arrives (before authentication), and every key and string of the JSON body once parsed,
 * before validation and before any handler can log or store it.
 */
export const cardDataGuard = fp(
  async (app: FastifyInstance) => {
    app.addHook('onRequest', async (request) => {
      if (requestHoldsCardData(request)) throw refuse(request);
    });
    app.addHook('preValidation', async (request) => {
      if (valueContainsPrimaryAccountNumber(request.body)) throw refuse(request);
    });
  },
  { name: 'card-data-guard' },
);
