import { describe, expect, it } from 'vitest';
import { VerifiedTokenCache } from '../../src/plugins/verified-token-cache.js';

const NOW = 1_800_000_000_000;
const inSeconds = (ms: number) => Math.floor(ms / 1000);

describe('VerifiedTokenCache', () => {
  it('returns what was stored for the same token until the token expires', () => {
    // Prepare
    const cache = new VerifiedTokenCache<string>(60_000);
    cache.set('token-a', 'alice', inSeconds(NOW + 30_000), NOW);

    // Act
    const before = cache.get('token-a', NOW + 29_999);
    const atExpiry = cache.get('token-a', NOW + 30_000);

    // Assess
    expect(before).toBe('alice');
    expect(atExpiry).toBeUndefined();
  });

  it('forgets a long-lived token after its maximum age', () => {
    const cache = new VerifiedTokenCache<string>(60_000);
    cache.set('token-a', 'alice', inSeconds(NOW + 3_600_000), NOW);

    expect(cache.get('token-a', NOW + 59_999)).toBe('alice');
    expect(cache.get('token-a', NOW + 60_000)).toBeUndefined();
  });

  it('never matches a different token string', () => {
    const cache = new VerifiedTokenCache<string>();
    cache.set('header.payload.signature', 'alice', inSeconds(NOW + 30_000), NOW);

    expect(cache.get('header.payload.signaturf', NOW)).toBeUndefined();
    expect(cache.get('header.payload.', NOW)).toBeUndefined();
  });

  it('does not store a token that has already expired', () => {
    const cache = new VerifiedTokenCache<string>();
    cache.set('token-a', 'alice', inSeconds(NOW - 1000), NOW);

    expect(cache.size).toBe(0);
  });

  it('evicts the oldest entry when full', () => {
    const cache = new VerifiedTokenCache<string>(60_000, 2);
    const exp = inSeconds(NOW + 30_000);
    cache.set('token-a', 'alice', exp, NOW);
    cache.set('token-b', 'bob', exp, NOW);

    cache.set('token-c', 'carol', exp, NOW);

    expect(cache.size).toBe(2);
    expect(cache.get('token-a', NOW)).toBeUndefined();
    expect(cache.get('token-c', NOW)).toBe('carol');
  });
});
