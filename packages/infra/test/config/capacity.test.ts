import { readFile } from 'node:fs/promises';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import {
  API_ONE_CORE_CAPACITY,
  REQUEST_SCALING_HEADROOM,
  requestsPerTargetFor,
} from '../../config/capacity.js';
import { loadAllEnvironmentConfigs } from '../../config/index.js';

const repositoryRoot = fileURLToPath(new URL('../../../../', import.meta.url));

interface RecordedOneCore {
  readonly measured: boolean;
  readonly routes: ReadonlyArray<{
    readonly scenario: string;
    readonly sustainedRequestsPerSecond: number;
    readonly sustainedAt: { readonly p99Ms: number; readonly non2xx: number; readonly errors: number } | null;
  }>;
}

async function recordedOneCore(): Promise<RecordedOneCore> {
  const results = JSON.parse(await readFile(`${repositoryRoot}${API_ONE_CORE_CAPACITY.results}`, 'utf8')) as {
    oneCore?: RecordedOneCore;
  };
  if (!results.oneCore) throw new Error(`${API_ONE_CORE_CAPACITY.results} holds no one-core measurement`);
  return results.oneCore;
}

describe('request-count scaling target', () => {
  it('uses the one-core figure of the named bench results, from its dearest route', async () => {
    const oneCore = await recordedOneCore();
    expect(oneCore.measured).toBe(true);
    const route = oneCore.routes.find((candidate) => candidate.scenario === API_ONE_CORE_CAPACITY.scenario);
    expect(route?.sustainedRequestsPerSecond).toBe(API_ONE_CORE_CAPACITY.requestsPerSecond);
    expect(route?.sustainedAt?.p99Ms).toBeLessThan(API_ONE_CORE_CAPACITY.p99LimitMs);
    expect(route?.sustainedAt).toMatchObject({ non2xx: 0, errors: 0 });
    // The dearest route: no measured route sustains less.
    const lowest = Math.min(...oneCore.routes.map((candidate) => candidate.sustainedRequestsPerSecond));
    expect(API_ONE_CORE_CAPACITY.requestsPerSecond).toBe(lowest);
  });

  it('is requests per task per minute: measured req/s × vCPUs (at most one) × 60 × headroom', () => {
    const perSecond = API_ONE_CORE_CAPACITY.requestsPerSecond;
    expect(requestsPerTargetFor(1024)).toBe(Math.floor(perSecond * 60 * REQUEST_SCALING_HEADROOM));
    expect(requestsPerTargetFor(512)).toBe(Math.floor(perSecond * 0.5 * 60 * REQUEST_SCALING_HEADROOM));
    // One Node.js process runs JavaScript on one core: a bigger task does not raise it.
    expect(requestsPerTargetFor(2048)).toBe(requestsPerTargetFor(1024));
    expect(REQUEST_SCALING_HEADROOM).toBeGreaterThan(0);
    expect(REQUEST_SCALING_HEADROOM).toBeLessThanOrEqual(0.7);
  });

  it('every environment scales to the target its task size derives', () => {
    for (const config of loadAllEnvironmentConfigs()) {
      expect(config.service.requestsPerTarget, config.name).toBe(requestsPerTargetFor(config.service.cpu));
    }
    const prod = loadAllEnvironmentConfigs().find((config) => config.name === 'prod');
    // prod runs 1-vCPU tasks, the size the benchmark measured.
    expect(prod?.service.cpu).toBe(1024);
  });
});
