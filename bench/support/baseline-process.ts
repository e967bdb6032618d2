import { spawn, type ChildProcess } from 'node:child_process';
import { resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import getPort from 'get-port';

const SERVER = resolve(fileURLToPath(new URL('.', import.meta.url)), '../baseline-server.ts');

export interface BaselineProcess {
  readonly child: ChildProcess;
  readonly pid: number;
  readonly url: string;
  stop(): Promise<void>;
}

/** Starts bench/baseline-server.ts as a child process and waits until it answers. */
export async function startBaselineProcess(options: {
  readonly databaseUrl: string;
  readonly poolMax: number;
}): Promise<BaselineProcess> {
  const port = await getPort();
  const child = spawn(process.execPath, ['--import', 'tsx', SERVER], {
    stdio: ['ignore', 'ignore', 'inherit'],
    env: {
      PATH: process.env.PATH ?? '',
      NODE_ENV: 'production',
      DATABASE_URL: options.databaseUrl,
      PORT: String(port),
      DB_POOL_MAX: String(options.poolMax),
    },
  });
  const exited = new Promise<void>((resolveExit) => child.once('exit', () => resolveExit()));
  const url = `http://127.0.0.1:${port}`;
  const deadline = Date.now() + 30_000;
  for (;;) {
    const ok = await fetch(`${url}/health`)
      .then((response) => response.ok)
      .catch(() => false);
    if (ok) break;
    if (child.exitCode !== null || Date.now() > deadline)
      throw new Error('the baseline server did not start');
    await new Promise((wait) => setTimeout(wait, 20));
  }
  return {
    child,
    pid: child.pid as number,
    url,
    stop: async () => {
      child.kill('SIGTERM');
      await exited;
    },
  };
}
