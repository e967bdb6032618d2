import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Stack } from 'aws-cdk-lib';
import { Template } from 'aws-cdk-lib/assertions';
import { Role, ServicePrincipal } from 'aws-cdk-lib/aws-iam';
import { Secret } from 'aws-cdk-lib/aws-secretsmanager';
import { Topic } from 'aws-cdk-lib/aws-sns';
import { Queue } from 'aws-cdk-lib/aws-sqs';
import type { IConstruct } from 'constructs';
import { describe, expect, it } from 'vitest';
import { InvalidPropError } from '../../../lib/invalid-prop-error.js';
import { LambdaWorkload, type LambdaWorkloadProps } from '../../../lib/workloads/lambda-workload.js';
import { WorkloadAlarms } from '../../../lib/workloads/workload-alarms.js';
import { actionsOf, type Resource } from '../../support/template-queries.js';
import { workloadFixture, workloadPlatform } from '../../support/workload-fixture.js';

type Json = Record<string, unknown>;
const code = mkdtempSync(join(tmpdir(), 'citadel-lambda-workload-'));
writeFileSync(join(code, 'index.mjs'), 'export const handler = async () => ({});\n');

function build(overrides: Partial<LambdaWorkloadProps> = {}) {
  const fixture = workloadFixture();
  const platform = workloadPlatform(fixture);
  const other = new Queue(fixture.stack, 'OtherQueue');
  const fn = new LambdaWorkload(fixture.stack, 'Receipts', {
    platform,
    name: 'orders-receipts',
    codeDirectory: code,
    handler: 'index.handler',
    timeoutSeconds: 20,
    reservedConcurrency: 3,
    queue: { maxReceiveCount: 4, batchSize: 5 },
    every: { hours: 1 },
    databaseRole: 'orders_receipts',
    secrets: { SIGNING_KEY: Secret.fromSecretNameV2(fixture.stack, 'Signing', 'orders/signing-key') },
    ...overrides,
  });
  fn.sendTo('orders-fulfilment', fixture.queue);
  const caller = new Role(fixture.stack, 'Caller', {
    assumedBy: new ServicePrincipal('ecs-tasks.amazonaws.com'),
  });
  new Role(fixture.stack, 'Bystander', { assumedBy: new ServicePrincipal('ecs-tasks.amazonaws.com') });
  fn.allowInvokeFrom(caller);
  const topic = new Topic(fixture.stack, 'Topic');
  const alarms = new WorkloadAlarms(fixture.stack, 'Alarms', { topic, functions: [fn] });
  const template = Template.fromStack(fixture.stack);
  const resources = template.toJSON().Resources as Record<string, Resource>;
  const id = (construct: IConstruct) =>
    Stack.of(fixture.stack).getLogicalId((construct.node.defaultChild ?? construct) as never);
  return { fixture, fn, other, caller, topic, alarms, resources, id };
}

function statementsOfRole(resources: Record<string, Resource>, roleId: string): Json[] {
  return Object.values(resources)
    .filter(
      (resource) =>
        resource.Type === 'AWS::IAM::Policy' &&
        JSON.stringify(resource.Properties?.Roles) === JSON.stringify([{ Ref: roleId }]),
    )
    .flatMap((policy) => (policy.Properties?.PolicyDocument as { Statement: Json[] }).Statement);
}
const resourcesOf = (statement: Json) =>
  (Array.isArray(statement.Resource) ? statement.Resource : [statement.Resource]) as unknown[];

describe('a team’s function workload', () => {
  it('may send only to the queues it declares and its own dead-letter queue, and consume only its own queue', () => {
    const { resources, fn, fixture, other, id } = build();
    const statements = statementsOfRole(resources, id(fn.role));
    const sending = statements.filter((statement) => actionsOf(statement).includes('sqs:SendMessage'));
    expect(sending.flatMap(resourcesOf)).toEqual(
      expect.arrayContaining([
        { 'Fn::GetAtt': [id(fixture.queue), 'Arn'] },
        { 'Fn::GetAtt': [id(fn.deadLetterQueue), 'Arn'] },
      ]),
    );
    expect(sending.flatMap(resourcesOf)).toHaveLength(2);
    const receiving = statements.filter((statement) => actionsOf(statement).includes('sqs:ReceiveMessage'));
    expect(receiving.flatMap(resourcesOf)).toEqual([{ 'Fn::GetAtt': [id(fn.queue as Queue), 'Arn'] }]);
    expect(JSON.stringify(statements)).not.toContain(id(other));
    expect(statements.flatMap(actionsOf).filter((action) => action.includes('*'))).toEqual([]);
  });

  it('signs in to the database only as its own role, and reads only its declared secret', () => {
    const { resources, fn, id } = build();
    const statements = statementsOfRole(resources, id(fn.role));
    const connect = statements.filter((statement) => actionsOf(statement).includes('rds-db:connect'));
    expect(connect.flatMap(resourcesOf).map((arn) => JSON.stringify(arn))).toEqual([
      expect.stringMatching(/\/orders_receipts"\]\]\}$/),
    ]);
    const reads = statements.filter((statement) =>
      actionsOf(statement).includes('secretsmanager:GetSecretValue'),
    );
    expect(reads.flatMap(resourcesOf).map((arn) => JSON.stringify(arn))).toEqual([
      expect.stringContaining(':secret:orders/signing-key-??????'),
    ]);
    const variables = (resources[id(fn.function)]?.Properties?.Environment as { Variables: Json }).Variables;
    expect(variables).toMatchObject({
      SIGNING_KEY_SECRET_NAME: 'orders/signing-key',
      DB_USER: 'orders_receipts',
      DB_AUTH: 'iam',
    });
    expect(JSON.stringify(variables)).not.toMatch(/"SIGNING_KEY":/);
  });

  it('runs in the isolated subnets with its own security group: HTTPS to the endpoints and S3, PostgreSQL to the database, never 0.0.0.0/0', () => {
    const { resources, fn, id, fixture } = build();
    const config = resources[id(fn.function)]?.Properties?.VpcConfig as {
      SecurityGroupIds: unknown[];
      SubnetIds: unknown[];
    };
    expect(config.SecurityGroupIds).toEqual([{ 'Fn::GetAtt': [id(fn.securityGroup), 'GroupId'] }]);
    const isolated = fixture.vpc.isolatedSubnets.map((subnet) => ({ Ref: id(subnet) }));
    expect(config.SubnetIds).toEqual(isolated);
    const egress = resources[id(fn.securityGroup)]?.Properties?.SecurityGroupEgress as Json[];
    expect(JSON.stringify(egress)).not.toContain('0.0.0.0/0');
    expect(egress.map((rule) => rule.FromPort).sort()).toEqual([443, 443, 5432]);
    const withoutDatabase = build({ databaseRole: undefined });
    const plain = withoutDatabase.resources[withoutDatabase.id(withoutDatabase.fn.securityGroup)]?.Properties
      ?.SecurityGroupEgress as Json[];
    expect(plain.map((rule) => rule.FromPort)).toEqual([443, 443]);
  });

  it('has a timeout, reserved concurrency, Node.js 22, an encrypted environment and a KMS-encrypted log group on the platform retention', () => {
    const { resources, fn, id, fixture } = build();
    const properties = resources[id(fn.function)]?.Properties as Json;
    expect(properties).toMatchObject({
      Timeout: 20,
      ReservedConcurrentExecutions: 3,
      Runtime: 'nodejs22.x',
      Handler: 'index.handler',
      KmsKeyArn: { 'Fn::GetAtt': [id(fixture.key), 'Arn'] },
      LoggingConfig: { LogFormat: 'JSON', LogGroup: { Ref: id(fn.logGroup) } },
      DeadLetterConfig: { TargetArn: { 'Fn::GetAtt': [id(fn.deadLetterQueue), 'Arn'] } },
    });
    expect(resources[id(fn.logGroup)]?.Properties).toMatchObject({
      KmsKeyId: { 'Fn::GetAtt': [id(fixture.key), 'Arn'] },
      RetentionInDays: 180,
    });
  });

  it('is invoked by exactly the callers it names: an invoke grant on this function in the caller’s role only', () => {
    const { resources, fn, caller, id } = build();
    const invokers = Object.entries(resources)
      .filter(([, resource]) => resource.Type === 'AWS::IAM::Policy')
      .filter(([, policy]) =>
        (policy.Properties?.PolicyDocument as { Statement: Json[] }).Statement.some((statement) =>
          actionsOf(statement).includes('lambda:InvokeFunction'),
        ),
      )
      .map(([, policy]) => policy.Properties?.Roles);
    expect(invokers).toEqual(
      expect.arrayContaining([[{ Ref: id(caller) }], [{ Ref: id(fn.schedulerRole as IConstruct) }]]),
    );
    expect(invokers).toHaveLength(2);
    const grant = statementsOfRole(resources, id(caller));
    expect(grant).toEqual([
      {
        Action: 'lambda:InvokeFunction',
        Effect: 'Allow',
        Resource: { 'Fn::GetAtt': [id(fn.function), 'Arn'] },
      },
    ]);
    expect(
      Object.values(resources).filter((resource) => resource.Type === 'AWS::Lambda::Permission'),
    ).toEqual([]);
  });

  it('is scheduled by a role that only EventBridge Scheduler of this account assumes and that may invoke only this function', () => {
    const { resources, fn, id } = build();
    const role = resources[id(fn.schedulerRole as IConstruct)]?.Properties as Json;
    expect(JSON.stringify(role.AssumeRolePolicyDocument)).toContain('"aws:SourceAccount"');
    expect(JSON.stringify(role.AssumeRolePolicyDocument)).toContain('scheduler.amazonaws.com');
    expect(statementsOfRole(resources, id(fn.schedulerRole as IConstruct))).toEqual([
      {
        Action: 'lambda:InvokeFunction',
        Effect: 'Allow',
        Resource: { 'Fn::GetAtt': [id(fn.function), 'Arn'] },
      },
    ]);
    expect(resources[id(fn.schedule as IConstruct)]?.Properties).toMatchObject({
      ScheduleExpression: 'rate(1 hour)',
      Target: {
        Arn: { 'Fn::GetAtt': [id(fn.function), 'Arn'] },
        RoleArn: { 'Fn::GetAtt': [id(fn.schedulerRole as IConstruct), 'Arn'] },
      },
    });
  });

  it('takes its queue’s messages in batches, reporting failures, with a dead-letter queue after maxReceiveCount', () => {
    const { resources, fn, id } = build();
    const mapping = Object.values(resources).find(
      (resource) => resource.Type === 'AWS::Lambda::EventSourceMapping',
    );
    expect(mapping?.Properties).toMatchObject({
      BatchSize: 5,
      FunctionResponseTypes: ['ReportBatchItemFailures'],
      EventSourceArn: { 'Fn::GetAtt': [id(fn.queue as Queue), 'Arn'] },
      ScalingConfig: { MaximumConcurrency: 3 },
    });
    expect(resources[id(fn.queue as Queue)]?.Properties).toMatchObject({
      VisibilityTimeout: 120,
      RedrivePolicy: {
        deadLetterTargetArn: { 'Fn::GetAtt': [id(fn.deadLetterQueue), 'Arn'] },
        maxReceiveCount: 4,
      },
    });
  });

  it('alarms on errors, throttles and dead letters, notifying the topic', () => {
    const { resources, fn, id, topic } = build();
    const alarms = Object.values(resources).filter((resource) => resource.Type === 'AWS::CloudWatch::Alarm');
    const byMetric = Object.fromEntries(
      alarms.map((alarm) => [alarm.Properties?.MetricName, alarm.Properties]),
    );
    expect(Object.keys(byMetric).sort()).toEqual([
      'ApproximateNumberOfMessagesVisible',
      'Errors',
      'Throttles',
    ]);
    expect(byMetric.Errors?.Dimensions).toEqual([{ Name: 'FunctionName', Value: { Ref: id(fn.function) } }]);
    expect(byMetric.ApproximateNumberOfMessagesVisible?.Dimensions).toEqual([
      { Name: 'QueueName', Value: { 'Fn::GetAtt': [id(fn.deadLetterQueue), 'QueueName'] } },
    ]);
    for (const alarm of alarms) {
      expect(alarm.Properties).toMatchObject({
        Threshold: 0,
        AlarmActions: [{ Ref: id(topic) }],
        OKActions: [{ Ref: id(topic) }],
      });
    }
  });

  it('tags its resources with its name and kind', () => {
    const { resources, fn, id } = build();
    for (const construct of [fn.function, fn.deadLetterQueue, fn.queue as Queue, fn.logGroup]) {
      expect(resources[id(construct)]?.Properties?.Tags).toEqual(
        expect.arrayContaining([
          { Key: 'citadel:workload', Value: 'orders-receipts' },
          { Key: 'citadel:workload-kind', Value: 'function' },
        ]),
      );
    }
  });

  it.each([
    { prop: 'handler', change: { handler: 'index' } },
    { prop: 'handler', change: { handler: '../index.handler' } },
    { prop: 'codeDirectory', change: { codeDirectory: 'relative/dir' } },
    { prop: 'codeDirectory', change: { codeDirectory: `${code}/../x` } },
    { prop: 'timeoutSeconds', change: { timeoutSeconds: 0 } },
    { prop: 'timeoutSeconds', change: { timeoutSeconds: 901 } },
    { prop: 'reservedConcurrency', change: { reservedConcurrency: 0 } },
    { prop: 'memoryMiB', change: { memoryMiB: 64 } },
    { prop: 'queue.maxReceiveCount', change: { queue: { maxReceiveCount: 11 } } },
    { prop: 'environment', change: { environment: { AWS_REGION: 'eu-west-1' } } },
    { prop: 'environment', change: { environment: { LAMBDA_TASK_ROOT: '/x' } } },
    { prop: 'environment', change: { environment: { DB_HOST: 'db.example.com' } } },
    { prop: 'environment', change: { environment: { 'bad-name': 'x' } } },
  ])('fails on a bad $prop before creating anything', ({ prop, change }) => {
    const fixture = workloadFixture();
    const act = () =>
      new LambdaWorkload(fixture.stack, 'Receipts', {
        platform: workloadPlatform(fixture),
        name: 'orders-receipts',
        codeDirectory: code,
        handler: 'index.handler',
        timeoutSeconds: 20,
        reservedConcurrency: 1,
        every: { hours: 1 },
        ...change,
      } as LambdaWorkloadProps);
    let error: unknown;
    try {
      act();
    } catch (caught) {
      error = caught;
    }
    expect(error).toBeInstanceOf(InvalidPropError);
    expect(error).toMatchObject({ prop });
    expect((error as Error).message).toContain('Fixture/Receipts');
    expect(fixture.stack.node.tryFindChild('Receipts')?.node.children ?? []).toHaveLength(0);
  });
});
