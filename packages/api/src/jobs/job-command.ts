import { SQSClient } from '@aws-sdk/client-sqs';
import { createPool, type JobName } from '@citadel/db';
import pino, { type DestinationStream, type Logger } from 'pino';
import { JOB_ENV, JOB_LOG_EVENTS } from '../contract.js';
import { ConfigError } from '../errors.js';
import { REDACTED_PATHS } from '../logging.js';
import { SqsPaymentQueue } from '../payments/sqs-payment-queue.js';
import { readJobEnvironment, type Env } from './job-environment.js';
import { isJobName, JOB_NAMES, MAINTENANCE_JOBS, runSummary } from './maintenance-jobs.js';
import { sendToQueue } from './send-to-queue.js';

export const EXIT_SUCCESS = 0;
export const EXIT_FAILURE = 1;
export const EXIT_USAGE = 2;

/** SendMessageBatch calls in flight at once while the outbox sends a page. */
const OUTBOX_CONCURRENT_SENDS = 4;

export interface JobCommandDependencies {
  /** Where the one JSON log line goes. @default stdout */
  readonly logStream?: DestinationStream;
  /** The SQS client at the AWS boundary. @default a new SQSClient for AWS_REGION */
  readonly sqsClient?: Pick<SQSClient, 'send'>;
}

/**
 * `node jobs.mjs <job-name>`: runs one maintenance job once and returns the exit code: 0
 * when it ran (or another run held the job's lock), 1 when it failed or the environment
 * is wrong, 2 for an unknown job name. Writes exactly one JSON log line.
 */
export async function runJobCommand(
  args: readonly string[],
  env: Env,
  dependencies: JobCommandDependencies = {},
): Promise<number> {
  const log = jobLogger(dependencies.logStream);
  const name = args[0];
  if (args.length !== 1 || !isJobName(name)) {
    log.error({ jobs: JOB_NAMES, usage: 'node jobs.mjs <job-name>' }, 'unknown maintenance job');
    return EXIT_USAGE;
  }
  const started = performance.now();
  const elapsed = () => Math.round(performance.now() - started);
  let timer: NodeJS.Timeout | undefined;
  try {
    const timeoutSeconds = readTimeoutSeconds(env);
    const timedOut = new Promise<never>((_, reject) => {
      if (timeoutSeconds === null) return;
      timer = setTimeout(
        () =>
          reject(new JobTimeoutError(`the run took longer than ${JOB_ENV.timeoutSeconds}=${timeoutSeconds}`)),
        timeoutSeconds * 1000,
      );
      timer.unref();
    });
    const result = await Promise.race([runJob(name, env, dependencies), timedOut]);
    log.info(
      { event: JOB_LOG_EVENTS.succeeded, ...runSummary(result), durationMs: elapsed() },
      'maintenance job finished',
    );
    return EXIT_SUCCESS;
  } catch (error) {
    log.error(
      {
        event: JOB_LOG_EVENTS.failed,
        job: name,
        outcome: error instanceof JobTimeoutError ? 'timed_out' : 'failed',
        durationMs: elapsed(),
        error: safeError(error),
      },
      'maintenance job failed',
    );
    return EXIT_FAILURE;
  } finally {
    clearTimeout(timer);
  }
}

class JobTimeoutError extends Error {
  override readonly name = 'JobTimeoutError';
}

/** JOB_TIMEOUT_SECONDS: unset for no limit, else whole seconds from 1 to one week. */
function readTimeoutSeconds(env: Env): number | null {
  const raw = env[JOB_ENV.timeoutSeconds]?.trim();
  if (raw === undefined || raw === '') return null;
  const seconds = /^\d{1,6}$/.test(raw) ? Number(raw) : Number.NaN;
  if (!(seconds >= 1 && seconds <= 604_800)) {
    throw new ConfigError(
      `invalid configuration: ${JOB_ENV.timeoutSeconds}: ${JSON.stringify(raw.slice(0, 40))} is not whole seconds from 1 to 604800`,
    );
  }
  return seconds;
}

async function runJob(name: JobName, env: Env, dependencies: JobCommandDependencies) {
  const job = MAINTENANCE_JOBS[name];
  const settings = readJobEnvironment(env, job.role, `citadel-job-${name}`);
  if (job.needsQueue && settings.paymentsQueueUrl === null) {
    throw new ConfigError(`invalid configuration: PAYMENTS_QUEUE_URL: not set; the ${name} job sends to it`);
  }
  const queue = settings.paymentsQueueUrl
    ? new SqsPaymentQueue(settings.paymentsQueueUrl, dependencies.sqsClient ?? new SQSClient({}), {
        maxConcurrentSends: OUTBOX_CONCURRENT_SENDS,
      })
    : null;
  const pool = createPool(settings.database);
  try {
    return await job.run(pool, queue ? sendToQueue(queue) : refuseToSend);
  } finally {
    await queue?.drain();
    await pool.end();
  }
}

async function refuseToSend(): Promise<void> {
  throw new ConfigError('this job has no payment queue');
}

function jobLogger(stream?: DestinationStream): Logger {
  return pino(
    {
      level: 'info',
      redact: { paths: REDACTED_PATHS, censor: '[redacted]' },
      base: { service: 'citadel-jobs' },
      timestamp: () => `,"time":"${new Date().toISOString()}"`,
      formatters: { level: (label) => ({ level: label }) },
    },
    stream ?? pino.destination({ dest: 1, sync: true }),
  );
}

/**
 * An error as it may be logged: its class, message and SQLSTATE or AWS error code, and the
 * same for its cause. Never a database error's `detail`, which can quote row values.
 */
function safeError(error: unknown): Record<string, unknown> {
  if (!(error instanceof Error)) return { message: String(error).slice(0, 200) };
  const code = (error as { code?: unknown }).code;
  return {
    type: error.name,
    message: error.message.slice(0, 500),
    ...(typeof code === 'string' ? { code } : {}),
    ...(error.cause !== undefined ? { cause: safeError(error.cause) } : {}),
  };
}
