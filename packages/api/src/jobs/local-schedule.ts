import { createPool, type JobName, type SendPayments } from '@citadel/db';
import type { Logger } from 'pino';
import { JOB_NAMES, MAINTENANCE_JOBS, runSummary } from './maintenance-jobs.js';

/** How often local mode runs each job: the schedule the platform uses in AWS. */
export const LOCAL_JOB_INTERVALS_MS: Readonly<Record<JobName, number>> = {
  'idempotency-retention': 60 * 60 * 1000,
  'payment-outbox': 60 * 1000,
};

export interface LocalJobScheduleOptions {
  /** The URL each job signs in with, as its own role where the database has it. */
  readonly databaseUrls: Readonly<Record<JobName, string>>;
  /** Where the outbox sends payment ids: the in-process queue in local mode. */
  readonly send: SendPayments;
  /** Receives one line per run. */
  readonly log: Pick<Logger, 'info' | 'error'>;
  /** @default LOCAL_JOB_INTERVALS_MS */
  readonly intervalsMs?: Readonly<Record<JobName, number>>;
}

export interface LocalJobSchedule {
  /** Stops the timers, waits for runs in progress and closes the jobs' pools. */
  stop(): Promise<void>;
}

/**
 * `npm start`: runs every maintenance job on a timer inside the API process, each on its
 * own pool. A tick that finds the previous run of the same job still going is skipped.
 */
export function startLocalJobSchedule(options: LocalJobScheduleOptions): LocalJobSchedule {
  const intervals = options.intervalsMs ?? LOCAL_JOB_INTERVALS_MS;
  const running = new Set<Promise<void>>();
  const stops = JOB_NAMES.map((name) => {
    const job = MAINTENANCE_JOBS[name];
    const pool = createPool({
      kind: 'url',
      connectionString: options.databaseUrls[name],
      max: 2,
      statementTimeoutMs: 30_000,
      applicationName: `citadel-job-${name}`,
    });
    let current: Promise<void> | undefined;
    const tick = () => {
      if (current) return;
      const started = performance.now();
      const durationMs = () => Math.round(performance.now() - started);
      const run = job.run(pool, options.send).then(
        (result) =>
          options.log.info({ ...runSummary(result), durationMs: durationMs() }, 'maintenance job finished'),
        (error: unknown) =>
          options.log.error(
            {
              job: name,
              outcome: 'failed',
              durationMs: durationMs(),
              error: { type: (error as Error)?.name },
            },
            'maintenance job failed',
          ),
      );
      current = run.finally(() => {
        current = undefined;
        running.delete(run);
      });
      running.add(run);
    };
    const timer = setInterval(tick, intervals[name]);
    timer.unref();
    return async () => {
      clearInterval(timer);
      await current;
      await pool.end();
    };
  });
  let stopping: Promise<void> | undefined;
  return {
    stop: () => (stopping ??= Promise.all(stops.map((stop) => stop())).then(() => undefined)),
  };
}
