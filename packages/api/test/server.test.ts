import { spawn, type ChildProcess } from 'node:child_process';
import { once } from 'node:events';
import { connect } from 'node:net';
import { fileURLToPath } from 'node:url';
import getPort from 'get-port';
import pg from 'pg';
import { createTestDatabase, type TestDatabase } from '@citadel/db/testing';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { MAX_REQUESTS_PER_SOCKET } from '../src/run-server.js';
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

interface TrickleResult {
  readonly closed: boolean;
  readonly elapsedMs: number;
  readonly response: string;
}

/**
 * Opens a raw connection, sends `head`, then one byte of `trickle` every `intervalMs`, and
 * reports whether the server closed the connection within `giveUpAfterMs`.
 */
async function trickle(
  port: number,
  head: string,
  trickle: string,
  intervalMs: number,
  giveUpAfterMs: number,
): Promise<TrickleResult> {
  const socket = connect(port, '127.0.0.1');
  await once(socket, 'connect');
  const started = Date.now();
  let response = '';
  socket.on('data', (chunk) => (response += chunk));
  socket.on('error', () => undefined);
  socket.write(head);
  let sent = 0;
  const timer = setInterval(() => {
    if (!socket.destroyed && sent < trickle.length) socket.write(trickle[sent++] as string);
  }, intervalMs);
  const closed = await Promise.race([
    once(socket, 'close').then(() => true),
    new Promise<boolean>((resolve) => setTimeout(() => resolve(false), giveUpAfterMs)),
  ]);
  const elapsedMs = Date.now() - started;
  clearInterval(timer);
  socket.destroy();
  return { closed, elapsedMs, response };
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

  describe('with slow clients', () => {
    const REQUEST_TIMEOUT_MS = 3000;
    const HEADERS_TIMEOUT_MS = 2000;
    let port: number;
    let server: ChildProcess;
    beforeAll(async () => {
      port = await getPort();
      server = startServer({
        CITADEL_MODE: 'local',
        DATABASE_URL: database.appUrl,
        PORT: String(port),
        AUTH_JWKS_URL: issuer.jwksUrl,
        AUTH_ISSUER: TEST_ISSUER,
        AUTH_AUDIENCE: TEST_AUDIENCE,
        HTTP_REQUEST_TIMEOUT_MS: String(REQUEST_TIMEOUT_MS),
        HTTP_HEADERS_TIMEOUT_MS: String(HEADERS_TIMEOUT_MS),
      }).child;
      await waitForReady(`http://127.0.0.1:${port}`);
    });
    afterAll(async () => {
      server.kill('SIGTERM');
      await once(server, 'exit');
    });

    it('closes a connection that trickles its body one byte every 2 s within the request timeout + 5 s', async () => {
      const token = await issuer.token({ scopes: ['patients:write'] });
      const body = JSON.stringify({ name: 'Slow Client', dateOfBirth: '1980-01-01' }).padEnd(200, ' ');
      const head =
        'POST /v1/patients HTTP/1.1\r\nHost: localhost\r\nContent-Type: application/json\r\n' +
        `Authorization: Bearer ${token}\r\nContent-Length: ${body.length}\r\n\r\n`;

      const result = await trickle(port, head, body, 2000, REQUEST_TIMEOUT_MS + 6000);

      expect(result.closed, result.response).toBe(true);
      expect(result.elapsedMs).toBeLessThanOrEqual(REQUEST_TIMEOUT_MS + 5000);
      expect(result.elapsedMs).toBeGreaterThanOrEqual(REQUEST_TIMEOUT_MS - 100);
      // Node answers 408 before closing; a byte the client sends after the close can reset the
      // connection before that answer is read, so only a success is ruled out.
      expect(result.response).not.toMatch(/HTTP\/1\.1 2\d\d/);
    }, 20_000);

    it('closes a connection that trickles its headers one byte a second within the headers timeout + 5 s', async () => {
      const head = 'GET /health HTTP/1.1\r\nHost: localhost\r\n';
      const headers = `X-Slow: ${'a'.repeat(60)}\r\n\r\n`;

      const result = await trickle(port, head, headers, 1000, HEADERS_TIMEOUT_MS + 6000);

      expect(result.closed, result.response).toBe(true);
      expect(result.elapsedMs).toBeLessThanOrEqual(HEADERS_TIMEOUT_MS + 5000);
      // Node answers 408 before closing; a byte the client sends after the close can reset the
      // connection before that answer is read, so only a success is ruled out.
      expect(result.response).not.toMatch(/HTTP\/1\.1 2\d\d/);
    }, 20_000);

    it(`ends keep-alive after ${MAX_REQUESTS_PER_SOCKET} requests on one connection`, async () => {
      const socket = connect(port, '127.0.0.1');
      await once(socket, 'connect');
      let response = '';
      const statuses = () => [...response.matchAll(/HTTP\/1\.1 (\d{3})/g)].map((match) => match[1]);
      const allAnswered = new Promise<void>((resolve) =>
        socket.on('data', (chunk) => {
          response += chunk;
          if (statuses().length > MAX_REQUESTS_PER_SOCKET) resolve();
        }),
      );
      const request = 'GET /health HTTP/1.1\r\nHost: localhost\r\n\r\n';

      socket.write(request.repeat(MAX_REQUESTS_PER_SOCKET + 1));
      await allAnswered;
      socket.destroy();

      expect(
        statuses()
          .slice(0, MAX_REQUESTS_PER_SOCKET)
          .every((status) => status === '200'),
      ).toBe(true);
      expect(statuses()[MAX_REQUESTS_PER_SOCKET]).toBe('503');
      expect(response.toLowerCase()).toContain('connection: close');
    }, 20_000);

    it('still serves a client that sends its request promptly', async () => {
      const response = await fetch(`http://127.0.0.1:${port}/health`);

      expect(response.status).toBe(200);
    });
  });
});
