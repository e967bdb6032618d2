import { clientDataProblem, isDatabaseUnavailable } from '@citadel/db';
import type { FastifyError, FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import fp from 'fastify-plugin';
import { API_LOG_EVENTS } from '../contract.js';
import { ApiError } from '../errors.js';

/** The one error shape clients see. */
export interface ErrorBody {
  readonly error: { readonly code: string; readonly message: string; readonly requestId: string };
}

const FASTIFY_CODES: Readonly<Record<string, { status: number; code: string; message: string }>> = {
  FST_ERR_CTP_BODY_TOO_LARGE: {
    status: 413,
    code: 'payload_too_large',
    message: 'the request body is too large',
  },
  FST_ERR_CTP_INVALID_MEDIA_TYPE: {
    status: 415,
    code: 'unsupported_media_type',
    message: 'send the body as application/json',
  },
  FST_ERR_CTP_INVALID_CONTENT_LENGTH: {
    status: 400,
    code: 'invalid_content_length',
    message: 'the content-length header does not match the body',
  },
  FST_ERR_CTP_EMPTY_JSON_BODY: { status: 400, code: 'malformed_json', message: 'the JSON body is empty' },
  FST_ERR_CTP_INVALID_JSON_BODY: {
    status: 400,
    code: 'malformed_json',
    message: 'the body is not valid JSON',
  },
  FST_ERR_CTP_INSTANCE_ALREADY_STARTED: { status: 500, code: 'internal_error', message: 'internal error' },
};

export function sendError(reply: FastifyReply, status: number, code: string, message: string): FastifyReply {
  const body: ErrorBody = { error: { code, message, requestId: reply.request.id } };
  return reply.code(status).type('application/json; charset=utf-8').send(body);
}

/**
 * Maps every error to `{ error: { code, message, requestId } }`. Client errors keep a
 * safe message; database outages become 503; a value the database refuses (a data
 * exception, or a duplicate no route translated) becomes 400 or 409 without the SQL or the
 * value; anything unexpected is logged with its stack and answered with a generic 500
 * that reveals nothing.
 */
export const errorHandler = fp(
  async (app: FastifyInstance) => {
    app.setNotFoundHandler((request: FastifyRequest, reply: FastifyReply) =>
      sendError(
        reply,
        404,
        'not_found',
        `no route for ${request.method} ${request.routeOptions.url ?? 'this path'}`,
      ),
    );

    app.setErrorHandler((error: FastifyError, request: FastifyRequest, reply: FastifyReply) => {
      if (error instanceof ApiError) {
        reply.headers(error.headers);
        if (error.statusCode >= 500) request.log.warn({ err: error }, error.message);
        return sendError(reply, error.statusCode, error.code, error.message);
      }
      if (error.validation) {
        return sendError(reply, 400, 'validation_failed', validationMessage(error));
      }
      const known = error.code ? FASTIFY_CODES[error.code] : undefined;
      if (known) return sendError(reply, known.status, known.code, known.message);
      if (error.statusCode === 429) {
        return sendError(
          reply,
          429,
          'rate_limited',
          'too many requests; retry after the time in Retry-After',
        );
      }
      if (isDatabaseUnavailable(error)) {
        request.log.warn(
          { event: API_LOG_EVENTS.databaseUnavailable, err: { code: (error as { code?: string }).code } },
          'database unavailable',
        );
        reply.header('retry-after', '2');
        return sendError(
          reply,
          503,
          'service_unavailable',
          'the service is temporarily unavailable; retry shortly',
        );
      }
      const refused = clientDataProblem(error);
      if (refused) {
        // The database's message quotes the refused value, so only its SQLSTATE is logged.
        request.log.warn(
          {
            event: API_LOG_EVENTS.clientValueRefusedByDatabase,
            sqlState: refused.sqlState,
            route: request.routeOptions.url,
          },
          'database refused a client value',
        );
        return sendError(reply, refused.status, refused.code, refused.message);
      }
      if (typeof error.statusCode === 'number' && error.statusCode >= 400 && error.statusCode < 500) {
        return sendError(reply, error.statusCode, 'bad_request', 'the request cannot be processed');
      }
      request.log.error({ err: error }, 'unhandled error');
      return sendError(reply, 500, 'internal_error', 'an internal error occurred');
    });
  },
  { name: 'error-handler' },
);

function validationMessage(error: FastifyError): string {
  const first = error.validation?.[0];
  if (!first) return 'the request is invalid';
  const where = error.validationContext ?? 'request';
  const path = first.instancePath ? first.instancePath.slice(1).replaceAll('/', '.') : '';
  if (first.keyword === 'additionalProperties') {
    const extra = (first.params as { additionalProperty?: string }).additionalProperty ?? '';
    return `${where} has an unexpected property ${JSON.stringify(extra.slice(0, 64))}`;
  }
  if (first.keyword === 'required') {
    const missing = (first.params as { missingProperty?: string }).missingProperty ?? '';
    return `${where}${path ? `.${path}` : ''} is missing ${missing}`;
  }
  return `${where}${path ? `.${path}` : ''} ${first.message ?? 'is invalid'}`;
}
