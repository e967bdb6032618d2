import { App, Duration, Stack, Stage } from 'aws-cdk-lib';
import { Template } from 'aws-cdk-lib/assertions';
import { Metric } from 'aws-cdk-lib/aws-cloudwatch';
import { Topic } from 'aws-cdk-lib/aws-sns';
import { freshnessMetricRecord } from '@citadel/functions';
import { describe, expect, it } from 'vitest';
import { loadEnvironmentConfig } from '../../../config/index.js';
import { readCdkContext } from '../../../lib/citadel-app.js';
import { RestoreDrillAlarms } from '../../../lib/constructs/restore-drill-alarms.js';
import { DataStack } from '../../../lib/stacks/data-stack.js';
import { NetworkStack } from '../../../lib/stacks/network-stack.js';
import { resourcesOf, type Resource } from '../../support/template-queries.js';

/** CloudWatch refuses an alarm whose period × evaluation periods exceeds seven days (PutMetricAlarm). */
const MAX_ALARM_WINDOW_SECONDS = 7 * 24 * 60 * 60;

describe.each(['prod', 'qa', 'dev'])('the no-recent-drill alarm of %s', (environment) => {
  const config = loadEnvironmentConfig(environment);
  const stage = new Stage(new App({ context: readCdkContext() }), config.name, {
    env: { account: config.account, region: config.region },
  });
  const network = new NetworkStack(stage, { config });
  const data = new DataStack(stage, { config, network });
  const alarmsStack = new Stack(stage, 'alarms');
  const topic = new Topic(alarmsStack, 'Operations');
  const drills = new RestoreDrillAlarms(alarmsStack, 'RestoreDrillAlarms', {
    topic,
    failedMetric: data.restoreTesting.failedMetric,
    restoreMinutesMetric: data.restoreTesting.restoreMinutesMetric,
    validatorErrors: data.restoreTesting.validator.metricErrors(),
    rtoMinutes: config.database.recoveryObjectives.rtoMinutes,
    daysSinceSuccessMetric: data.restoreTesting.daysSinceSuccessMetric,
    everyDays: config.database.restoreTesting.everyDays,
  });
  const alarmId = alarmsStack.getLogicalId(drills.noRecentSuccess.node.defaultChild as never);
  const alarm = Template.fromStack(alarmsStack).toJSON().Resources[alarmId] as Resource;
  const props = alarm.Properties as Record<string, unknown>;

  const functionId = data.getLogicalId(data.restoreTesting.validator.node.defaultChild as never);
  const fn = resourcesOf(Template.fromStack(data), 'AWS::Lambda::Function')[functionId] as Resource;
  const variables = (fn.Properties?.Environment as { Variables: Record<string, string> }).Variables;

  it('reads the metric the validation function’s daily check emits: namespace, name and dimensions', () => {
    // Prepare: the record the function writes, built from the environment the template gives it.
    const record = freshnessMetricRecord(
      {
        environment: variables.ENVIRONMENT_NAME!,
        checkedAt: '2026-12-01T12:00:00.000Z',
        lastSuccessfulJobId: null,
        lastSuccessfulAt: null,
        daysSinceSuccessfulDrill: 1,
      },
      variables.METRIC_NAMESPACE!,
    );
    const [directive] = (
      record._aws as {
        CloudWatchMetrics: { Namespace: string; Dimensions: string[][]; Metrics: { Name: string }[] }[];
      }
    ).CloudWatchMetrics;

    // Assess: CloudWatch would file the emitted value under exactly the alarm's metric.
    expect(props.Namespace).toBe(directive?.Namespace);
    expect(directive?.Metrics.map((metric) => metric.Name)).toContain(props.MetricName);
    expect(props.Dimensions).toEqual(
      directive?.Dimensions[0]?.map((name) => ({ Name: name, Value: record[name] })),
    );
  });

  it(`alarms once no drill has passed for everyDays + 1 = ${config.database.restoreTesting.everyDays + 1} days`, () => {
    expect(props).toMatchObject({
      Statistic: 'Maximum',
      ComparisonOperator: 'GreaterThanThreshold',
      Threshold: config.database.restoreTesting.everyDays + 1,
      // A day without the daily check is no evidence of a drill either.
      TreatMissingData: 'breaching',
      AlarmActions: [{ Ref: alarmsStack.getLogicalId(topic.node.defaultChild as never) }],
    });
  });

  it('asks CloudWatch for an evaluation window it accepts (at most seven days)', () => {
    const window = (props.Period as number) * (props.EvaluationPeriods as number);
    expect(window).toBeLessThanOrEqual(MAX_ALARM_WINDOW_SECONDS);
    // The schedule's interval itself (up to 31 days) would not fit: this is why the function emits the gap as a value.
    expect((config.database.restoreTesting.everyDays + 1) * 86_400).toBeGreaterThan(window);
  });
});

describe('RestoreDrillAlarms props', () => {
  const build = (everyDays: number, period: Duration) => {
    const stack = new Stack(new App(), 'Refused');
    const metric = (name: string) => new Metric({ namespace: 'Citadel/dev', metricName: name });
    new RestoreDrillAlarms(stack, 'Drills', {
      topic: new Topic(stack, 'Topic'),
      failedMetric: metric('RestoreValidationFailed'),
      restoreMinutesMetric: metric('RestoreDurationMinutes'),
      validatorErrors: metric('Errors'),
      rtoMinutes: 240,
      daysSinceSuccessMetric: new Metric({
        namespace: 'Citadel/dev',
        metricName: 'DaysSinceSuccessfulDrill',
        period,
      }),
      everyDays,
    });
  };

  it.each([0, 32, 1.5])('fails when everyDays is %s', (everyDays) => {
    expect(() => build(everyDays, Duration.days(1))).toThrow(
      `Refused/Drills: everyDays = ${everyDays}; expected a whole number from 1 to 31`,
    );
  });

  it('fails when the freshness metric is not read a day at a time', () => {
    expect(() => build(7, Duration.hours(1))).toThrow(
      /daysSinceSuccessMetric.period = 3600; give the metric a period of one day/,
    );
  });
});
