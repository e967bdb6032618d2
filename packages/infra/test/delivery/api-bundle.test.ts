import { execFile, spawn } from 'node:child_process';
import { mkdtemp, rm, stat } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { createTestDatabase, type TestDatabase } from '@citadel/db/testing';
import getPort from 'get-port';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { stagesOf } from './dockerfile-rules.js';
import { readRepoFile, repoPath } from './repo.js';

const run = promisify(execFile);

/** The exec-form esbuild RUN of the Dockerfile's build stage, as an argument list. */
function dockerfileBundleCommand(): string[] {
  const build = stagesOf(readRepoFile('packages/api/Dockerfile'))[0]!;
  const line = build.instructions.find(
    (i) => i.getKeyword() === 'RUN' && i.getTextContent().includes('esbuild'),
  )!;
  return JSON.parse(line.getTextContent().replace(/^RUN\s+/, '')) as string[];
}

/** Starts a bundle outside the repository (no node_modules to fall back on) and collects its output. */
function startBundle(dir: string, env: Record<string, string>, entry: string[] = ['server.mjs']) {
  const [file, ...args] = entry;
  const child = spawn(process.execPath, [join(dir, file!), ...args], {
    cwd: dir,
    env: { PATH: process.env.PATH ?? '', ...env },
  });
  let output = '';
  child.stdout.on('data', (chunk: Buffer) => (output += chunk.toString()));
  child.stderr.on('data', (chunk: Buffer) => (output += chunk.toString()));
  const exited = new Promise<number | null>((resolve) => child.on('exit', (code) => resolve(code)));
  return { child, exited, output: () => output };
}

describe('API and jobs bundles built with the Dockerfile esbuild command', () => {
  let dir: string;
  let database: TestDatabase;

  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'citadel-api-bundle-'));
    const [command, ...args] = dockerfileBundleCommand();
    const outdir = args.findIndex((a) => a.startsWith('--outdir='));
    args[outdir] = `--outdir=${dir}`;
    await run(repoPath(command!), args, { cwd: repoPath('.') });
    database = await createTestDatabase();
  }, 120_000);

  afterAll(async () => {
    await database?.drop();
    await rm(dir, { recursive: true, force: true });
  });

  it('is one self-contained file under 10 MB', async () => {
    const { size } = await stat(join(dir, 'server.mjs'));
    console.log(`API bundle: ${(size / 1024 / 1024).toFixed(2)} MB`);
    expect(size).toBeLessThan(10 * 1024 * 1024);
    await run(process.execPath, ['--check', join(dir, 'server.mjs')]);
  });

  it('bundles the jobs entry as one self-contained file under 10 MB beside the server', async () => {
    const { size } = await stat(join(dir, 'jobs.mjs'));
    console.log(`jobs bundle: ${(size / 1024 / 1024).toFixed(2)} MB`);
    expect(size).toBeLessThan(10 * 1024 * 1024);
    await run(process.execPath, ['--check', join(dir, 'jobs.mjs')]);
  });

  it('exits 2 with the list of jobs when the jobs bundle is given an unknown job', async () => {
    const jobs = startBundle(dir, {}, ['jobs.mjs', 'no-such-job']);

    const code = await jobs.exited;

    expect(code).toBe(2);
    expect(JSON.parse(jobs.output())).toMatchObject({ jobs: ['idempotency-retention', 'payment-outbox'] });
  });

  it('runs the retention job against a real database with nothing but the jobs bundle', async () => {
    const jobs = startBundle(dir, { DATABASE_URL: database.retentionUrl }, [
      'jobs.mjs',
      'idempotency-retention',
    ]);

    const code = await jobs.exited;

    expect(code, jobs.output()).toBe(0);
    expect(jobs.output()).not.toMatch(/ERR_MODULE_NOT_FOUND|Cannot find (package|module)/);
    expect(JSON.parse(jobs.output())).toMatchObject({ job: 'idempotency-retention', outcome: 'success' });
  });

  it('fails with the configuration error and exit code 78 when the environment is empty', async () => {
    const server = startBundle(dir, {});

    const code = await server.exited;

    expect(code).toBe(78);
    expect(server.output()).toContain('citadel-api: invalid configuration');
    expect(server.output()).not.toMatch(/ERR_MODULE_NOT_FOUND|Cannot find (package|module)/);
  });

  it('serves /health against a real database with nothing but the bundle', async () => {
    const port = await getPort();
    const server = startBundle(dir, {
      DATABASE_URL: database.appUrl,
      HOST: '127.0.0.1',
      PORT: String(port),
      AUTH_JWKS_URL: 'https://idp.internal/.well-known/jwks.json',
      AUTH_ISSUER: 'https://auth.example.com/',
      AUTH_AUDIENCE: 'citadel-api',
      PAYMENTS_QUEUE_URL: 'https://sqs.eu-west-1.amazonaws.com/111111111111/citadel-payments',
      AWS_REGION: 'eu-west-1',
    });
    try {
      let response: Response | undefined;
      for (let attempt = 0; attempt < 100 && !response; attempt++) {
        response = await fetch(`http://127.0.0.1:${port}/health`).catch(() => undefined);
        if (!response) await new Promise((resolve) => setTimeout(resolve, 100));
      }

      expect(response?.status, server.output()).toBe(200);
      expect(await response!.json()).toEqual({ status: 'ok' });
    } finally {
      server.child.kill('SIGTERM');
      await server.exited;
    }
  });
});
