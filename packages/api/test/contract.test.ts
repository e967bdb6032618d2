import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  API_ENV,
  API_ENV_REQUIRED_IN_AWS,
  API_HEALTH_PATH,
  API_KEY_SOURCE_ENV,
  API_LOG_EVENT_MEANINGS,
  API_LOG_EVENTS,
  API_READINESS_PATH,
} from '../src/contract.js';
import { loadConfig } from '../src/config.js';
import { ConfigError } from '../src/errors.js';
import { startTestApp, type TestApp } from './support/test-app.js';

const SOURCE = fileURLToPath(new URL('../src/', import.meta.url));
/** Development tooling and scheduled jobs keep their own names; the contract covers the service. */
const OUTSIDE_THE_SERVICE = ['local/', 'jobs/'];

function serviceSources(): { path: string; text: string }[] {
  return readdirSync(SOURCE, { recursive: true, encoding: 'utf8' })
    .filter((path) => path.endsWith('.ts'))
    .filter((path) => !OUTSIDE_THE_SERVICE.some((prefix) => path.startsWith(prefix)))
    .map((path) => ({ path, text: readFileSync(join(SOURCE, path), 'utf8') }));
}

const MINIMAL_AWS: Record<string, string> = {
  AWS_REGION: 'eu-west-1',
  DB_HOST: 'citadel.abcdefghijkl.eu-west-1.rds.amazonaws.com',
  DB_CA_BUNDLE_PATH: '/etc/ssl/certs/rds-global-bundle.pem',
  AUTH_ISSUER: 'https://login.example.com/',
  AUTH_AUDIENCE: 'citadel-api',
  PAYMENTS_QUEUE_URL: 'https://sqs.eu-west-1.amazonaws.com/111111111111/citadel-payments',
  AUTH_JWKS_PARAMETER: '/citadel/prod/auth/jwks',
};

describe('the API contract', () => {
  it('imports nothing, so the infrastructure loads it without the service', () => {
    const text = readFileSync(join(SOURCE, 'contract.ts'), 'utf8');

    expect(text).not.toMatch(/^\s*import\s/m);
    expect(text).not.toMatch(/\bimport\(|\brequire\(/);
  });

  it('spells no log event name outside the contract', () => {
    const literals = serviceSources()
      .filter(({ path }) => path !== 'contract.ts')
      .flatMap(({ path, text }) => [...text.matchAll(/\bevent:\s*['"`]/g)].map(() => path));

    expect(literals).toEqual([]);
  });

  it.each(Object.keys(API_LOG_EVENTS))('logs the event %s somewhere in the service', (key) => {
    const users = serviceSources().filter(({ text }) => text.includes(`API_LOG_EVENTS.${key}`));

    expect(users).not.toEqual([]);
  });

  it('gives every log event a one-line meaning', () => {
    for (const name of Object.values(API_LOG_EVENTS)) {
      expect(API_LOG_EVENT_MEANINGS[name]).toMatch(/^[^\n]{20,}$/);
    }
  });

  it('reads no environment variable outside the contract', () => {
    const readers = serviceSources().filter(({ text }) => /process\.env\.|env\[['"`]/.test(text));

    expect(readers.map(({ path }) => path)).toEqual([]);
  });

  it('starts in aws mode from the required variables and one key source, and from nothing less', () => {
    expect(loadConfig(MINIMAL_AWS).mode).toBe('aws');
    expect(Object.keys(MINIMAL_AWS).sort()).toEqual(
      [...API_ENV_REQUIRED_IN_AWS, API_KEY_SOURCE_ENV[0]].sort(),
    );
    for (const name of Object.keys(MINIMAL_AWS)) {
      const { [name]: _left, ...rest } = MINIMAL_AWS;
      expect(() => loadConfig(rest), `without ${name}`).toThrow(ConfigError);
      expect(() => loadConfig(rest), `without ${name}`).toThrow(
        name === API_ENV.jwksParameter ? API_ENV.jwksUrl : name,
      );
    }
  });
});

describe('the API on the contract paths and log events', () => {
  let testApp: TestApp;

  beforeAll(async () => {
    testApp = await startTestApp();
  });
  afterAll(async () => {
    await testApp?.close();
  });

  it('answers liveness and readiness on the contract paths', async () => {
    const health = await testApp.app.inject({ method: 'GET', url: API_HEALTH_PATH });
    const ready = await testApp.app.inject({ method: 'GET', url: API_READINESS_PATH });

    expect([health.statusCode, health.json()]).toEqual([200, { status: 'ok' }]);
    expect([ready.statusCode, ready.json()]).toEqual([200, { status: 'ready' }]);
  });

  it('writes a refused token as a JSON line whose event field is the contract name', async () => {
    const response = await testApp.app.inject({
      method: 'GET',
      url: '/v1/patients',
      headers: { authorization: 'Bearer not.a.token' },
    });

    expect(response.statusCode).toBe(401);
    const events = testApp.logs.map((line) => (JSON.parse(line) as { event?: unknown }).event);
    expect(events).toContain(API_LOG_EVENTS.authFailed);
  });
});
