import { describe, expect, it } from 'vitest';
import {
  DAYS_SINCE_SUCCESSFUL_DRILL,
  FRESHNESS_LOOKBACK_DAYS,
  freshnessMetricRecord,
  type DrillFreshness,
} from '../../src/restore-validation/drill-freshness.js';
import type { RestoreValidationSettings } from '../../src/restore-validation/settings.js';
import { createRestoreValidation } from '../../src/restore-validation/validate-restore.js';
import { silentLogger } from '../silent-logger.js';
import {
  FakeBackup,
  FakeStagedSecrets,
  listedJob,
  OTHER_PLAN_ARN,
  PLAN_ARN,
  SECRET_ARN,
} from './fake-backup.js';

const NOW = new Date('2026-12-01T12:00:00Z');

const settings: RestoreValidationSettings = {
  restoreTestingPlanArn: PLAN_ARN,
  masterSecretArn: SECRET_ARN,
  databaseName: 'citadel',
  caBundlePath: '/nonexistent/ca.pem',
  rtoMinutes: 240,
  metricNamespace: 'Citadel/dev',
  environmentName: 'dev',
};

/** The event EventBridge sends for a schedule rule. */
const scheduledEvent = {
  version: '0',
  id: '53dc4d37-cffa-4f76-80c9-8b7d4a4d2eaa',
  'detail-type': 'Scheduled Event',
  source: 'aws.events',
  account: '123456789012',
  time: '2026-12-01T12:00:00Z',
  region: 'eu-west-1',
  resources: ['arn:aws:events:eu-west-1:123456789012:rule/citadel-dev-data-DrillFreshness'],
  detail: {},
};

function harness(backup: FakeBackup) {
  const emitted: DrillFreshness[] = [];
  const handler = createRestoreValidation({
    backup,
    secrets: new FakeStagedSecrets({}),
    connect: () => {
      throw new Error('the daily check never connects to a database');
    },
    settings,
    logger: silentLogger('restore-validation'),
    publish: () => {
      throw new Error('the daily check never publishes drill evidence');
    },
    publishFreshness: (freshness) => emitted.push(freshness),
    now: () => NOW,
  });
  return { handler, emitted };
}

describe('daily restore drill freshness check', () => {
  it('emits the days since the newest drill of this plan that passed validation', async () => {
    // Prepare: a pass 9.5 days ago, a newer failure, and a newer pass of another plan.
    const backup = new FakeBackup(undefined, [
      listedJob('2026-11-22T00:00:00Z'),
      listedJob('2026-11-01T00:00:00Z'),
      listedJob('2026-11-29T00:00:00Z', { ValidationStatus: 'FAILED' }),
      listedJob('2026-11-30T00:00:00Z', { CreatedBy: { RestoreTestingPlanArn: OTHER_PLAN_ARN } }),
      listedJob('2026-11-30T06:00:00Z', { ValidationStatus: 'TIMED_OUT' }),
    ]);
    const { handler, emitted } = harness(backup);

    // Act
    const result = await handler(scheduledEvent);

    // Assess
    expect(result).toMatchObject({ outcome: 'checked' });
    expect(emitted).toEqual([
      {
        environment: 'dev',
        checkedAt: NOW.toISOString(),
        lastSuccessfulJobId: 'JOB-20261122000000',
        lastSuccessfulAt: '2026-11-22T00:00:00.000Z',
        daysSinceSuccessfulDrill: 9.5,
      },
    ]);
    expect(backup.calls.every((call) => call === 'ListRestoreJobs')).toBe(true);
    expect(backup.results).toEqual([]);
  });

  it('reads every page, asking AWS Backup only for completed jobs of this plan in the lookback', async () => {
    const jobs = Array.from({ length: 7 }, (_, day) =>
      listedJob(`2026-11-${String(10 + day).padStart(2, '0')}T05:00:00Z`),
    );
    const backup = new FakeBackup(undefined, jobs, 2);
    const { handler, emitted } = harness(backup);

    await handler(scheduledEvent);

    expect(backup.listRequests).toHaveLength(4);
    expect(backup.listRequests[0]).toMatchObject({
      ByRestoreTestingPlanArn: PLAN_ARN,
      ByStatus: 'COMPLETED',
      ByCompleteAfter: new Date(NOW.getTime() - FRESHNESS_LOOKBACK_DAYS * 86_400_000),
    });
    expect(emitted[0]?.lastSuccessfulAt).toBe('2026-11-16T05:00:00.000Z');
  });

  it('reports the whole lookback when no drill passed in it, so the alarm fires', async () => {
    const { handler, emitted } = harness(
      new FakeBackup(undefined, [listedJob('2026-11-28T00:00:00Z', { ValidationStatus: 'FAILED' })]),
    );

    await handler(scheduledEvent);

    expect(emitted[0]).toMatchObject({
      lastSuccessfulJobId: null,
      daysSinceSuccessfulDrill: FRESHNESS_LOOKBACK_DAYS,
    });
  });

  it('writes the metric in embedded metric format with the Environment dimension', () => {
    const record = freshnessMetricRecord(
      {
        environment: 'dev',
        checkedAt: NOW.toISOString(),
        lastSuccessfulJobId: null,
        lastSuccessfulAt: null,
        daysSinceSuccessfulDrill: 3.25,
      },
      'Citadel/dev',
      NOW.getTime(),
    );

    expect(record._aws).toEqual({
      Timestamp: NOW.getTime(),
      CloudWatchMetrics: [
        {
          Namespace: 'Citadel/dev',
          Dimensions: [['Environment']],
          Metrics: [{ Name: DAYS_SINCE_SUCCESSFUL_DRILL, Unit: 'None' }],
        },
      ],
    });
    expect(record).toMatchObject({ Environment: 'dev', [DAYS_SINCE_SUCCESSFUL_DRILL]: 3.25 });
  });
});
