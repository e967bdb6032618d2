import helmet from '@fastify/helmet';
import Fastify from 'fastify';
import { describe, expect, it } from 'vitest';
import { securityHeaders } from '../../src/plugins/security-headers.js';

const OPTIONS = {
  contentSecurityPolicy: { directives: { defaultSrc: ["'none'"], frameAncestors: ["'none'"] } },
  hsts: { maxAge: 63_072_000, includeSubDomains: true, preload: true },
};

async function headersWith(plugin: typeof helmet | typeof securityHeaders, url: string) {
  const app = Fastify();
  await app.register(plugin as typeof securityHeaders, OPTIONS);
  app.get('/', async () => ({ ok: true }));
  const { date: _date, ...headers } = (await app.inject({ method: 'GET', url })).headers;
  await app.close();
  return headers;
}

describe('securityHeaders', () => {
  it.each(['/', '/no-such-route'])('sets exactly the headers @fastify/helmet sets on %s', async (url) => {
    // Prepare
    const expected = await headersWith(helmet, url);

    // Act
    const actual = await headersWith(securityHeaders, url);

    // Assess
    expect(actual).toEqual(expected);
    expect(actual['strict-transport-security']).toBe('max-age=63072000; includeSubDomains; preload');
    expect(actual['content-security-policy']).toContain("default-src 'none'");
  });
});
