import { spawn, execFile } from 'node:child_process';
import { chmod, mkdtemp, readFile, rm } from 'node:fs/promises';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import getPort from 'get-port';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

const run = promisify(execFile);
const ROOT = new URL('..', import.meta.url).pathname;

/** The shell blocks of the README's walkthrough, in order. */
async function walkthroughBlocks(): Promise<string[]> {
  const readme = await readFile(join(ROOT, 'README.md'), 'utf8');
  const section = readme.split(/^## /m).find((part) => part.startsWith('Walkthrough'));
  if (!section) throw new Error('README.md has no Walkthrough section');
  return [...section.matchAll(/```sh\n([\s\S]*?)```/g)].map((match) => match[1] as string);
}

async function portIsFree(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const server = createServer().once('error', () => resolve(false));
    server.listen(port, '127.0.0.1', () => server.close(() => resolve(true)));
  });
}

describe('README walkthrough', () => {
  let dataDir: string;
  let server: ReturnType<typeof spawn>;
  let output = '';

  beforeAll(async () => {
    if (!(await portIsFree(8080)))
      throw new Error('port 8080 is busy: stop the other `npm start` to run this test');
    dataDir = await mkdtemp(join(tmpdir(), 'citadel-readme-'));
    await chmod(dataDir, 0o755);
    server = spawn('npm', ['start'], {
      cwd: ROOT,
      env: { ...process.env, CITADEL_DATA_DIR: dataDir, CITADEL_PG_PORT: String(await getPort()) },
      stdio: ['ignore', 'pipe', 'pipe'],
      detached: true,
    });
    server.stdout?.on('data', (chunk) => (output += chunk));
    server.stderr?.on('data', (chunk) => (output += chunk));
    const deadline = Date.now() + 60_000;
    while (
      !(await fetch('http://127.0.0.1:8080/ready').then(
        (r) => r.ok,
        () => false,
      ))
    ) {
      if (Date.now() > deadline) throw new Error(`npm start was not ready within 60 s:\n${output}`);
      await new Promise((resolve) => setTimeout(resolve, 200));
    }
  }, 90_000);

  afterAll(async () => {
    if (server?.pid) process.kill(-server.pid, 'SIGINT');
    await new Promise((resolve) => server?.once('exit', resolve));
    await rm(dataDir, { recursive: true, force: true });
  }, 30_000);

  it('creates a patient, pays, and reads back a settled payment, exactly as written', async () => {
    const blocks = await walkthroughBlocks();
    expect(blocks).toHaveLength(3);

    const { stdout } = await run('bash', ['-euo', 'pipefail', '-c', blocks.join('\n')], {
      cwd: ROOT,
      env: { ...process.env, CITADEL_DATA_DIR: dataDir },
    });

    const payment = JSON.parse(stdout);
    expect(payment).toMatchObject({
      status: 'settled',
      amount: 12500,
      currency: 'EUR',
      description: 'Consultation',
    });
  }, 60_000);
});
