import fc from 'fast-check';
import { describe, expect, it, vi } from 'vitest';
import { createDeploymentCheck } from '../../src/deployment-check/check-handler.js';
import { parseLifecycleHookEvent } from '../../src/deployment-check/hook-event.js';
import { deploymentCheckSettingsFromEnvironment } from '../../src/deployment-check/settings.js';
import { FakeSecrets } from '../fake-secrets.js';
import { silentLogger } from '../silent-logger.js';
import { CURRENT_REVISION_ARN, lifecycleEvent, TARGET_REVISION_ARN, withDetails } from './lifecycle-event.js';

const SETTINGS = deploymentCheckSettingsFromEnvironment({
  TEST_BASE_URL: 'https://api.example.com:9443',
  PROBE_KEY_SECRET_ARN: 'arn:aws:secretsmanager:eu-west-1:111111111111:secret:citadel/probe-key-AbCdEf',
  PROBE_AUDIENCE: 'citadel-api',
  PROBE_ISSUER: 'urn:citadel:deployment-check',
});

function checkWithoutNetwork() {
  const fetch = vi.fn(async () => new Response(null, { status: 200 }));
  const logger = silentLogger('deployment-check');
  const errors = vi.spyOn(logger, 'error');
  const check = createDeploymentCheck({ settings: SETTINGS, secrets: new FakeSecrets({}), logger, fetch });
  const reasons = () => errors.mock.calls.map((call) => (call[1] as { reason: string }).reason);
  return { check, fetch, reasons };
}

const DEEP = (() => {
  let value: unknown = {};
  for (let depth = 0; depth < 10_000; depth += 1) value = { executionDetails: value };
  return value;
})();

describe('lifecycle hook events', () => {
  it('reads the event ECS sends at POST_TEST_TRAFFIC_SHIFT and PRE_PRODUCTION_TRAFFIC_SHIFT', () => {
    for (const stage of ['POST_TEST_TRAFFIC_SHIFT', 'PRE_PRODUCTION_TRAFFIC_SHIFT']) {
      const parsed = parseLifecycleHookEvent(lifecycleEvent({ lifecycleStage: stage }));

      expect(parsed).toMatchObject({ ok: true, event: { lifecycleStage: stage } });
    }
  });

  it('reads empty weight maps, which ECS sends at POST_TEST_TRAFFIC_SHIFT', () => {
    const parsed = parseLifecycleHookEvent(
      withDetails({ testTrafficWeights: {}, productionTrafficWeights: {} }),
    );

    expect(parsed.ok).toBe(true);
  });

  const hostile: Array<[string, unknown, RegExp]> = [
    ['null', null, /the event is not an object/],
    ['an array', [lifecycleEvent()], /the event is not an object/],
    ['a string', JSON.stringify(lifecycleEvent()), /the event is not an object/],
    [
      'no executionId',
      { ...lifecycleEvent(), executionId: undefined },
      /executionId undefined is not an execution id/,
    ],
    [
      'no executionDetails',
      lifecycleEvent({ executionDetails: undefined }),
      /executionDetails is not an object/,
    ],
    [
      'a missing lifecycleStage',
      (({ lifecycleStage: _s, ...rest }) => rest)(lifecycleEvent()),
      /has no lifecycleStage/,
    ],
    [
      'the stage PRE_SCALE_UP',
      lifecycleEvent({ lifecycleStage: 'PRE_SCALE_UP' }),
      /'PRE_SCALE_UP' is not a stage the check runs at/,
    ],
    ['the stage in lower case', lifecycleEvent({ lifecycleStage: 'post_test_traffic_shift' }), /not a stage/],
    ['the stage "constructor"', lifecycleEvent({ lifecycleStage: 'constructor' }), /not a stage/],
    [
      'a stage with a zero-width space',
      lifecycleEvent({ lifecycleStage: 'POST_TEST_TRAFFIC_SHIFT\u200b' }),
      /\\u\{200b\}/,
    ],
    [
      'a resourceArn of another service',
      lifecycleEvent({ resourceArn: 'arn:aws:s3:::bucket' }),
      /resourceArn 'arn:aws:s3:::bucket' is not/,
    ],
    [
      'a serviceArn with a newline',
      withDetails({ serviceArn: 'arn:aws:ecs:eu-west-1:111111111111:service/a\nb' }),
      /serviceArn .*\\u\{a\}/,
    ],
    [
      'a numeric target revision',
      withDetails({ targetServiceRevisionArn: 42 }),
      /targetServiceRevisionArn 42 is not/,
    ],
    [
      'weights as an array',
      withDetails({ testTrafficWeights: [100] }),
      /testTrafficWeights is not an object/,
    ],
    ['a weight over 100', withDetails({ testTrafficWeights: { [TARGET_REVISION_ARN]: 101 } }), /gives 101/],
    [
      'a fractional weight',
      withDetails({ productionTrafficWeights: { [CURRENT_REVISION_ARN]: 99.5 } }),
      /gives 99.5/,
    ],
    [
      'a weight as text',
      withDetails({ testTrafficWeights: { [TARGET_REVISION_ARN]: '100' } }),
      /gives '100'/,
    ],
    [
      'a weight key that is no revision',
      withDetails({ testTrafficWeights: { 'x; DROP TABLE': 1 } }),
      /'x; DROP TABLE'/,
    ],
    [
      'test traffic still on the old revision',
      withDetails({ testTrafficWeights: { [TARGET_REVISION_ARN]: 0, [CURRENT_REVISION_ARN]: 100 } }),
      /gives the target revision 0% of test traffic/,
    ],
    [
      'a __proto__ key in the weights',
      withDetails({ testTrafficWeights: JSON.parse(`{"__proto__": {"${TARGET_REVISION_ARN}": 100}}`) }),
      /'__proto__'/,
    ],
    [
      'members only on a __proto__ key',
      JSON.parse(`{"__proto__": ${JSON.stringify(lifecycleEvent())}}`),
      /has no lifecycleStage/,
    ],
    [
      'an executionId of 10 MB',
      lifecycleEvent({ executionId: 'x'.repeat(10 * 1024 * 1024) }),
      /executionId 'x{119}…/,
    ],
    [
      '100,000 weights',
      withDetails({
        testTrafficWeights: Object.fromEntries(
          Array.from({ length: 100_000 }, (_v, i) => [`${TARGET_REVISION_ARN}${i}`, 0]),
        ),
      }),
      /names 100000 revisions; at most 16/,
    ],
    [
      'details nested 10,000 deep',
      lifecycleEvent({ executionDetails: DEEP }),
      /executionDetails has no serviceArn/,
    ],
  ];

  it.each(hostile)(
    'answers FAILED to an event with %s, naming the problem, and calls nothing',
    async (_case, event, reason) => {
      // Prepare
      const { check, fetch, reasons } = checkWithoutNetwork();

      // Act
      const response = await check(event);

      // Assess
      expect(response).toEqual({ hookStatus: 'FAILED' });
      expect(reasons()).toHaveLength(1);
      expect(reasons()[0]).toMatch(/^event: /);
      expect(reasons()[0]).toMatch(reason);
      expect(reasons()[0]?.length).toBeLessThan(400);
      expect(fetch).not.toHaveBeenCalled();
    },
  );

  it('ignores members inherited from a polluted Object.prototype', async () => {
    // Prepare
    const { check, fetch } = checkWithoutNetwork();
    const { executionId: _id, ...withoutId } = lifecycleEvent();
    Object.defineProperty(Object.prototype, 'executionId', { value: 'polluted', configurable: true });

    // Act
    let response;
    try {
      response = await check(withoutId);
    } finally {
      delete (Object.prototype as Record<string, unknown>).executionId;
    }

    // Assess
    expect(response).toEqual({ hookStatus: 'FAILED' });
    expect(fetch).not.toHaveBeenCalled();
  });

  it('answers FAILED, never throws, for any value that is not a lifecycle event', async () => {
    const { check, fetch } = checkWithoutNetwork();
    await fc.assert(
      fc.asyncProperty(fc.oneof(fc.anything(), fc.jsonValue(), fc.object()), async (event) => {
        await expect(check(event)).resolves.toEqual({ hookStatus: 'FAILED' });
      }),
      { numRuns: 300 },
    );
    expect(fetch).not.toHaveBeenCalled();
  });
});
