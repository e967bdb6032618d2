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

/** Starts the bundle outside the repository (no node_modules to fall back on) and collects its output. */
function startBundle(dir: string, env: Record<string, string>) {
  const child = spawn(process.execPath, [join(dir, 'server.mjs')], {
    cwd: dir,
    env: { PATH: process.env.PATH ?? '', ...env },
  });
  let output = '';
  child.stdout.on('data', (chunk: Buffer) => (output += chunk.toString()));
  child.stderr.on('data', (chunk: Buffer) => (output += chunk.toString()));
  const exited = new Promise<number | null>((resolve) => child.on('exit', (code) => resolve(code)));
  return { child, exited, output: () => output };
}

describe('API bundle built with the Dockerfile esbuild command', () => {
  let dir: string;
  let database: TestDatabase;

  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'citadel-api-bundle-'));
    const [command, ...args] = dockerfileBundleCommand();
    const outfile = args.findIndex((a) => a.startsWith('--outfile='));
    args[outfile] = `--outfile=${join(dir, 'server.mjs')}`;
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
