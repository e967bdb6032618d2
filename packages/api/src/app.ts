import { randomUUID } from 'node:crypto';
import rateLimit from '@fastify/rate-limit';
import swagger from '@fastify/swagger';
import { AuditTrail, PatientRepository, PaymentRepository } from '@citadel/db';
import Fastify, { type FastifyInstance } from 'fastify';
import type { JWTVerifyGetKey, JSONWebKeySet } from 'jose';
import type pg from 'pg';
import type { DestinationStream } from 'pino';
import type { ParameterReader } from './auth/parameter-key-set.js';
import type { Config } from './config.js';
import { clientRequestId, loggerOptions, SafeLogController, staticSegments } from './logging.js';
import type { PaymentQueue } from './payments/payment-queue.js';
import { authentication } from './plugins/authentication.js';
import { cardDataGuard } from './plugins/card-data-guard.js';
import { errorHandler, sendError } from './plugins/error-handler.js';
import { failedAuthenticationLimit } from './plugins/failed-authentication-limit.js';
import { nulRefusal } from './plugins/nul-refusal.js';
import { securityHeaders } from './plugins/security-headers.js';
import { healthRoutes } from './routes/health.js';
import { patientRoutes, patientSchemas } from './routes/patients.js';
import { paymentRoutes, paymentSchemas } from './routes/payments.js';
import { ErrorResponse } from './routes/schemas.js';

export interface AppDependencies {
  readonly config: Config;
  readonly pool: pg.Pool;
  readonly paymentQueue: PaymentQueue;
  /** Where JSON log lines go. @default - standard output */
  readonly logStream?: DestinationStream;
  /** Token keys. @default - config.auth.jwks, the parameter config.auth.jwksParameter, or config.auth.jwksUrl */
  readonly keys?: JWTVerifyGetKey;
  /** Reads config.auth.jwksParameter. @default - an SSMClient for the task's region */
  readonly parameterStore?: ParameterReader;
  /** Local mode only: the development key set, served at /.well-known/jwks.json. */
  readonly localJwks?: JSONWebKeySet;
}

export const BODY_LIMIT_BYTES = 64 * 1024;

/** Builds the Citadel API without listening, so tests and the server share one definition. */
export async function buildApp(deps: AppDependencies): Promise<FastifyInstance> {
  const { config } = deps;
  // Filled as routes are registered; the request serializer logs only these path segments.
  const routeSegments = new Set<string>();
  const app = Fastify({
    logger: loggerOptions(config, deps.logStream, routeSegments),
    bodyLimit: BODY_LIMIT_BYTES,
    trustProxy: (_address: string, hop: number) => hop < config.trustedProxyHops,
    // The server names every request; a client's X-Request-Id is never the id that is
    // logged, echoed or audited, and is kept beside it only when it is a UUID.
    requestIdHeader: false,
    genReqId: () => randomUUID(),
    childLoggerFactory: (logger, bindings, options, rawRequest) => {
      const offered = clientRequestId(rawRequest.headers);
      return logger.child(offered ? { ...bindings, clientRequestId: offered } : bindings, options);
    },
    logController: new SafeLogController({ requestIdLogLabel: 'requestId' }),
    return503OnClosing: true,
    // Request, headers and keep-alive timeouts come from config and are set on the server by
    // run-server.ts, the one place that listens.
    connectionTimeout: 10_000,
    routerOptions: { maxParamLength: 100 },
    // Errors raised before routing (a malformed URL, a bad header) get the same JSON shape.
    frameworkErrors: (error, _request, reply) =>
      sendError(
        reply,
        error.statusCode && error.statusCode < 500 ? error.statusCode : 400,
        'bad_request',
        'the request is malformed',
      ),
    ajv: {
      customOptions: { removeAdditional: false, coerceTypes: false, useDefaults: false, allErrors: false },
    },
  });

  app.addHook('onRoute', (route) => {
    for (const segment of staticSegments(route.url)) routeSegments.add(segment);
  });

  // Requests still in flight when the server starts closing end their keep-alive
  // connection, so close() does not wait for idle sockets to time out.
  let closing = false;
  app.addHook('preClose', async () => {
    closing = true;
  });
  app.addHook('onSend', async (_request, reply) => {
    if (closing) reply.header('connection', 'close');
  });

  // JSON only: a text/plain body is answered with 415 instead of being parsed.
  app.removeContentTypeParser('text/plain');
  app.addHook('onRequest', async (request, reply) => {
    reply.header('x-request-id', request.id);
    reply.header('cache-control', 'no-store');
  });

  await app.register(errorHandler);
  await app.register(nulRefusal);
  await app.register(securityHeaders, {
    contentSecurityPolicy:
      config.mode === 'local'
        ? false
        : { directives: { defaultSrc: ["'none'"], frameAncestors: ["'none'"] } },
    hsts: { maxAge: 63_072_000, includeSubDomains: true, preload: true },
  });
  app.addSchema(ErrorResponse);
  for (const schema of [...patientSchemas, ...paymentSchemas]) app.addSchema(schema);

  await app.register(swagger, {
    openapi: {
      openapi: '3.1.0',
      info: {
        title: 'Citadel API',
        version: '1.0.0',
        description:
          'Patients and payments, authenticated with bearer JWTs; every access to them is audited.',
      },
      components: { securitySchemes: { bearer: { type: 'http', scheme: 'bearer', bearerFormat: 'JWT' } } },
    },
    refResolver: {
      buildLocalReference: (json, _baseUri, _fragment, index) => String(json.$id ?? `def-${index}`),
    },
  });
  if (config.mode === 'local') {
    // Loaded only in local mode: the production image neither serves nor bundles the UI's assets.
    const { default: swaggerUi } = await import('@fastify/swagger-ui');
    await app.register(swaggerUi, { routePrefix: '/docs' });
  }

  await app.register(failedAuthenticationLimit, {
    maxFailures: config.auth.failureLimit,
    windowSeconds: config.auth.failureWindowSeconds,
  });
  // Card data is refused before anything else reads, logs or stores the request.
  await app.register(cardDataGuard);
  await app.register(authentication, {
    config,
    ...(deps.keys ? { keys: deps.keys } : {}),
    ...(deps.parameterStore ? { parameterStore: deps.parameterStore } : {}),
  });
  await app.register(rateLimit, {
    global: true,
    hook: 'preParsing',
    max: config.rateLimitPerMinute,
    timeWindow: 60_000,
    keyGenerator: (request) => (request.principal ? `sub:${request.principal.subject}` : `ip:${request.ip}`),
    addHeadersOnExceeding: {
      'x-ratelimit-limit': true,
      'x-ratelimit-remaining': true,
      'x-ratelimit-reset': true,
    },
  });

  await app.register(healthRoutes, { pool: deps.pool });
  app.get('/openapi.json', { schema: { hide: true }, config: { rateLimit: false } }, async () =>
    app.swagger(),
  );
  if (config.mode === 'local' && deps.localJwks) {
    const jwks = deps.localJwks;
    app.get(
      '/.well-known/jwks.json',
      { schema: { hide: true }, config: { rateLimit: false } },
      async () => jwks,
    );
  }

  const patients = new PatientRepository(deps.pool);
  const payments = new PaymentRepository(deps.pool);
  const audit = new AuditTrail(deps.pool);
  await app.register(patientRoutes, { prefix: '/v1/patients', patients, audit });
  await app.register(paymentRoutes, {
    prefix: '/v1/payments',
    payments,
    queue: deps.paymentQueue,
    audit,
    amountCap: config.paymentAmountCap,
    amountCaps: config.paymentAmountCaps,
  });
  return app;
}
