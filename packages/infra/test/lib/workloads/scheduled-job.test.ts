import { Template } from 'aws-cdk-lib/assertions';
import { describe, expect, it } from 'vitest';
import { InvalidPropError } from '../../../lib/invalid-prop-error.js';
import {
  alarmPeriodMinutes,
  rateExpression,
  ScheduledJob,
  type ScheduledJobProps,
} from '../../../lib/workloads/scheduled-job.js';
import { workloadFixture, workloadPlatform } from '../../support/workload-fixture.js';

type Resource = { Type: string; Properties: Record<string, unknown> };

function build(overrides: Partial<ScheduledJobProps> = {}) {
  const fixture = workloadFixture();
  const platform = workloadPlatform(fixture, 'dev', 365);
  const cluster = platform.cluster;
  const job = new ScheduledJob(fixture.stack, 'Outbox', {
    platform,
    name: 'payment-outbox',
    repository: fixture.repository,
    imageTag: 'v1.2.3',
    command: ['/app/jobs.mjs', 'payment-outbox'],
    every: { minutes: 5 },
    timeoutMinutes: 4,
    databaseRole: 'citadel_outbox',
    sendsTo: [fixture.queue],
    ...overrides,
  });
  const template = Template.fromStack(fixture.stack);
  const resources = template.toJSON().Resources as Record<string, Resource>;
  const logicalId = (construct: { node: { defaultChild?: unknown } }) =>
    fixture.stack.getLogicalId(construct.node.defaultChild as never);
  return { fixture, job, template, resources, logicalId, cluster };
}

function statementsOf(resources: Record<string, Resource>, roleLogicalId: string) {
  return Object.values(resources)
    .filter(
      (resource) =>
        resource.Type === 'AWS::IAM::Policy' &&
        JSON.stringify(resource.Properties.Roles).includes(`"${roleLogicalId}"`),
    )
    .flatMap(
      (policy) => (policy.Properties.PolicyDocument as { Statement: Record<string, unknown>[] }).Statement,
    );
}

describe('scheduled job', () => {
  it('is started by EventBridge Scheduler every interval, as one Fargate task without a public IP', () => {
    const { resources, job } = build();
    const schedule = Object.values(resources).find(
      (resource) => resource.Type === 'AWS::Scheduler::Schedule',
    );
    const target = schedule?.Properties.Target as {
      EcsParameters: {
        LaunchType: string;
        TaskCount: number;
        NetworkConfiguration: { AwsvpcConfiguration: { AssignPublicIp: string } };
      };
    };
    expect(schedule?.Properties.ScheduleExpression).toBe('rate(5 minutes)');
    expect(target.EcsParameters.LaunchType).toBe('FARGATE');
    expect(target.EcsParameters.TaskCount).toBe(1);
    expect(target.EcsParameters.NetworkConfiguration.AwsvpcConfiguration.AssignPublicIp).toBe('DISABLED');
    expect(job.intervalMinutes).toBe(5);
  });

  it("lets the scheduler start only this task on this cluster and pass only this task's two roles to ECS", () => {
    const { resources, job, logicalId } = build();
    const statements = statementsOf(resources, logicalId(job.schedulerRole as never));
    expect(statements).toHaveLength(2);
    const runTask = statements.find((statement) => statement.Action === 'ecs:RunTask');
    expect(JSON.stringify(runTask?.Resource)).toContain(logicalId(job.taskDefinition as never));
    expect(JSON.stringify(runTask?.Condition)).toContain('ecs:cluster');
    const passRole = statements.find((statement) => statement.Action === 'iam:PassRole');
    expect(passRole?.Condition).toEqual({
      StringEquals: { 'iam:PassedToService': 'ecs-tasks.amazonaws.com' },
    });
    const passed = JSON.stringify(passRole?.Resource);
    expect(passed).toContain(logicalId(job.taskRole as never));
    expect(passed).toContain(logicalId(job.executionRole as never));
    // Nothing wildcarded: no statement grants every task definition or every role.
    expect(JSON.stringify(statements)).not.toMatch(/"\*"/);
  });

  it('trusts only EventBridge Scheduler acting for this account (no confused deputy)', () => {
    const { resources, job, logicalId } = build();
    const role = resources[logicalId(job.schedulerRole as never)];
    const trust = JSON.stringify(role?.Properties.AssumeRolePolicyDocument);
    expect(trust).toContain('scheduler.amazonaws.com');
    expect(trust).toContain('aws:SourceAccount');
  });

  it('gives the task role only its database role and its queue: no other rds-db user, no other queue', () => {
    const { resources, job, logicalId } = build();
    const statements = statementsOf(resources, logicalId(job.taskRole as never));
    const actions = statements.flatMap((statement) => [statement.Action].flat());
    expect(new Set(actions)).toEqual(
      new Set([
        'rds-db:connect',
        'sqs:SendMessage',
        'sqs:GetQueueAttributes',
        'sqs:GetQueueUrl',
        'kms:GenerateDataKey',
        'kms:Decrypt',
      ]),
    );
    const connect = statements.find((statement) => statement.Action === 'rds-db:connect');
    expect(JSON.stringify(connect?.Resource)).toMatch(/dbuser:.*\/citadel_outbox"/);
  });

  it('holds no database or queue permission when it declares none', () => {
    const { resources, job, logicalId } = build({ databaseRole: undefined, sendsTo: [] });
    expect(statementsOf(resources, logicalId(job.taskRole as never))).toEqual([]);
    const container = (
      Object.values(resources).find((resource) => resource.Type === 'AWS::ECS::TaskDefinition')?.Properties
        .ContainerDefinitions as { Environment: { Name: string }[] }[]
    )[0];
    expect(container?.Environment.map((variable) => variable.Name)).not.toContain('DB_HOST');
  });

  it('runs as a non-root user on a read-only root filesystem, logging to a KMS-encrypted group kept per the platform', () => {
    const { resources } = build();
    const task = Object.values(resources).find((resource) => resource.Type === 'AWS::ECS::TaskDefinition');
    const [container] = task?.Properties.ContainerDefinitions as Record<string, unknown>[];
    expect(container?.User).toBe('65532:65532');
    expect(container?.ReadonlyRootFilesystem).toBe(true);
    expect(container?.Command).toEqual(['/app/jobs.mjs', 'payment-outbox']);
    const environment = Object.fromEntries(
      (container?.Environment as { Name: string; Value: unknown }[]).map((variable) => [
        variable.Name,
        variable.Value,
      ]),
    );
    expect(environment).toMatchObject({
      JOB_TIMEOUT_SECONDS: '240',
      DB_USER: 'citadel_outbox',
      DB_AUTH: 'iam',
    });
    const logGroup = Object.values(resources).find((resource) => resource.Type === 'AWS::Logs::LogGroup');
    expect(logGroup?.Properties.RetentionInDays).toBe(365);
    expect(logGroup?.Properties.KmsKeyId).toBeDefined();
  });

  it('counts successful runs from the log, in a period of twice the interval', () => {
    const { resources, job } = build();
    const filter = Object.values(resources).find((resource) => resource.Type === 'AWS::Logs::MetricFilter');
    expect(filter?.Properties.FilterPattern).toBe('{ $.event = "job_succeeded" }');
    expect(JSON.stringify(job.successMetric.toMetricConfig())).toContain('payment-outbox-succeeded');
    expect(alarmPeriodMinutes(5)).toBe(10);
    expect(alarmPeriodMinutes(24 * 60)).toBe(24 * 60);
    expect(rateExpression({ hours: 1 })).toBe('rate(1 hour)');
    expect(rateExpression({ days: 2 })).toBe('rate(2 days)');
  });

  it.each([
    ['a name with upper case', { name: 'Outbox' }, 'name'],
    ['a name with a trailing hyphen', { name: 'outbox-' }, 'name'],
    ['a name of one character', { name: 'o' }, 'name'],
    ['a name with a unicode look-alike', { name: 'оutbox' }, 'name'],
    ['the latest tag', { imageTag: 'latest' }, 'imageTag'],
    ['an empty command', { command: [] }, 'command'],
    ['a command with a NUL byte', { command: ['/app/jobs.mjs', 'a\u0000b'] }, 'command'],
    ['an interval under 5 minutes', { every: { minutes: 1 }, timeoutMinutes: 1 }, 'every'],
    ['two interval units', { every: { minutes: 10, hours: 1 } as never }, 'every'],
    ['a fractional interval', { every: { hours: 1.5 } }, 'every'],
    ['an unknown unit', { every: { weeks: 1 } as never }, 'every'],
    ['a timeout longer than the interval', { timeoutMinutes: 6 }, 'timeoutMinutes'],
    ['a zero timeout', { timeoutMinutes: 0 }, 'timeoutMinutes'],
    ['memory that does not fit the CPU', { cpu: 256, memoryMiB: 4096 }, 'memoryMiB'],
    ['a database role with a quote', { databaseRole: 'citadel"; DROP' }, 'userName'],
  ] as [string, Partial<ScheduledJobProps>, string][])(
    'refuses %s, naming the prop',
    (_case, overrides, prop) => {
      let caught: unknown;
      try {
        build(overrides);
      } catch (error) {
        caught = error;
      }
      expect(caught).toBeInstanceOf(InvalidPropError);
      expect((caught as Error).message).toContain(prop);
    },
  );
});
