import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { residentSetBytes } from '../../bench/support/api-process.js';
import {
  LOAD_SUBJECT,
  startFaultEnvironment,
  type FaultEnvironment,
} from '../../bench/support/fault-environment.js';
import { startLoad } from '../../bench/support/load.js';
import { createPayment, startPolling, startRecordingLoad } from '../../bench/support/recording-client.js';
import type { Seeded } from '../../bench/support/seed.js';

/**
 * The API as a child process (the production bundle, NODE_ENV=production) against its own
 * PostgreSQL cluster, under load, while the database stops, the process is killed, or it
 * is told to shut down. `npm test` runs the short form; `npm run test:faults`
 * (CITADEL_FAULTS=full) the full one: a 10 s outage and 60 s of mixed load.
 */
const FULL = process.env.CITADEL_FAULTS === 'full';
const OUTAGE_MS = FULL ? 10_000 : 6_000;
const MIXED_WARMUP_SECONDS = FULL ? 15 : 4;
const MIXED_SECONDS = FULL ? 60 : 10;
const WRITE_LOAD_MS = FULL ? 5_000 : 2_000;

const sleep = (ms: number) => new Promise((wait) => setTimeout(wait, ms));
const report = (figures: Record<string, unknown>) => console.log(JSON.stringify(figures));

describe('the API under faults', () => {
  let env: FaultEnvironment;
  let seeded: Seeded;

  beforeAll(async () => {
    env = await startFaultEnvironment();
    const api = await env.startApi();
    seeded = await env.seed(api);
    await api.stop();
  });
  afterAll(() => env?.destroy());

  const loadOptions = (url: string) => ({ url, token: env.token, ...seeded });

  it(
    'answers 503 while the database is down and recovers by itself when it returns',
    { timeout: 120_000 },
    async () => {
      // Prepare
      const api = await env.startApi();
      const ready = startPolling(`${api.url}/ready`, 100);
      const load = startRecordingLoad({ ...loadOptions(api.url), concurrency: 16, mix: 'mixed' });
      await sleep(1_500);

      // Act
      const stopping = performance.now();
      await env.postgres.cluster.stop();
      const stopped = performance.now();
      await sleep(OUTAGE_MS);
      await env.postgres.cluster.start();
      const back = performance.now();
      await sleep(5_000);
      const records = await load.stop();
      await ready.stop();
      const exit = api.child.exitCode;
      await api.stop();

      // Assess
      const firstNotReady = ready.samples.find((sample) => sample.at > stopping && sample.status === 503);
      const firstReadyAgain = ready.samples.find((sample) => sample.at > back && sample.status === 200);
      const firstSuccessAgain = records.find(
        (record) => record.startedAt > back && record.status < 300 && record.status > 0,
      );
      const duringOutage = records.filter((record) => record.endedAt > stopped && record.startedAt < back);
      const statuses = countBy(records.map((record) => record.status));
      const slowestMs = Math.max(...records.map((record) => record.endedAt - record.startedAt));
      report({
        fault: 'database stopped',
        outageMs: Math.round(back - stopped),
        databaseStopMs: Math.round(stopped - stopping),
        readyWent503AfterStopCommandMs: firstNotReady && Math.round(firstNotReady.at - stopping),
        readyBack200AfterMs: firstReadyAgain && Math.round(firstReadyAgain.at - back),
        firstSuccessAfterReturnMs: firstSuccessAgain && Math.round(firstSuccessAgain.endedAt - back),
        requests: records.length,
        statuses,
        slowestMs: Math.round(slowestMs),
      });
      expect(exit).toBeNull();
      expect(firstNotReady!.at - stopped).toBeLessThanOrEqual(2_000);
      expect(duringOutage.filter((record) => record.status === 503).length).toBeGreaterThan(0);
      expect(Object.keys(statuses).sort()).toEqual(expect.arrayContaining(['503']));
      expect(
        records.filter((record) => record.status !== 503 && (record.status >= 300 || record.status === 0)),
      ).toEqual([]);
      expect(slowestMs).toBeLessThan(5_000);
      expect(firstReadyAgain!.at - back).toBeLessThanOrEqual(5_000);
      expect(firstSuccessAgain!.endedAt - back).toBeLessThanOrEqual(5_000);
    },
  );

  it(
    'keeps every acknowledged payment exactly once when killed with SIGKILL under write load',
    { timeout: 120_000 },
    async () => {
      // Prepare
      const first = await env.startApi();
      const load = startRecordingLoad({ ...loadOptions(first.url), concurrency: 16, mix: 'create' });
      await sleep(WRITE_LOAD_MS);

      // Act
      const killed = await first.stop('SIGKILL');
      await sleep(200);
      const records = (await load.stop()).filter((record) => record.kind === 'create');
      const restarted = await env.startApi({ port: first.port });
      const unanswered = records.filter((record) => record.status !== 201);
      const retries = await Promise.all(
        unanswered.map((record) => createPayment(loadOptions(restarted.url), record.key as string)),
      );
      await restarted.stop();

      // Assess
      const acknowledged = records.filter((record) => record.status === 201);
      const stored = await env.query<{ id: string; key: string; payments: string }>(
        `SELECT k.payment_id AS id, k.key, (SELECT count(*) FROM payments p WHERE p.id = k.payment_id) AS payments
         FROM idempotency_keys k WHERE k.principal = $1`,
        [LOAD_SUBJECT],
      );
      const [{ count: paymentRows } = { count: '0' }] = await env.query<{ count: string }>(
        `SELECT count(*) FROM payments WHERE created_by = $1`,
        [LOAD_SUBJECT],
      );
      const byKey = new Map(stored.map((row) => [row.key, row]));
      report({
        fault: 'SIGKILL under write load',
        signal: killed.signal,
        creates: records.length,
        acknowledged: acknowledged.length,
        unansweredThenRetried: unanswered.length,
        retryStatuses: countBy(retries.map((record) => record.status)),
        paymentRows: Number(paymentRows),
        idempotencyKeys: stored.length,
      });
      expect(killed.signal).toBe('SIGKILL');
      expect(acknowledged.length).toBeGreaterThan(0);
      for (const record of acknowledged) {
        expect(byKey.get(record.key as string)).toMatchObject({ id: record.paymentId, payments: '1' });
      }
      expect(retries.every((record) => record.status === 201)).toBe(true);
      for (const record of retries) expect(byKey.get(record.key as string)?.id).toBe(record.paymentId);
      expect(Number(paymentRows)).toBe(stored.length);
      expect(new Set(stored.map((row) => row.id)).size).toBe(stored.length);
    },
  );

  it(
    `serves ${MIXED_SECONDS} s of mixed load at 100 connections with no errors and RSS growth under 20 %`,
    { timeout: 180_000 },
    async () => {
      // Prepare
      const api = await env.startApi();
      const spec = {
        ...loadOptions(api.url),
        scenario: 'mixed' as const,
        connections: 100,
        timeoutSeconds: 10,
      };
      const rssAtStart = await residentSetBytes(api.pid);
      await startLoad({ ...spec, durationSeconds: MIXED_WARMUP_SECONDS }).result;
      const rssAfterWarmup = await residentSetBytes(api.pid);

      // Act
      const load = startLoad({ ...spec, durationSeconds: MIXED_SECONDS });
      const samples: number[] = [];
      const sampler = setInterval(
        () => void residentSetBytes(api.pid).then((bytes) => samples.push(bytes)),
        1000,
      );
      const result = await load.result;
      clearInterval(sampler);
      const rssAtEnd = await residentSetBytes(api.pid);
      await api.stop();

      // Assess
      // Growth is the trend across the measured run, median of its first seconds against
      // median of its last, so a garbage-collection cycle caught at one instant does not decide.
      const window = Math.max(1, Math.min(5, Math.floor(samples.length / 3)));
      const early = median(samples.slice(0, window));
      const late = median(samples.slice(-window));
      const growth = (late - early) / early;
      const peak = Math.max(rssAtEnd, ...samples);
      const mib = (bytes: number) => Math.round(bytes / 2 ** 20);
      report({
        fault: 'mixed load, 100 connections',
        seconds: MIXED_SECONDS,
        warmupSeconds: MIXED_WARMUP_SECONDS,
        requests: result.requests,
        requestsPerSecond: Math.round(result.requestsPerSecond),
        p99Ms: result.latencyMs.p99,
        statusCodes: result.statusCodes,
        errors: result.errors,
        timeouts: result.timeouts,
        rssMiB: {
          idle: mib(rssAtStart),
          afterWarmup: mib(rssAfterWarmup),
          early: mib(early),
          late: mib(late),
          peak: mib(peak),
          end: mib(rssAtEnd),
        },
        rssGrowthPercent: Number((growth * 100).toFixed(1)),
        rssEvery5sMiB: samples.filter((_, index) => index % 5 === 4).map(mib),
      });
      expect(result.requests).toBeGreaterThan(0);
      expect({ non2xx: result.non2xx, errors: result.errors, timeouts: result.timeouts }).toEqual({
        non2xx: 0,
        errors: 0,
        timeouts: 0,
      });
      expect(growth).toBeLessThan(0.2);
    },
  );

  it('finishes in-flight requests and exits 0 on SIGTERM under load', { timeout: 60_000 }, async () => {
    // Prepare
    const logFile = join(env.logDir, 'sigterm.log');
    const api = await env.startApi({ logFile });
    const load = startRecordingLoad({ ...loadOptions(api.url), concurrency: 32, mix: 'mixed' });
    await sleep(1_500);

    // Act
    const exit = await api.stop('SIGTERM');
    const records = await load.stop();

    // Assess
    const lines = (await readFile(logFile, 'utf8'))
      .split('\n')
      .filter((line) => line.startsWith('{'))
      .map((line) => JSON.parse(line) as { msg: string; clientRequestId?: string });
    const shutdownAt = lines.findIndex((line) => line.msg === 'shutting down');
    const acceptedBeforeSignal = new Set(
      lines
        .slice(0, shutdownAt)
        .flatMap((line) =>
          line.msg === 'incoming request' && line.clientRequestId ? [line.clientRequestId] : [],
        ),
    );
    const completedBeforeSignal = new Set(
      lines
        .slice(0, shutdownAt)
        .flatMap((line) =>
          line.msg === 'request completed' && line.clientRequestId ? [line.clientRequestId] : [],
        ),
    );
    const inFlight = records.filter(
      (record) => acceptedBeforeSignal.has(record.requestId) && !completedBeforeSignal.has(record.requestId),
    );
    report({
      fault: 'SIGTERM under load',
      exit,
      requests: records.length,
      inFlightAtSignal: inFlight.length,
      inFlightStatuses: countBy(inFlight.map((record) => record.status)),
      afterSignalStatuses: countBy(
        records
          .filter((record) => !acceptedBeforeSignal.has(record.requestId))
          .map((record) => record.status),
      ),
    });
    expect(exit).toEqual({ code: 0, signal: null });
    expect(shutdownAt).toBeGreaterThan(0);
    expect(inFlight.length).toBeGreaterThan(0);
    expect(inFlight.filter((record) => record.status < 200 || record.status >= 300)).toEqual([]);
  });
});

function median(values: readonly number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.floor(sorted.length / 2)] ?? 0;
}

function countBy(values: readonly number[]): Record<string, number> {
  const counts: Record<string, number> = {};
  for (const value of values) counts[String(value)] = (counts[String(value)] ?? 0) + 1;
  return counts;
}
