import { chmod, mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createPool, migrateToLatest } from '@citadel/db';
import { startEmbeddedPostgres, type RunningPostgres } from '@citadel/db/testing';
import type { FastifyInstance } from 'fastify';
import getPort from 'get-port';
import type pg from 'pg';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { buildApp } from '../../src/app.js';
import { loadConfig } from '../../src/config.js';
import { READY_CACHE_MS } from '../../src/routes/health.js';
import { InProcessPaymentQueue } from '../../src/payments/in-process-payment-queue.js';

/** This file stops and starts its database, so it runs its own cluster rather than the shared one. */
describe('health and readiness', () => {
  let root: string;
  let postgres: RunningPostgres;
  let pool: pg.Pool;
  let app: FastifyInstance;

  beforeAll(async () => {
    root = await mkdtemp(join(tmpdir(), 'citadel-ready-'));
    await chmod(root, 0o755);
    postgres = await startEmbeddedPostgres({ dataDir: join(root, 'data'), port: await getPort() });
    pool = createPool({ kind: 'url', connectionString: postgres.url, connectionTimeoutMs: 1000 });
    const config = loadConfig({
      CITADEL_MODE: 'local',
      DATABASE_URL: postgres.url,
      AUTH_JWKS_URL: 'http://127.0.0.1:9/jwks.json',
      AUTH_ISSUER: 'https://issuer.test',
      AUTH_AUDIENCE: 'citadel-api',
    });
    app = await buildApp({
      config,
      pool,
      paymentQueue: new InProcessPaymentQueue(pool, () => undefined),
      logStream: { write: () => true },
    });
  });
  afterAll(async () => {
    await app.close();
    await pool.end();
    await postgres.stop();
    await rm(root, { recursive: true, force: true });
  });

  const ready = () => app.inject({ method: 'GET', url: '/ready' });
  /** Lets the last readiness answer expire, so the next call asks the database again. */
  const afterCache = () => new Promise((resolve) => setTimeout(resolve, READY_CACHE_MS + 100));

  it('answers /health without touching the database', async () => {
    await postgres.stop();
    try {
      const response = await app.inject({ method: 'GET', url: '/health' });
      expect(response.statusCode).toBe(200);
      expect(response.json()).toEqual({ status: 'ok' });
    } finally {
      await postgres.start();
    }
  });

  it('answers 503 migrations_pending until migrations are applied, then 200', async () => {
    const before = await ready();
    expect(before.statusCode).toBe(503);
    expect(before.json().error.code).toBe('migrations_pending');

    await migrateToLatest(pool);
    await afterCache();

    expect((await ready()).statusCode).toBe(200);
  });

  it('shares one database query between concurrent and repeated calls within a second', async () => {
    await afterCache();
    const query = vi.spyOn(pool, 'query');
    try {
      const concurrent = await Promise.all(Array.from({ length: 25 }, () => ready()));
      const repeated = [await ready(), await ready()];
      const queriesWithinWindow = query.mock.calls.length;
      await afterCache();
      const later = await ready();

      expect([...concurrent, ...repeated].every((response) => response.statusCode === 200)).toBe(true);
      expect(queriesWithinWindow).toBe(1);
      expect(later.statusCode).toBe(200);
      expect(query.mock.calls.length).toBe(2);
    } finally {
      query.mockRestore();
    }
  });

  it('answers 503 within 2 s when the database stops, and 200 again when it returns, without a restart', async () => {
    await postgres.stop();
    await afterCache();
    const started = Date.now();
    const down = await ready();
    const elapsed = Date.now() - started;

    expect(down.statusCode).toBe(503);
    expect(down.json()).toMatchObject({
      error: { code: 'database_unavailable', requestId: expect.any(String) },
    });
    expect(elapsed).toBeLessThan(2000);

    await postgres.start();
    let status = 0;
    const deadline = Date.now() + 5000;
    while (status !== 200 && Date.now() < deadline) {
      status = (await ready()).statusCode;
      if (status !== 200) await new Promise((resolve) => setTimeout(resolve, 100));
    }
    expect(status).toBe(200);
  });
});
