import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtemp, open, readFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { build } from 'esbuild';
import getPort from 'get-port';
import type { LoopbackServices } from './loopback-services.js';
import { AUDIENCE, ISSUER } from './token-issuer.js';

const repositoryRoot = resolve(fileURLToPath(new URL('.', import.meta.url)), '../..');
const SERVER_ENTRY = join(repositoryRoot, 'packages/api/src/server.ts');

let bundle: Promise<string> | undefined;

/**
 * Bundles the production entry (packages/api/src/server.ts) with the options of the image
 * build (packages/api/Dockerfile), once per process, so what runs here is what runs in
 * the container. The target is Node 20, this machine's runtime, instead of Node 22.
 */
export function apiBundle(): Promise<string> {
  bundle ??= (async () => {
    const outfile = join(await mkdtemp(join(tmpdir(), 'citadel-api-bundle-')), 'server.mjs');
    await build({
      entryPoints: [SERVER_ENTRY],
      bundle: true,
      platform: 'node',
      target: 'node20',
      format: 'esm',
      mainFields: ['module', 'main'],
      legalComments: 'external',
      external: ['@fastify/swagger-ui'],
      banner: {
        js: "import { createRequire } from 'node:module'; const require = createRequire(import.meta.url);",
      },
      outfile,
      logLevel: 'error',
    });
    return outfile;
  })();
  return bundle;
}

export interface ApiProcessOptions {
  readonly databaseUrl: string;
  readonly services: LoopbackServices;
  /** JSON log lines (stdout and stderr) are appended here. */
  readonly logFile: string;
  /** @default - a free port */
  readonly port?: number;
  /** Extra environment, e.g. RATE_LIMIT_PER_MINUTE or DB_POOL_MAX. */
  readonly env?: Readonly<Record<string, string>>;
  /** Extra node flags, e.g. --cpu-prof. */
  readonly nodeFlags?: readonly string[];
  /** Runs the API on these CPUs only (`taskset -c`, Linux), e.g. '0' for one core as in a 1-vCPU task. */
  readonly cpuList?: string;
}

export interface ExitStatus {
  readonly code: number | null;
  readonly signal: NodeJS.Signals | null;
}

export interface ApiProcess {
  readonly child: ChildProcess;
  readonly pid: number;
  readonly url: string;
  readonly port: number;
  /** From spawn to the first 200 from /ready. */
  readonly startToReadyMs: number;
  readonly exited: Promise<ExitStatus>;
  /** Sends the signal (default SIGTERM) and waits for the exit. */
  stop(signal?: NodeJS.Signals): Promise<ExitStatus>;
}

/**
 * Starts the bundled API as a child process the way the container runs it: `node
 * server.mjs`, NODE_ENV=production, CITADEL_MODE=aws, JSON logs at info (to a file here).
 * What differs from AWS: the database is on loopback with a password instead of IAM and
 * TLS, and the JWKS and SQS endpoints are loopback stand-ins trusted via NODE_EXTRA_CA_CERTS.
 */
export async function startApiProcess(options: ApiProcessOptions): Promise<ApiProcess> {
  const entry = await apiBundle();
  const port = options.port ?? (await getPort());
  const log = await open(options.logFile, 'a');
  const started = performance.now();
  const command = [process.execPath, ...(options.nodeFlags ?? []), entry];
  // taskset execs the command in its own process, so the child's pid is the API's.
  const [file, ...args] = options.cpuList ? ['taskset', '-c', options.cpuList, ...command] : command;
  const child = spawn(file as string, args, {
    cwd: repositoryRoot,
    stdio: ['ignore', log.fd, log.fd],
    env: {
      PATH: process.env.PATH ?? '',
      NODE_ENV: 'production',
      NODE_EXTRA_CA_CERTS: options.services.caFile,
      CITADEL_MODE: 'aws',
      HOST: '127.0.0.1',
      PORT: String(port),
      DATABASE_URL: options.databaseUrl,
      AUTH_JWKS_URL: options.services.jwksUrl,
      AUTH_ISSUER: ISSUER,
      AUTH_AUDIENCE: AUDIENCE,
      PAYMENTS_QUEUE_URL: options.services.queueUrl,
      AWS_REGION: 'eu-west-1',
      // The SQS endpoint the queue URL names, as in AWS (the SDK warns on every send otherwise).
      AWS_ENDPOINT_URL_SQS: new URL(options.services.queueUrl).origin,
      // The SDK signs requests; the stand-in queue does not check the signature.
      AWS_ACCESS_KEY_ID: 'bench-placeholder',
      AWS_SECRET_ACCESS_KEY: 'bench-placeholder',
      LOG_LEVEL: 'info',
      ...options.env,
    },
  });
  await log.close();
  const exited = new Promise<ExitStatus>((resolveExit) =>
    child.once('exit', (code, signal) => resolveExit({ code, signal })),
  );
  const url = `http://127.0.0.1:${port}`;
  let hasExited = false;
  void exited.then(() => (hasExited = true));
  while (!(await isReady(url))) {
    if (hasExited) throw new Error(`the API exited before it was ready; see ${options.logFile}`);
    if (performance.now() - started > 30_000) {
      child.kill('SIGKILL');
      throw new Error(`the API was not ready within 30 s; see ${options.logFile}`);
    }
    await new Promise((wait) => setTimeout(wait, 5));
  }
  const startToReadyMs = performance.now() - started;
  return {
    child,
    pid: child.pid as number,
    url,
    port,
    startToReadyMs,
    exited,
    stop: async (signal = 'SIGTERM') => {
      if (child.exitCode === null && child.signalCode === null) child.kill(signal);
      return exited;
    },
  };
}

async function isReady(url: string): Promise<boolean> {
  try {
    const response = await fetch(`${url}/ready`, { signal: AbortSignal.timeout(1000) });
    await response.arrayBuffer();
    return response.status === 200;
  } catch {
    return false;
  }
}

/** Resident set size of a process in bytes, from /proc (Linux). */
export async function residentSetBytes(pid: number): Promise<number> {
  const status = await readFile(`/proc/${pid}/status`, 'utf8');
  const kib = /VmRSS:\s+(\d+) kB/.exec(status)?.[1];
  if (!kib) throw new Error(`no VmRSS for process ${pid}`);
  return Number(kib) * 1024;
}
