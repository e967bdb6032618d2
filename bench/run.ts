import { mkdir, mkdtemp, writeFile } from 'node:fs/promises';
import { cpus, loadavg, totalmem, tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { startApiProcess, type ApiProcess } from './support/api-process.js';
import { startBaselineProcess } from './support/baseline-process.js';
import { runLoad, type LoadResult, type LoadSpec } from './support/load.js';
import { measureCpu } from './support/cpu.js';
import { measureOneCore, ONE_CORE_P99_LIMIT_MS } from './support/one-core.js';
import { startPrivatePostgres } from './support/postgres.js';
import { ALL_SCOPES, seedThroughApi } from './support/seed.js';
import { startLoopbackServices } from './support/loopback-services.js';
import { createTokenIssuer } from './support/token-issuer.js';

/**
 * `npm run bench`: the API (production bundle, NODE_ENV=production, info logs to a file)
 * and a bare node:http + pg baseline running the same SQL, each driven in turn by
 * autocannon from a separate process over loopback. Prints one table and writes the
 * figures to bench/results/. BENCH_ROUND_SECONDS sets the length of one round (default 3);
 * BENCH_ONE_CORE=0 leaves out the one-core measurement (for comparing two versions of the code).
 */
const CONNECTIONS = 64;
const POOL_MAX = 20;
const ROUND_SECONDS = Number(process.env.BENCH_ROUND_SECONDS ?? 3);
const ROUNDS = 3;
const WARMUP_SECONDS = 3;
const START_SAMPLES = 3;
const ONE_CORE_STEP_SECONDS = 3;
const ALL_ROUTES: readonly { scenario: LoadSpec['scenario']; label: string }[] = [
  { scenario: 'health', label: 'GET /health' },
  { scenario: 'read-payment', label: 'GET /v1/payments/:id' },
  { scenario: 'create-payment', label: 'POST /v1/payments' },
];
/** BENCH_ROUTES=read-payment,create-payment runs only those scenarios. */
const ROUTES = selectRoutes(process.env.BENCH_ROUTES);
const resultsDir = resolve(fileURLToPath(new URL('.', import.meta.url)), 'results');

const began = Date.now();
const loadBefore = loadavg();
const workDir = await mkdtemp(join(tmpdir(), 'citadel-bench-'));
const postgres = await startPrivatePostgres();
const issuer = await createTokenIssuer();
const services = await startLoopbackServices(issuer.jwks);
const cleanup: (() => Promise<unknown>)[] = [() => postgres.destroy(), () => services.close()];

try {
  const apiOptions = {
    databaseUrl: postgres.appUrl,
    services,
    logFile: join(workDir, 'api.log'),
    env: {
      RATE_LIMIT_PER_MINUTE: '1000000',
      DB_POOL_MAX: String(POOL_MAX),
      ...(process.env.BENCH_LOG_LEVEL ? { LOG_LEVEL: process.env.BENCH_LOG_LEVEL } : {}),
    },
  };
  const startToReadyMs: number[] = [];
  let api: ApiProcess | undefined;
  for (let sample = 0; sample < START_SAMPLES; sample += 1) {
    await api?.stop();
    api = await startApiProcess(apiOptions);
    startToReadyMs.push(Math.round(api.startToReadyMs));
  }
  if (!api) throw new Error('the API did not start');
  const running = api;
  cleanup.unshift(() => running.stop());
  const baseline = await startBaselineProcess({ databaseUrl: postgres.appUrl, poolMax: POOL_MAX });
  cleanup.unshift(() => baseline.stop());

  const token = await issuer.mint({ subject: 'bench-client', scopes: ALL_SCOPES });
  const seeded = await seedThroughApi(running.url, token);

  const rows: RouteResult[] = [];
  for (const route of ROUTES) {
    const spec = { scenario: route.scenario, connections: CONNECTIONS, token, ...seeded };
    await runLoad({ ...spec, url: running.url, durationSeconds: WARMUP_SECONDS });
    await runLoad({ ...spec, url: baseline.url, durationSeconds: WARMUP_SECONDS });
    const ours: MeasuredRound[] = [];
    const floor: MeasuredRound[] = [];
    // Alternating short rounds, so a burst of load from elsewhere on the machine hits both sides.
    for (let round = 0; round < ROUNDS; round += 1) {
      ours.push(await measuredRound({ ...spec, url: running.url }, running.pid));
      floor.push(await measuredRound({ ...spec, url: baseline.url }, baseline.pid));
    }
    const api = summarize(ours.map((round) => round.load));
    const base = summarize(floor.map((round) => round.load));
    rows.push({
      label: route.label,
      api,
      baseline: base,
      ratio: api.requestsPerSecond / base.requestsPerSecond,
      cpuMsPerRequest: { api: cpuPerRequest(ours), baseline: cpuPerRequest(floor) },
      rounds: { api: ours, baseline: floor },
    });
  }

  // One core, as in a 1-vCPU task: the figure the production scaling target is derived from.
  const oneCore = await measureOneCore({
    skip: process.env.BENCH_ONE_CORE === '0' ? 'BENCH_ONE_CORE=0' : undefined,
    api: { ...apiOptions, logFile: join(workDir, 'api-one-core.log') },
    postmasterPid: await postgres.postmasterPid(),
    scenarios: ROUTES.map((route) => route.scenario).filter((scenario) => scenario !== 'health'),
    load: { token, ...seeded },
    stepSeconds: ONE_CORE_STEP_SECONDS,
  });

  const machine = {
    cpus: cpus().length,
    model: cpus()[0]?.model ?? 'unknown',
    memoryGiB: Math.round(totalmem() / 2 ** 30),
    node: process.version,
    loadAverageBefore: loadBefore.map((value) => Number(value.toFixed(2))),
    loadAverageAfter: loadavg().map((value) => Number(value.toFixed(2))),
  };
  const report = {
    date: new Date().toISOString(),
    machine,
    settings: {
      connections: CONNECTIONS,
      rounds: ROUNDS,
      roundSeconds: ROUND_SECONDS,
      warmupSeconds: WARMUP_SECONDS,
      poolMax: POOL_MAX,
    },
    startToReadyMs,
    routes: rows,
    oneCore,
    wallSeconds: Math.round((Date.now() - began) / 1000),
  };
  await mkdir(resultsDir, { recursive: true });
  const file = join(resultsDir, `bench-${report.date.replaceAll(':', '-').replace(/\.\d+Z$/, 'Z')}.json`);
  await writeFile(file, `${JSON.stringify(report, null, 2)}\n`);

  const line = (cells: (string | number)[]) => `| ${cells.join(' | ')} |`;
  console.log(
    `\n${machine.cpus} × ${machine.model}, ${machine.memoryGiB} GiB, Node ${machine.node}; load ${machine.loadAverageBefore.join(' ')} → ${machine.loadAverageAfter.join(' ')}`,
  );
  console.log(
    `${CONNECTIONS} connections; per route ${WARMUP_SECONDS} s warm-up each, then ${ROUNDS} alternating rounds of ${ROUND_SECONDS} s (medians)\n`,
  );
  console.log(
    line([
      'route',
      'API req/s',
      'API p50 ms',
      'API p99 ms',
      'baseline req/s',
      'baseline p50 ms',
      'baseline p99 ms',
      'API ÷ baseline',
      'API non-2xx/errors',
    ]),
  );
  console.log(line(['---', '---:', '---:', '---:', '---:', '---:', '---:', '---:', '---:']));
  for (const row of rows) {
    console.log(
      line([
        row.label,
        Math.round(row.api.requestsPerSecond),
        row.api.latencyMs.p50,
        row.api.latencyMs.p99,
        Math.round(row.baseline.requestsPerSecond),
        row.baseline.latencyMs.p50,
        row.baseline.latencyMs.p99,
        row.ratio.toFixed(2),
        `${row.api.non2xx}/${row.api.errors + row.api.timeouts}`,
      ]),
    );
  }
  console.log(
    '\nCPU time per request, ms (user + system, all rounds): server / PostgreSQL / load generator / stand-ins',
  );
  for (const row of rows) {
    const cells = (cpu: CpuPerRequest) =>
      `${cpu.server.toFixed(2)} / ${cpu.postgres.toFixed(2)} / ${cpu.generator.toFixed(2)} / ${cpu.standIns.toFixed(2)}`;
    const sends = row.rounds.api.reduce((total, round) => total + round.queue.sends, 0);
    const messages = row.rounds.api.reduce((total, round) => total + round.queue.messages, 0);
    const batching = sends > 0 ? `; ${(messages / sends).toFixed(1)} messages per SQS request` : '';
    console.log(
      `${row.label}: API ${cells(row.cpuMsPerRequest.api)}; baseline ${cells(row.cpuMsPerRequest.baseline)}${batching}`,
    );
  }
  if (oneCore.measured) {
    console.log(
      `\nAPI held to CPU ${oneCore.apiCpus} (PostgreSQL, load generator and stand-ins on CPU ${oneCore.otherCpus}); ${oneCore.stepSeconds} s per step`,
    );
    console.log(
      line([
        'route',
        'connections',
        'req/s',
        'p50 ms',
        'p99 ms',
        'API core busy',
        'others busy',
        'non-2xx/errors',
      ]),
    );
    console.log(line(['---', '---:', '---:', '---:', '---:', '---:', '---:', '---:']));
    for (const route of oneCore.routes) {
      for (const step of route.steps) {
        console.log(
          line([
            route.scenario,
            step.connections,
            step.requestsPerSecond,
            step.p50Ms,
            step.p99Ms,
            `${step.apiCorePercent} %`,
            `${step.restPercent} %`,
            `${step.non2xx}/${step.errors}`,
          ]),
        );
      }
      console.log(
        `${route.scenario}: sustained ${route.sustainedRequestsPerSecond} req/s with p99 < ${ONE_CORE_P99_LIMIT_MS} ms`,
      );
    }
  } else {
    console.log(`\none-core measurement skipped: ${oneCore.reason}`);
  }
  console.log(`\nAPI start to ready (database running): ${startToReadyMs.join(', ')} ms`);
  console.log(`results: ${file}\nAPI log: ${apiOptions.logFile}\ntotal ${report.wallSeconds} s`);
} finally {
  for (const step of cleanup) await step().catch((error: unknown) => console.error(error));
}

function selectRoutes(names: string | undefined): typeof ALL_ROUTES {
  if (!names) return ALL_ROUTES;
  const wanted = names.split(',').map((name) => name.trim());
  const unknown = wanted.filter((name) => !ALL_ROUTES.some((route) => route.scenario === name));
  if (unknown.length > 0) {
    throw new Error(
      `BENCH_ROUTES names unknown scenarios: ${unknown.join(', ')} (known: ${ALL_ROUTES.map((route) => route.scenario).join(', ')})`,
    );
  }
  return ALL_ROUTES.filter((route) => wanted.includes(route.scenario));
}

interface RouteResult {
  readonly label: string;
  readonly api: LoadResult;
  readonly baseline: LoadResult;
  readonly ratio: number;
  readonly cpuMsPerRequest: { readonly api: CpuPerRequest; readonly baseline: CpuPerRequest };
  readonly rounds: { readonly api: readonly MeasuredRound[]; readonly baseline: readonly MeasuredRound[] };
}

/** CPU time per request of each process on the machine, so the cost of each side is visible, not only its throughput. */
interface CpuPerRequest {
  /** The API or the baseline server process. */
  readonly server: number;
  /** The postmaster and all of its backends. */
  readonly postgres: number;
  readonly generator: number;
  /** This process: the loopback JWKS and SQS stand-ins (only the API calls them). */
  readonly standIns: number;
}

interface MeasuredRound {
  readonly load: LoadResult;
  /** SQS requests the API made in the round, and the messages they carried. */
  readonly queue: { readonly sends: number; readonly messages: number };
  readonly cpuMs: Omit<CpuPerRequest, 'generator'>;
}

async function measuredRound(
  spec: Omit<LoadSpec, 'durationSeconds'>,
  serverPid: number,
): Promise<MeasuredRound> {
  const ownBefore = process.cpuUsage();
  const sendsBefore = services.queueRequests();
  const messagesBefore = services.queuedPaymentIds.length;
  const { result, cpuMs } = await measureCpu(
    { server: serverPid, postgres: await postgres.postmasterPid() },
    () => runLoad({ ...spec, durationSeconds: ROUND_SECONDS }),
  );
  const own = process.cpuUsage(ownBefore);
  return {
    load: result,
    queue: {
      sends: services.queueRequests() - sendsBefore,
      messages: services.queuedPaymentIds.length - messagesBefore,
    },
    cpuMs: {
      server: cpuMs.server ?? 0,
      postgres: cpuMs.postgres ?? 0,
      standIns: (own.user + own.system) / 1000,
    },
  };
}

function cpuPerRequest(rounds: readonly MeasuredRound[]): CpuPerRequest {
  const requests = rounds.reduce((total, round) => total + round.load.requests, 0) || 1;
  const per = (pick: (round: MeasuredRound) => number) =>
    Number((rounds.reduce((total, round) => total + pick(round), 0) / requests).toFixed(3));
  return {
    server: per((round) => round.cpuMs.server),
    postgres: per((round) => round.cpuMs.postgres),
    generator: per((round) => round.load.generatorCpuMs),
    standIns: per((round) => round.cpuMs.standIns),
  };
}

/** Median of each figure across rounds; counts of requests, statuses and errors are summed. */
function summarize(rounds: readonly LoadResult[]): LoadResult {
  const median = (pick: (round: LoadResult) => number) => {
    const values = rounds.map(pick).sort((a, b) => a - b);
    return values[Math.floor(values.length / 2)] ?? 0;
  };
  const sum = (pick: (round: LoadResult) => number) =>
    rounds.reduce((total, round) => total + pick(round), 0);
  const statusCodes: Record<string, number> = {};
  for (const round of rounds) {
    for (const [code, count] of Object.entries(round.statusCodes))
      statusCodes[code] = (statusCodes[code] ?? 0) + count;
  }
  const first = rounds[0] as LoadResult;
  return {
    scenario: first.scenario,
    connections: first.connections,
    durationSeconds: sum((round) => round.durationSeconds),
    requests: sum((round) => round.requests),
    requestsPerSecond: median((round) => round.requestsPerSecond),
    latencyMs: {
      p50: median((round) => round.latencyMs.p50),
      p90: median((round) => round.latencyMs.p90),
      p99: median((round) => round.latencyMs.p99),
      max: Math.max(...rounds.map((round) => round.latencyMs.max)),
    },
    statusCodes,
    non2xx: sum((round) => round.non2xx),
    errors: sum((round) => round.errors),
    timeouts: sum((round) => round.timeouts),
    generatorCpuMs: sum((round) => round.generatorCpuMs),
  };
}
