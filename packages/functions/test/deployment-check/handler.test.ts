import { afterEach, describe, expect, it, vi } from 'vitest';
import { lifecycleEvent } from './lifecycle-event.js';

describe('the deployment-check Lambda handler', () => {
  afterEach(() => {
    vi.unstubAllEnvs();
    vi.resetModules();
  });

  it('answers FAILED, without throwing or calling anything, when a setting is wrong', async () => {
    // Prepare
    vi.stubEnv('POWERTOOLS_LOG_LEVEL', 'SILENT');
    vi.stubEnv('TEST_BASE_URL', 'http://api.example.com');
    vi.stubEnv('PROBE_KEY_SECRET_ARN', 'arn:aws:secretsmanager:eu-west-1:111111111111:secret:probe-AbCdEf');
    vi.stubEnv('PROBE_AUDIENCE', 'citadel-api');
    vi.stubEnv('PROBE_ISSUER', 'urn:citadel:deployment-check');
    const fetch = vi.spyOn(globalThis, 'fetch');
    const { handler } = await import('../../src/deployment-check/handler.js');

    // Act
    const response = await handler(lifecycleEvent());

    // Assess
    expect(response).toEqual({ hookStatus: 'FAILED' });
    expect(fetch).not.toHaveBeenCalled();
  });
});
