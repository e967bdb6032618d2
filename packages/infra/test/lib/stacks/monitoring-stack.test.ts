import { beforeAll, describe, expect, it } from 'vitest';
import { ENVIRONMENT_NAMES, loadEnvironmentConfig } from '../../../config/index.js';
import { synthesizedApp, type SynthesizedApp } from '../../support/synthesized-app.js';
import { exportedValue, onlyResource, resourcesOf } from '../../support/template-queries.js';

/** Metric behind each single-metric alarm, as `<namespace>/<metric>`. */
const EXPECTED_ALARM_METRICS = [
  'AWS/ApplicationELB/TargetResponseTime',
  'AWS/ApplicationELB/UnHealthyHostCount',
  'AWS/ECS/CPUUtilization',
  'AWS/ECS/MemoryUtilization',
  'AWS/RDS/CPUUtilization',
  'AWS/RDS/FreeStorageSpace',
  'AWS/RDS/DatabaseConnections',
  'AWS/Lambda/Errors',
  'AWS/Lambda/Throttles',
  'AWS/SQS/ApproximateNumberOfMessagesVisible',
  'AWS/WAFV2/BlockedRequests',
];

let citadel: SynthesizedApp;

beforeAll(() => {
  citadel = synthesizedApp();
});

describe.each(ENVIRONMENT_NAMES)('monitoring stack of %s', (environment) => {
  const config = loadEnvironmentConfig(environment);
  const monitoring = () => citadel.template(environment, 'monitoring');

  it('notifies a KMS-encrypted, TLS-only topic with an email subscription from config', () => {
    // Prepare
    const template = monitoring();

    // Act
    const [topicId, topic] = onlyResource(template, 'AWS::SNS::Topic');
    const [, subscription] = onlyResource(template, 'AWS::SNS::Subscription');
    const [, topicPolicy] = onlyResource(template, 'AWS::SNS::TopicPolicy');

    // Assess
    expect(
      JSON.stringify(
        exportedValue(topic.Properties?.KmsMasterKeyId, citadel.template(environment, 'network')),
      ),
    ).toMatch(/MessagesKey/);
    expect(subscription.Properties).toMatchObject({
      Protocol: 'email',
      Endpoint: config.alarmEmail,
      TopicArn: { Ref: topicId },
    });
    expect(JSON.stringify(topicPolicy.Properties?.PolicyDocument)).toContain('"aws:SecureTransport":"false"');
  });

  it('alarms on every operational signal, each notifying the topic on alarm and on recovery', () => {
    // Prepare
    const [topicId] = onlyResource(monitoring(), 'AWS::SNS::Topic');

    // Act
    const alarms = Object.values(resourcesOf(monitoring(), 'AWS::CloudWatch::Alarm'));
    const metrics = alarms
      .filter((alarm) => alarm.Properties?.MetricName !== undefined)
      .map((alarm) => `${String(alarm.Properties?.Namespace)}/${String(alarm.Properties?.MetricName)}`);

    // Assess
    expect(metrics).toEqual(
      expect.arrayContaining([...EXPECTED_ALARM_METRICS, `Citadel/${environment}/AuthFailed`]),
    );
    for (const alarm of alarms) {
      expect(alarm.Properties?.AlarmActions).toEqual([{ Ref: topicId }]);
      expect(alarm.Properties?.OKActions).toEqual([{ Ref: topicId }]);
    }
  });

  it("alarms, notifying the topic, when the mirror of the identity provider's keys fails three runs in a row", () => {
    // Prepare
    const [topicId] = onlyResource(monitoring(), 'AWS::SNS::Topic');
    const app = citadel.template(environment, 'app');
    const [mirrorFunctionId] = Object.entries(resourcesOf(app, 'AWS::Lambda::Function')).find(([id]) =>
      id.startsWith('JwksMirror'),
    ) ?? [undefined];
    expect(mirrorFunctionId, 'every environment mirrors its identity provider keys').toBeDefined();

    // Act
    const alarms = Object.values(resourcesOf(monitoring(), 'AWS::CloudWatch::Alarm')).filter((alarm) => {
      const dimensions = (alarm.Properties?.Dimensions ?? []) as { Name: string; Value: unknown }[];
      const functionName = dimensions.find((dimension) => dimension.Name === 'FunctionName')?.Value;
      return (
        alarm.Properties?.MetricName === 'Errors' &&
        JSON.stringify(exportedValue(functionName, app)) === JSON.stringify({ Ref: mirrorFunctionId })
      );
    });

    // Assess
    expect(alarms).toHaveLength(1);
    expect(alarms[0]?.Properties).toMatchObject({
      Namespace: 'AWS/Lambda',
      Threshold: 0,
      EvaluationPeriods: 3,
      ComparisonOperator: 'GreaterThanThreshold',
      AlarmActions: [{ Ref: topicId }],
    });
  });

  it('alarms on the ALB 5xx rate as a share of requests', () => {
    // Prepare
    const alarms = Object.values(resourcesOf(monitoring(), 'AWS::CloudWatch::Alarm'));

    // Act
    const rate = alarms.find((alarm) => Array.isArray(alarm.Properties?.Metrics));
    const expression = (rate?.Properties?.Metrics as { Expression?: string }[]).find(
      (metric) => metric.Expression,
    );

    // Assess
    expect(expression?.Expression).toContain('100 * (FILL(elb5xx, 0) + FILL(target5xx, 0)) / requests');
    expect(JSON.stringify(rate?.Properties?.Metrics)).toContain('HTTPCode_ELB_5XX_Count');
    expect(JSON.stringify(rate?.Properties?.Metrics)).toContain('HTTPCode_Target_5XX_Count');
  });

  it('alarms as soon as one message waits in the dead-letter queue', () => {
    // Prepare
    const alarms = Object.values(resourcesOf(monitoring(), 'AWS::CloudWatch::Alarm'));

    // Act
    const depth = alarms.find(
      (alarm) => alarm.Properties?.MetricName === 'ApproximateNumberOfMessagesVisible',
    );

    // Assess
    expect(depth?.Properties).toMatchObject({
      Threshold: 0,
      ComparisonOperator: 'GreaterThanThreshold',
      Dimensions: [{ Name: 'QueueName', Value: expect.anything() }],
    });
    const queueName = JSON.stringify((depth?.Properties?.Dimensions as { Value: unknown }[])[0]?.Value);
    expect(queueName).toMatch(/DeadLetter/);
  });

  it('counts auth_failed events from the API log with a metric filter', () => {
    // Prepare
    const [, filter] = onlyResource(monitoring(), 'AWS::Logs::MetricFilter');

    // Act
    const logGroup = exportedValue(filter.Properties?.LogGroupName, citadel.template(environment, 'app'));

    // Assess
    expect(filter.Properties?.FilterPattern).toBe('{ $.event = "auth_failed" }');
    expect(filter.Properties?.MetricTransformations).toEqual([
      {
        MetricName: 'AuthFailed',
        MetricNamespace: `Citadel/${environment}`,
        MetricValue: '1',
        DefaultValue: 0,
      },
    ]);
    expect(logGroup).toEqual({ Ref: expect.stringMatching(/^ApiLogs/) });
  });

  it('shows every alarm on one dashboard', () => {
    // Prepare
    const [, dashboard] = onlyResource(monitoring(), 'AWS::CloudWatch::Dashboard');
    const alarmCount = Object.keys(resourcesOf(monitoring(), 'AWS::CloudWatch::Alarm')).length;

    // Act
    const body = JSON.stringify(dashboard.Properties?.DashboardBody);

    // Assess
    expect(dashboard.Properties?.DashboardName).toBe(`citadel-${environment}`);
    expect(body.split('\\"alarms\\":').length - 1).toBe(alarmCount);
  });
});
