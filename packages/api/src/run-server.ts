import { createPool } from '@citadel/db';
import closeWithGrace from 'close-with-grace';
import type { FastifyInstance } from 'fastify';
import type pg from 'pg';
import pino from 'pino';
import { buildApp, type AppDependencies } from './app.js';
import type { Config } from './config.js';
import { InProcessPaymentQueue } from './payments/in-process-payment-queue.js';
import type { PaymentQueue } from './payments/payment-queue.js';
import { SqsPaymentQueue } from './payments/sqs-payment-queue.js';

/** Graceful shutdown must finish within this; the orchestrator's stop timeout is longer (30 s on ECS). */
export const SHUTDOWN_DEADLINE_MS = 9_000;
/** How often open connections are checked against the request and headers timeouts. */
export const CONNECTIONS_CHECK_INTERVAL_MS = 2_000;
/** Requests served on one connection before it is closed, so load spreads again across tasks. */
export const MAX_REQUESTS_PER_SOCKET = 1_000;
/**
 * Idle keep-alive connections are kept longer than the load balancer's idle timeout (60 s), so
 * the load balancer always closes first: a target that closes an idle connection the load
 * balancer is about to reuse answers that request with a 502.
 */
export const KEEP_ALIVE_TIMEOUT_MS = 65_000;

export interface RunningServer {
  readonly app: FastifyInstance;
  readonly url: string;
  /** Where new payments are sent: SQS in AWS, the in-process processor in local mode. */
  readonly paymentQueue: PaymentQueue;
  /** Stops accepting, lets in-flight requests finish, drains in-process payments, closes the pool. */
  close(): Promise<void>;
}

export interface RunServerOptions extends Partial<Omit<AppDependencies, 'config' | 'pool' | 'paymentQueue'>> {
  /** Install SIGTERM/SIGINT handlers that close gracefully and exit. @default true */
  readonly handleSignals?: boolean;
  /** Called after the server closed on a signal, before the process exits. */
  readonly onSignalClose?: () => Promise<void>;
  /**
   * Local mode: the URL the in-process payment processor logs in with, as its own
   * database role, the way the deployed processor does.
   * @default - the API's own connection (only right when that user may settle payments)
   */
  readonly processorDatabaseUrl?: string;
  /** Called first when the server closes, while the payment queue still accepts work. */
  readonly beforeClose?: () => Promise<void>;
}

export async function runServer(config: Config, options: RunServerOptions = {}): Promise<RunningServer> {
  // Logs go to stdout without blocking the event loop; close() flushes what is buffered.
  const stdout = options.logStream ? undefined : pino.destination({ dest: 1, sync: false });
  const logStream = options.logStream ?? stdout;
  const pool = createDatabasePool(config);
  const processorPool =
    options.processorDatabaseUrl && !config.paymentsQueueUrl
      ? createPool({
          kind: 'url',
          connectionString: options.processorDatabaseUrl,
          max: 4,
          applicationName: 'citadel-payment-processor',
        })
      : undefined;
  const endPools = () => Promise.all([pool.end(), processorPool?.end()]);
  let paymentQueue: PaymentQueue;
  let app: FastifyInstance;
  try {
    paymentQueue = config.paymentsQueueUrl
      ? new SqsPaymentQueue(config.paymentsQueueUrl)
      : new InProcessPaymentQueue(processorPool ?? pool, (error, paymentId) =>
          app.log.error({ err: error, paymentId }, 'in-process payment processing failed'),
        );
    app = await buildApp({ ...options, config, pool, paymentQueue, ...(logStream ? { logStream } : {}) });
    cutOffSlowClients(app, config);
    await app.listen({ host: config.host, port: config.port });
  } catch (error) {
    await endPools();
    throw error;
  }

  let closing: Promise<void> | undefined;
  const close = () =>
    (closing ??= (async () => {
      await options.beforeClose?.();
      await app.close();
      await paymentQueue.drain();
      await endPools();
      stdout?.flushSync();
    })());

  if (options.handleSignals ?? true) {
    closeWithGrace({ delay: SHUTDOWN_DEADLINE_MS, logger: false }, async ({ signal, err }) => {
      if (err) app.log.error({ err }, 'closing after an unexpected error');
      else app.log.info({ signal }, 'shutting down');
      await close();
      await options.onSignalClose?.();
    });
  }
  const address = app.server.address();
  const port = typeof address === 'object' && address ? address.port : config.port;
  return {
    app,
    url: `http://${config.host === '0.0.0.0' ? '127.0.0.1' : config.host}:${port}`,
    paymentQueue,
    close,
  };
}

/**
 * A client that trickles its headers or body is closed once the request has taken longer
 * than the timeout (Node answers 408); the checks run every few seconds rather than Node's
 * default 30 s, so the cut-off is close to the configured time. Applied before `listen`,
 * which starts the connection checks.
 */
function cutOffSlowClients(
  app: FastifyInstance,
  config: Pick<Config, 'requestTimeoutMs' | 'headersTimeoutMs'>,
): void {
  // Node reads connectionsCheckingInterval when listening starts; @types/node lists it only as an option.
  const server = app.server as FastifyInstance['server'] & { connectionsCheckingInterval: number };
  server.requestTimeout = config.requestTimeoutMs;
  server.headersTimeout = Math.min(config.headersTimeoutMs, config.requestTimeoutMs);
  server.connectionsCheckingInterval = CONNECTIONS_CHECK_INTERVAL_MS;
  server.maxRequestsPerSocket = MAX_REQUESTS_PER_SOCKET;
  server.keepAliveTimeout = KEEP_ALIVE_TIMEOUT_MS;
}

function createDatabasePool(config: Config): pg.Pool {
  const common = { max: config.databasePoolMax, applicationName: 'citadel-api' };
  const { database } = config;
  return database.auth === 'url'
    ? createPool({ kind: 'url', connectionString: database.url, ...common })
    : createPool({
        kind: 'iam',
        hostname: database.host,
        port: database.port,
        database: database.name,
        username: database.user,
        region: database.region,
        caBundlePath: database.caBundlePath,
        ...common,
      });
}
