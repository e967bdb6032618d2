import { createLocalJWKSet } from 'jose';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildApp } from '../src/app.js';
import { loadConfig } from '../src/config.js';
import { startTestApp, type TestApp } from './support/test-app.js';

describe('OpenAPI and docs', () => {
  let t: TestApp;
  beforeAll(async () => {
    t = await startTestApp();
  });
  afterAll(() => t.close());

  it('describes every versioned route, its security and the error shape at /openapi.json', async () => {
    const response = await t.app.inject({ method: 'GET', url: '/openapi.json' });

    expect(response.statusCode).toBe(200);
    const document = response.json();
    expect(document.openapi).toMatch(/^3\./);
    expect(Object.keys(document.paths).sort()).toEqual(
      ['/v1/patients/', '/v1/patients/{id}', '/v1/payments/', '/v1/payments/{id}'].sort(),
    );
    expect(document.paths['/v1/payments/'].post.security).toEqual([{ bearer: ['payments:write'] }]);
    expect(document.components.schemas).toHaveProperty('ErrorResponse');
  });

  it('serves interactive docs in local mode', async () => {
    const response = await t.app.inject({ method: 'GET', url: '/docs/' });

    expect(response.statusCode).toBe(200);
  });

  it('serves no interactive docs outside local mode', async () => {
    const config = loadConfig({
      CITADEL_MODE: 'aws',
      DATABASE_URL: t.database.appUrl,
      AUTH_JWKS_URL: 'https://idp.internal/.well-known/jwks.json',
      AUTH_ISSUER: 'https://issuer.example/',
      AUTH_AUDIENCE: 'citadel-api',
      PAYMENTS_QUEUE_URL: 'https://sqs.eu-west-1.amazonaws.com/111111111111/payments',
    });
    const app = await buildApp({
      config,
      pool: t.pool,
      paymentQueue: t.queue,
      keys: createLocalJWKSet({ keys: [] }),
      logStream: { write: () => true },
    });
    try {
      const docs = await app.inject({ method: 'GET', url: '/docs/' });
      const jwks = await app.inject({ method: 'GET', url: '/.well-known/jwks.json' });

      expect(docs.statusCode).toBe(404);
      expect(jwks.statusCode).toBe(404);
      expect(docs.headers['content-security-policy']).toContain("default-src 'none'");
    } finally {
      await app.close();
    }
  });
});
