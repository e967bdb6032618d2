import { execFile } from 'node:child_process';
import { cpus } from 'node:os';
import { promisify } from 'node:util';
import { startApiProcess, type ApiProcessOptions } from './api-process.js';
import { listProcesses, measureCpu } from './cpu.js';
import { runLoad, type LoadResult, type LoadSpec } from './load.js';

/** The API's latency bound for a "sustained" rate: p99 under this. */
export const ONE_CORE_P99_LIMIT_MS = 100;
/**
 * Concurrent connections tried in turn (closed loop): throughput rises with them until a
 * core is full. At least 8: the API closes a connection after 1,000 requests
 * (maxRequestsPerSocket) and autocannon, unlike the load balancer, keeps sending on it,
 * which Node answers 503; with 8 or more connections a step stays under that count.
 */
const CONNECTION_STEPS = [8, 16, 24, 32, 48, 64, 96, 128] as const;

export interface OneCoreStep {
  readonly connections: number;
  readonly requestsPerSecond: number;
  readonly p50Ms: number;
  readonly p99Ms: number;
  readonly non2xx: number;
  readonly statusCodes: Readonly<Record<string, number>>;
  readonly errors: number;
  /** CPU time of the API ÷ wall time: 100 % means its one core was full. */
  readonly apiCorePercent: number;
  /** The same for everything else (PostgreSQL, load generator, stand-ins) on the other cores. */
  readonly restPercent: number;
}

export interface OneCoreRoute {
  readonly scenario: LoadSpec['scenario'];
  readonly steps: readonly OneCoreStep[];
  /** The highest requests/s of a step with p99 < ONE_CORE_P99_LIMIT_MS and every answer 2xx. */
  readonly sustainedRequestsPerSecond: number;
  readonly sustainedAt: OneCoreStep | null;
}

export type OneCoreResult =
  | {
      readonly measured: true;
      readonly apiCpus: string;
      readonly otherCpus: string;
      readonly stepSeconds: number;
      readonly routes: readonly OneCoreRoute[];
    }
  | { readonly measured: false; readonly reason: string };

/**
 * The API held to one core, as in a 1-vCPU Fargate task: the API process runs on CPU 0
 * (`taskset`), and PostgreSQL, the load generator and this process (the AWS stand-ins) are
 * moved to the other CPUs, so they neither share nor steal the API's core. For each
 * scenario the load steps up in concurrent connections; the sustained rate is the best
 * throughput whose p99 stays under 100 ms. Linux only (taskset, /proc).
 */
export async function measureOneCore(options: {
  readonly api: ApiProcessOptions;
  readonly postmasterPid: number;
  readonly scenarios: readonly LoadSpec['scenario'][];
  readonly load: Omit<LoadSpec, 'scenario' | 'connections' | 'durationSeconds' | 'url'>;
  readonly stepSeconds: number;
  /** Why the measurement is left out this time; when set, nothing is measured. */
  readonly skip?: string | undefined;
}): Promise<OneCoreResult> {
  const cpuCount = cpus().length;
  if (options.skip) return { measured: false, reason: options.skip };
  if (process.platform !== 'linux') return { measured: false, reason: 'needs Linux (taskset and /proc)' };
  if (cpuCount < 2)
    return { measured: false, reason: 'needs at least 2 CPUs: one for the API, one for the rest' };
  if (!(await hasTaskset())) return { measured: false, reason: 'taskset (util-linux) is not installed' };
  const apiCpus = '0';
  const otherCpus = cpuCount === 2 ? '1' : `1-${cpuCount - 1}`;

  const postgres = (await listProcesses()).filter(
    (candidate) => candidate.pid === options.postmasterPid || candidate.ppid === options.postmasterPid,
  );
  const moved = [process.pid, ...postgres.map((candidate) => candidate.pid)];
  const api = await startApiProcess({ ...options.api, cpuList: apiCpus });
  try {
    // New PostgreSQL backends are forked by the postmaster and inherit its CPUs.
    for (const pid of moved) await pin(pid, otherCpus);
    const routes: OneCoreRoute[] = [];
    for (const scenario of options.scenarios) {
      const steps: OneCoreStep[] = [];
      await runLoad(
        { ...options.load, scenario, url: api.url, connections: 16, durationSeconds: 2 },
        { cpuList: otherCpus },
      );
      for (const connections of CONNECTION_STEPS) {
        const spec = {
          ...options.load,
          scenario,
          url: api.url,
          connections,
          durationSeconds: options.stepSeconds,
        };
        const began = performance.now();
        const rest = process.cpuUsage();
        const { result, cpuMs } = await measureCpu({ api: api.pid, postgres: options.postmasterPid }, () =>
          runLoad(spec, { cpuList: otherCpus }),
        );
        const wallMs = performance.now() - began;
        const own = process.cpuUsage(rest);
        const restMs = (cpuMs.postgres ?? 0) + result.generatorCpuMs + (own.user + own.system) / 1000;
        steps.push(toStep(connections, result, (cpuMs.api ?? 0) / wallMs, restMs / wallMs));
        if (result.latencyMs.p99 >= ONE_CORE_P99_LIMIT_MS * 1.5) break;
      }
      const passing = steps.filter(
        (step) => step.p99Ms < ONE_CORE_P99_LIMIT_MS && step.non2xx === 0 && step.errors === 0,
      );
      const best = passing.reduce<OneCoreStep | null>(
        (top, step) => (top === null || step.requestsPerSecond > top.requestsPerSecond ? step : top),
        null,
      );
      routes.push({
        scenario,
        steps,
        sustainedRequestsPerSecond: best?.requestsPerSecond ?? 0,
        sustainedAt: best,
      });
    }
    return { measured: true, apiCpus, otherCpus, stepSeconds: options.stepSeconds, routes };
  } finally {
    await api.stop();
    const all = cpuCount === 1 ? '0' : `0-${cpuCount - 1}`;
    for (const pid of moved) await pin(pid, all).catch(() => undefined);
  }
}

function toStep(connections: number, result: LoadResult, apiShare: number, restShare: number): OneCoreStep {
  return {
    connections,
    requestsPerSecond: Math.round(result.requestsPerSecond),
    p50Ms: result.latencyMs.p50,
    p99Ms: result.latencyMs.p99,
    non2xx: result.non2xx,
    statusCodes: result.statusCodes,
    errors: result.errors + result.timeouts,
    apiCorePercent: Math.round(apiShare * 100),
    restPercent: Math.round(restShare * 100),
  };
}

async function hasTaskset(): Promise<boolean> {
  return promisify(execFile)('taskset', ['--version']).then(
    () => true,
    () => false,
  );
}

/** Moves every thread of a running process to these CPUs. */
async function pin(pid: number, cpuList: string): Promise<void> {
  await promisify(execFile)('taskset', ['-a', '-p', '-c', cpuList, String(pid)]);
}
