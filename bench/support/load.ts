import { spawn } from 'node:child_process';
import { resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

const WORKER = resolve(fileURLToPath(new URL('.', import.meta.url)), '../load-worker.ts');

export interface LoadSpec {
  readonly url: string;
  readonly scenario: 'health' | 'read-payment' | 'create-payment' | 'mixed';
  readonly connections: number;
  readonly durationSeconds: number;
  /** A request without an answer after this long counts as a timeout. @default 10 */
  readonly timeoutSeconds?: number;
  readonly token?: string;
  readonly paymentId?: string;
  readonly patientId?: string;
}

export interface LoadResult {
  readonly scenario: LoadSpec['scenario'];
  readonly connections: number;
  readonly durationSeconds: number;
  readonly requests: number;
  readonly requestsPerSecond: number;
  readonly latencyMs: {
    readonly p50: number;
    readonly p90: number;
    readonly p99: number;
    readonly max: number;
  };
  readonly statusCodes: Readonly<Record<string, number>>;
  readonly non2xx: number;
  readonly errors: number;
  readonly timeouts: number;
  /** CPU time (user + system) the load generator itself spent. */
  readonly generatorCpuMs: number;
}

export interface RunningLoad {
  readonly pid: number;
  readonly result: Promise<LoadResult>;
}

/** Drives load from a separate process (autocannon), so the load generator does not share the server's event loop. */
export function startLoad(spec: LoadSpec, placement: { readonly cpuList?: string } = {}): RunningLoad {
  const command = [process.execPath, '--import', 'tsx', WORKER, JSON.stringify(spec)];
  const [file, ...args] = placement.cpuList ? ['taskset', '-c', placement.cpuList, ...command] : command;
  const child = spawn(file as string, args, { stdio: ['ignore', 'pipe', 'pipe'] });
  let stdout = '';
  let stderr = '';
  child.stdout.setEncoding('utf8').on('data', (chunk: string) => (stdout += chunk));
  child.stderr.setEncoding('utf8').on('data', (chunk: string) => (stderr += chunk));
  const result = new Promise<LoadResult>((resolveResult, reject) => {
    child.once('error', reject);
    child.once('exit', (code) => {
      const line = stdout.trim().split('\n').at(-1);
      if (code !== 0 || !line) {
        reject(new Error(`load generator exited with ${code}: ${stderr.trim()}`));
        return;
      }
      resolveResult(JSON.parse(line) as LoadResult);
    });
  });
  return { pid: child.pid as number, result };
}

export function runLoad(spec: LoadSpec, placement: { readonly cpuList?: string } = {}): Promise<LoadResult> {
  return startLoad(spec, placement).result;
}
