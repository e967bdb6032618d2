import { describe, expect, it } from 'vitest';
import { ENVIRONMENT_NAMES } from '../../../config/index.js';
import { CITADEL_APPLICATION, jobsOf } from '../../../config/workloads.js';

const JOBS = jobsOf(CITADEL_APPLICATION);
import { synthesizedApp } from '../../support/synthesized-app.js';

type Resource = { Type: string; Properties: Record<string, unknown> };

describe.each(ENVIRONMENT_NAMES)("Citadel's maintenance jobs in %s", (environment) => {
  const app = synthesizedApp();
  const appResources = app.template(environment, 'app').toJSON().Resources as Record<string, Resource>;
  const monitoring = app.template(environment, 'monitoring').toJSON().Resources as Record<string, Resource>;

  it('are declared as workloads and each runs on its own schedule', () => {
    const schedules = Object.values(appResources).filter(
      (resource) => resource.Type === 'AWS::Scheduler::Schedule',
    );
    expect(schedules.map((schedule) => schedule.Properties.Name).sort()).toEqual(
      JOBS.map((job) => `citadel-${environment}-${job.name}`).sort(),
    );
  });

  it('each sign in to the database as its own role, never as the API or the processor', () => {
    const connects = Object.values(appResources)
      .filter((resource) => resource.Type === 'AWS::IAM::Policy')
      .flatMap(
        (policy) =>
          (policy.Properties.PolicyDocument as { Statement: { Action: unknown; Resource: unknown }[] })
            .Statement,
      )
      .filter((statement) => statement.Action === 'rds-db:connect')
      .map((statement) => JSON.stringify(statement.Resource));
    for (const job of JOBS) {
      expect(connects.filter((resource) => resource.includes(`/${job.databaseRole}"`))).toHaveLength(1);
    }
  });

  it('alarm to the operations topic when a period passes without a success the job logged', () => {
    const filters = Object.values(appResources).filter(
      (resource) => resource.Type === 'AWS::Logs::MetricFilter',
    );
    for (const job of JOBS) {
      const filter = filters.find((candidate) =>
        JSON.stringify(candidate.Properties.MetricTransformations).includes(`"${job.name}-succeeded"`),
      );
      const [transformation] = filter?.Properties.MetricTransformations as {
        MetricNamespace: string;
        MetricName: string;
      }[];
      const alarm = Object.values(monitoring).find(
        (resource) =>
          resource.Type === 'AWS::CloudWatch::Alarm' &&
          resource.Properties.MetricName === transformation?.MetricName &&
          resource.Properties.Namespace === transformation?.MetricNamespace,
      );
      expect(alarm, `alarm on ${job.name}`).toBeDefined();
      expect(alarm?.Properties).toMatchObject({
        ComparisonOperator: 'LessThanThreshold',
        Threshold: 1,
        TreatMissingData: 'breaching',
        Statistic: 'Sum',
      });
      expect(JSON.stringify(alarm?.Properties.AlarmActions)).toContain('AlarmTopic');
    }
  });
});
