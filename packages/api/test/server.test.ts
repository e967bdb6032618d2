import { spawn, type ChildProcess } from 'node:child_process';
import { once } from 'node:events';
import { fileURLToPath } from 'node:url';
import getPort from 'get-port';
import pg from 'pg';
import { createTestDatabase, type TestDatabase } from '@citadel/db/testing';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { TEST_AUDIENCE, TEST_ISSUER, TokenIssuer } from './support/token-issuer.js';

const SERVER_ENTRY = fileURLToPath(new URL('../src/server.ts', import.meta.url));

function startServer(env: Record<string, string>): { child: ChildProcess; output: () => string } {
  let output = '';
  const child = spawn(process.execPath, ['--import', 'tsx', SERVER_ENTRY], {
    env: { PATH: process.env.PATH, ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  child.stdout?.on('data', (chunk) => (output += chunk));
  child.stderr?.on('data', (chunk) => (output += chunk));
  return { child, output: () => output };
}

async function waitForReady(url: string, timeoutMs = 20_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    const status = await fetch(`${url}/ready`).then(
      (response) => response.status,
      () => 0,
    );
    if (status === 200) return;
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
  throw new Error(`${url} was not ready within ${timeoutMs} ms`);
}

describe('server process', () => {
  let database: TestDatabase;
  let issuer: TokenIssuer;
  beforeAll(async () => {
    database = await createTestDatabase();
    issuer = await TokenIssuer.start();
  });
  afterAll(async () => {
    await issuer.stop();
    await database.drop();
  });

  it('stops start-up with a message naming the bad variable', async () => {
    const { child, output } = startServer({
      CITADEL_MODE: 'local',
      DATABASE_URL: database.appUrl,
      PORT: 'http',
    });

    const [code] = await once(child, 'exit');

    expect(code).toBe(78);
    expect(output()).toMatch(/PORT: 'http' is not an integer/);
    expect(output()).toMatch(/AUTH_JWKS_URL: required but not set/);
  });

  it('lets an in-flight request finish on SIGTERM, then exits 0', async () => {
    const port = await getPort();
    const { child, output } = startServer({
      CITADEL_MODE: 'local',
      DATABASE_URL: database.appUrl,
      PORT: String(port),
      AUTH_JWKS_URL: issuer.jwksUrl,
      AUTH_ISSUER: TEST_ISSUER,
      AUTH_AUDIENCE: TEST_AUDIENCE,
    });
    const url = `http://127.0.0.1:${port}`;
    await waitForReady(url);
    // Hold a lock that the list query must wait for: a real slow request, no test-only endpoint.
    const blocker = new pg.Client({ connectionString: database.adminUrl });
    await blocker.connect();
    await blocker.query('BEGIN');
    await blocker.query('LOCK TABLE patients IN ACCESS EXCLUSIVE MODE');
    const token = await issuer.token({ scopes: ['patients:read'] });
    const slow = fetch(`${url}/v1/patients`, { headers: { authorization: `Bearer ${token}` } });
    await new Promise((resolve) => setTimeout(resolve, 300));

    child.kill('SIGTERM');
    await new Promise((resolve) => setTimeout(resolve, 700));
    const refused = await fetch(`${url}/health`).then(
      (response) => response.status,
      () => 'refused',
    );
    await blocker.query('COMMIT');
    await blocker.end();
    const response = await slow;
    const [code] = await once(child, 'exit');

    expect(response.status, output()).toBe(200);
    expect(code, output()).toBe(0);
    expect(refused).not.toBe(200);
    expect(code).toBe(0);
    expect(output()).toContain('shutting down');
  });
});
