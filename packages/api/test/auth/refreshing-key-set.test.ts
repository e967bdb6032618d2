import { exportJWK, generateKeyPair, type JSONWebKeySet } from 'jose';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { RefreshingKeySet } from '../../src/auth/refreshing-key-set.js';

async function keys(...kids: string[]): Promise<JSONWebKeySet> {
  return {
    keys: await Promise.all(
      kids.map(async (kid) => ({
        ...(await exportJWK((await generateKeyPair('ES256')).publicKey)),
        kid,
        alg: 'ES256',
      })),
    ),
  };
}

describe('RefreshingKeySet', () => {
  afterEach(() => {
    vi.useRealTimers();
  });

  it('reloads the keys on its timer and stops when told', async () => {
    // Prepare
    vi.useFakeTimers({ toFake: ['setInterval', 'clearInterval'] });
    const sets = [await keys('a'), await keys('b')];
    const load = vi.fn(async () => sets[Math.min(load.mock.calls.length - 1, 1)] as JSONWebKeySet);
    const loaded: (readonly string[])[] = [];
    const keySet = new RefreshingKeySet({
      load,
      refreshIntervalMs: 300_000,
      onRefreshed: (kids) => loaded.push(kids),
    });
    await keySet.start();

    // Act
    await vi.advanceTimersByTimeAsync(300_000);
    keySet.stop();
    await vi.advanceTimersByTimeAsync(900_000);

    // Assess
    expect(loaded).toEqual([['a'], ['b']]);
    expect(load).toHaveBeenCalledTimes(2);
  });

  it('shares one load between refreshes asked for at the same time', async () => {
    // Prepare
    const load = vi.fn(async () => keys('a'));
    const keySet = new RefreshingKeySet({ load });
    await keySet.start();

    // Act
    const results = await Promise.all([keySet.refresh(), keySet.refresh(), keySet.refresh()]);
    keySet.stop();

    // Assess
    expect(results).toEqual([true, true, true]);
    expect(load).toHaveBeenCalledTimes(2);
  });

  it('fails to start when the first load fails', async () => {
    // Prepare
    const keySet = new RefreshingKeySet({ load: async () => Promise.reject(new Error('no endpoint')) });

    // Act
    const start = keySet.start();

    // Assess
    await expect(start).rejects.toThrow('no endpoint');
  });
});
