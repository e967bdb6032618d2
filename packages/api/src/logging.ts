import { isIP } from 'node:net';
import type { IncomingHttpHeaders } from 'node:http';
import { LogController, type FastifyReply, type FastifyRequest } from 'fastify';
import { stdSerializers, type DestinationStream, type LoggerOptions } from 'pino';
import type { Config } from './config.js';

/**
 * Log paths that may carry credentials or protected health information. Bodies are never
 * logged; these paths cover headers, errors and any structured field a handler might add.
 */
export const REDACTED_PATHS = [
  'req.headers.authorization',
  'req.headers.cookie',
  'req.headers["x-api-key"]',
  'res.headers["set-cookie"]',
  'headers.authorization',
  'authorization',
  'token',
  '*.token',
  'patient.name',
  'patient.dateOfBirth',
  'patient.medicalRecordNumber',
  'dateOfBirth',
  '*.dateOfBirth',
  'medicalRecordNumber',
  '*.medicalRecordNumber',
  'body',
  '*.body',
];

/** Stands in for a path segment that is neither a UUID nor a static segment of a route. */
export const UNLOGGED_SEGMENT = '*';

const CANONICAL_UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;
const MAX_LOGGED_SEGMENTS = 16;

/**
 * The client's own `X-Request-Id`, kept beside the server's id for correlation only when it
 * is a canonical UUID (lower-cased); anything else is dropped, never logged or stored.
 */
export function clientRequestId(headers: IncomingHttpHeaders): string | undefined {
  const offered = headers['x-request-id'];
  return typeof offered === 'string' && CANONICAL_UUID.test(offered) ? offered.toLowerCase() : undefined;
}

/**
 * The request path as it may be logged: no query string or fragment, and every segment
 * that is not a static segment of a registered route (`routeSegments`) or a UUID replaced
 * by `*`, so a client cannot write a name or a card number into the logs through the URL.
 */
export function loggablePath(url: string, routeSegments: ReadonlySet<string>): string {
  const end = url.search(/[?#]/);
  const path = end === -1 ? url : url.slice(0, end);
  const segments = path.split('/');
  const kept = segments
    .slice(0, MAX_LOGGED_SEGMENTS)
    .map((segment) =>
      segment === '' || routeSegments.has(segment) || CANONICAL_UUID.test(segment)
        ? segment
        : UNLOGGED_SEGMENT,
    );
  return segments.length > MAX_LOGGED_SEGMENTS ? `${kept.join('/')}/${UNLOGGED_SEGMENT}` : kept.join('/');
}

/** The static segments of a route pattern: `/v1/payments/:id` gives `v1`, `payments`. */
export function staticSegments(routePattern: string): string[] {
  return routePattern.split('/').filter((segment) => segment !== '' && !/[:*(]/.test(segment));
}

interface LoggedRequest {
  readonly method: string;
  readonly route: string | null;
  readonly path: string;
  readonly remoteAddress?: string;
}

/**
 * An allow-list, not a deny-list: method, route pattern, a sanitized path and the client
 * address (the UUID-shaped client request id is bound to every line of the request). The raw URL, the query string, the body and
 * every other header (User-Agent, Referer, Host, Idempotency-Key...) are client-controlled
 * text and are never logged.
 */
function requestSerializer(routeSegments: ReadonlySet<string>) {
  return (request: FastifyRequest): LoggedRequest => {
    const ip = typeof request.ip === 'string' && isIP(request.ip) !== 0 ? request.ip : undefined;
    return {
      method: request.method,
      route: request.routeOptions?.url ?? null,
      path: loggablePath(typeof request.url === 'string' ? request.url : '/', routeSegments),
      ...(ip ? { remoteAddress: ip } : {}),
    };
  };
}

/**
 * PostgreSQL errors quote the offending input in their message and detail
 * (`invalid input syntax for type uuid: "..."`, `Key (...)=(...) already exists`), so only
 * their SQLSTATE and origin are logged.
 */
function errorSerializer(error: unknown): unknown {
  if (error instanceof Error && isDatabaseError(error)) {
    return {
      type: error.constructor.name,
      code: error.code,
      severity: error.severity,
      routine: error.routine,
      message: `database error ${error.code}`,
    };
  }
  return error instanceof Error ? stdSerializers.err(error) : error;
}

function isDatabaseError(
  error: Error,
): error is Error & { code: string; severity: string; routine?: string } {
  const candidate = error as Partial<Record<'code' | 'severity', unknown>>;
  return (
    typeof candidate.code === 'string' &&
    /^[0-9A-Z]{5}$/.test(candidate.code) &&
    typeof candidate.severity === 'string'
  );
}

export function loggerOptions(
  config: Pick<Config, 'logLevel'>,
  stream?: DestinationStream,
  routeSegments: ReadonlySet<string> = new Set(),
): LoggerOptions & { stream?: DestinationStream } {
  const options: LoggerOptions = {
    level: config.logLevel,
    redact: { paths: REDACTED_PATHS, censor: '[redacted]' },
    base: { service: 'citadel-api' },
    timestamp: () => `,"time":"${new Date().toISOString()}"`,
    formatters: { level: (label) => ({ level: label }) },
    serializers: {
      req: requestSerializer(routeSegments),
      res: (reply: FastifyReply) => ({ statusCode: reply.statusCode }),
      err: errorSerializer,
    },
  };
  return stream ? { ...options, stream } : options;
}

/**
 * Fastify's request log lines with the route pattern in place of the raw URL, which its
 * default "route not found" line would otherwise write with its query string.
 */
export class SafeLogController extends LogController {
  override routeNotFound(request: FastifyRequest): void {
    if (this.isLogDisabled(request)) return;
    request.log.info({ req: request }, 'route not found');
  }
}
