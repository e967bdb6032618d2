import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { Stack, type CfnElement } from 'aws-cdk-lib';
import { Template } from 'aws-cdk-lib/assertions';
import type { TaskDefinition } from 'aws-cdk-lib/aws-ecs';
import type { IConstruct } from 'constructs';
import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildCitadelApp, type CitadelApp } from '@citadel/infra';
import { ConfigError, loadEnvironmentsFrom, type EnvironmentConfig } from '@citadel/infra/environments';
import {
  validateApplication,
  type ApplicationDeclaration,
  type JobWorkload,
  type ServiceWorkload,
  type WorkerWorkload,
  type Workload,
} from '@citadel/infra/workloads';
import type { CitadelStage } from '../../packages/infra/lib/citadel-stage.js';
import { InvalidPropError } from '../../packages/infra/lib/invalid-prop-error.js';
import {
  actionsOf,
  exportedValue,
  type Resource,
} from '../../packages/infra/test/support/template-queries.js';
import { TemplateIndex } from '../../packages/report/src/report/template-index.js';
import {
  acknowledgmentsOf,
  buildWorkloadsSection,
} from '../../packages/report/src/report/workloads-section.js';
import { ORDERS_APPLICATION } from '../../examples/orders/application.js';

/**
 * The orders example as its team would deploy it: its two environment files and its
 * application, built and synthesized with every rule pack (an unacknowledged finding fails
 * synth), then checked for what each workload can actually do.
 */

const ENVIRONMENTS = fileURLToPath(new URL('../../examples/orders/environments/', import.meta.url));
type Json = Record<string, unknown>;

let configs: EnvironmentConfig[];
let built: CitadelApp;
let outdir: string;

beforeAll(async () => {
  configs = await loadEnvironmentsFrom(ENVIRONMENTS);
  outdir = mkdtempSync(join(tmpdir(), 'citadel-orders-'));
  built = buildCitadelApp({ configs, application: ORDERS_APPLICATION, outdir });
  built.app.synth();
});

afterAll(() => {
  if (outdir) rmSync(outdir, { recursive: true, force: true });
});

function stage(name: string): CitadelStage {
  const found = built.stages.find((candidate) => candidate.stageName === name);
  if (!found) throw new Error(`no stage ${name}`);
  return found;
}

function templateOf(stack: Stack): Template {
  const assembly = (stack.node.scope as CitadelStage).synth();
  return Template.fromJSON(assembly.getStackArtifact(stack.artifactId).template as Json);
}

function logicalIdOf(construct: IConstruct): string {
  const element = (construct.node.defaultChild ?? construct) as CfnElement;
  return Stack.of(construct).getLogicalId(element);
}

function resource(template: Template, logicalId: string): Resource {
  const found = (template.toJSON().Resources as Record<string, Resource>)[logicalId];
  if (!found) throw new Error(`no resource ${logicalId}`);
  return found;
}

function resourcesOfType(template: Template, type: string): [string, Resource][] {
  return Object.entries(template.findResources(type) as Record<string, Resource>);
}

/** Every statement of the identity policies attached to a role. */
function statementsOfRole(template: Template, roleLogicalId: string): Json[] {
  return resourcesOfType(template, 'AWS::IAM::Policy')
    .filter(([, policy]) =>
      ((policy.Properties?.Roles ?? []) as unknown[]).some(
        (role) => JSON.stringify(role) === JSON.stringify({ Ref: roleLogicalId }),
      ),
    )
    .flatMap(([, policy]) => (policy.Properties?.PolicyDocument as { Statement: Json[] }).Statement);
}

function resourcesOfStatement(statement: Json): unknown[] {
  const resources = statement.Resource;
  return Array.isArray(resources) ? resources : [resources];
}

const arnOf = (logicalId: string) => ({ 'Fn::GetAtt': [logicalId, 'Arn'] });

function containerOf(template: Template, taskDefinitionLogicalId: string): Json {
  const definitions = resource(template, taskDefinitionLogicalId).Properties?.ContainerDefinitions as Json[];
  expect(definitions).toHaveLength(1);
  return definitions[0] as Json;
}

const ordersApi = (environment: string) => {
  const service = stage(environment).app.services.find((candidate) => candidate.name === 'orders-api');
  if (!service) throw new Error('orders-api was not built');
  return service;
};
const fulfilment = (environment: string) => {
  const worker = stage(environment).app.workers.find((candidate) => candidate.name === 'orders-fulfilment');
  if (!worker) throw new Error('orders-fulfilment was not built');
  return worker;
};
const receipts = (environment: string) => {
  const fn = stage(environment).app.functions.find((candidate) => candidate.name === 'orders-receipts');
  if (!fn) throw new Error('orders-receipts was not built');
  return fn;
};
const nightlyReport = (environment: string) => {
  const job = stage(environment).app.jobs.find((candidate) => candidate.name === 'orders-nightly-report');
  if (!job) throw new Error('orders-nightly-report was not built');
  return job;
};

describe('the orders example', () => {
  it('loads its own environments and synthesizes both with no unacknowledged finding', () => {
    expect(configs.map((config) => [config.name, config.account, config.region])).toEqual([
      ['prod', '555555555555', 'eu-west-1'],
      ['staging', '444444444444', 'eu-west-1'],
    ]);
    // synth in beforeAll throws on any unacknowledged finding; every stage produced its stacks.
    expect(built.stages.map((candidate) => candidate.synth().stacks.length)).toEqual([6, 6]);
  });

  it('keeps Citadel’s own workloads and adds the team’s four', () => {
    expect(ORDERS_APPLICATION.workloads.map((workload) => `${workload.kind}:${workload.name}`)).toEqual([
      'service:api',
      'function:payment-processor',
      'job:idempotency-retention',
      'job:payment-outbox',
      'service:orders-api',
      'worker:orders-fulfilment',
      'job:orders-nightly-report',
      'function:orders-receipts',
    ]);
  });
});

describe('orders-api in staging', () => {
  it('is reached at shop.<zone>/orders and below, on its own target group, health-checked at /orders/health', () => {
    const app = templateOf(stage('staging').app);
    const targetGroup = logicalIdOf(ordersApi('staging').targetGroup);
    const rules = resourcesOfType(app, 'AWS::ElasticLoadBalancingV2::ListenerRule').filter(([, rule]) =>
      JSON.stringify(rule.Properties?.Actions).includes(JSON.stringify({ Ref: targetGroup })),
    );
    expect(rules).toHaveLength(1);
    const [, rule] = rules[0] as [string, Resource];
    expect(rule.Properties?.ListenerArn).toEqual({
      Ref: logicalIdOf(stage('staging').app.edge.httpsListener),
    });
    expect(rule.Properties?.Actions).toEqual([{ Type: 'forward', TargetGroupArn: { Ref: targetGroup } }]);
    expect(rule.Properties?.Conditions).toEqual([
      { Field: 'host-header', HostHeaderConfig: { Values: ['shop.staging.orders.example.com'] } },
      { Field: 'path-pattern', PathPatternConfig: { Values: ['/orders', '/orders/*'] } },
    ]);
    expect(rule.Properties?.Priority).toBe(100);
    expect(resource(app, targetGroup).Properties).toMatchObject({
      Port: 8080,
      Protocol: 'HTTP',
      HealthCheckPath: '/orders/health',
      Matcher: { HttpCode: '200' },
      TargetType: 'ip',
    });
  });

  it('runs as 65532:65532 on a read-only root filesystem, from its own pinned image', () => {
    const app = templateOf(stage('staging').app);
    const container = containerOf(app, logicalIdOf(ordersApi('staging').taskDefinition));
    expect(container.User).toBe('65532:65532');
    expect(container.ReadonlyRootFilesystem).toBe(true);
    expect(JSON.stringify(container.Image)).toContain('"444444444444.dkr.ecr.eu-west-1."');
    expect(JSON.stringify(container.Image)).toContain('"/orders/orders-api:2026.11.3"');
    expect(container.PortMappings).toEqual([{ ContainerPort: 8080, Name: 'orders-api', Protocol: 'tcp' }]);
  });

  it('runs in private subnets without a public IP, rolls back a failed deploy, and leaves the count to autoscaling', () => {
    const app = templateOf(stage('staging').app);
    const network = templateOf(stage('staging').network);
    const service = resource(app, logicalIdOf(ordersApi('staging').service)).Properties as Json;
    expect(service.DesiredCount).toBeUndefined();
    expect(service.DeploymentConfiguration).toMatchObject({
      DeploymentCircuitBreaker: { Enable: true, Rollback: true },
      MinimumHealthyPercent: 100,
    });
    const vpc = (service.NetworkConfiguration as { AwsvpcConfiguration: Json }).AwsvpcConfiguration;
    expect(vpc.AssignPublicIp).toBe('DISABLED');
    const subnets = (vpc.Subnets as unknown[]).map((subnet) => exportedValue(subnet, network));
    const appSubnets = stage('staging').network.vpc.selectSubnets(
      stage('staging').network.appSubnets,
    ).subnets;
    expect(subnets).toEqual(appSubnets.map((subnet) => ({ Ref: logicalIdOf(subnet) })));
  });

  it('gets its secret by reference to the named secret, never as a plain variable', () => {
    const app = templateOf(stage('staging').app);
    const service = ordersApi('staging');
    const container = containerOf(app, logicalIdOf(service.taskDefinition));
    expect(container.Secrets).toEqual([
      {
        Name: 'WEBHOOK_SIGNING_SECRET',
        ValueFrom: 'arn:aws:secretsmanager:eu-west-1:444444444444:secret:orders/webhook-signing-secret',
      },
    ]);
    const variables = (container.Environment as { Name: string }[]).map((variable) => variable.Name);
    expect(variables).not.toContain('WEBHOOK_SIGNING_SECRET');
    expect(variables).toEqual(expect.arrayContaining(['LOG_LEVEL', 'ORDERS_CURRENCY', 'PORT', 'DB_USER']));
    // Only the execution role reads it, only this secret (with Secrets Manager's random suffix).
    const reads = (roleId: string) =>
      statementsOfRole(app, roleId).filter((statement) =>
        actionsOf(statement).includes('secretsmanager:GetSecretValue'),
      );
    expect(reads(logicalIdOf(service.taskRole))).toEqual([]);
    expect(reads(logicalIdOf(service.executionRole)).flatMap(resourcesOfStatement)).toEqual([
      'arn:aws:secretsmanager:eu-west-1:444444444444:secret:orders/webhook-signing-secret-??????',
    ]);
  });

  it('may sign in to the database only as orders_api, and send only to the fulfilment queue', () => {
    const app = templateOf(stage('staging').app);
    const statements = statementsOfRole(app, logicalIdOf(ordersApi('staging').taskRole));
    const connect = statements.filter((statement) => actionsOf(statement).includes('rds-db:connect'));
    expect(connect).toHaveLength(1);
    const dbUsers = resourcesOfStatement(connect[0] as Json).map((arn) => JSON.stringify(arn));
    expect(dbUsers).toHaveLength(1);
    expect(dbUsers[0]).toMatch(/"\/orders_api"\]\]\}$/);

    const sends = statements.filter((statement) =>
      actionsOf(statement).some((action) => /^sqs:/.test(action)),
    );
    expect(sends.flatMap(actionsOf).sort()).toEqual([
      'sqs:GetQueueAttributes',
      'sqs:GetQueueUrl',
      'sqs:SendMessage',
    ]);
    expect(sends.flatMap(resourcesOfStatement)).toEqual(
      expect.arrayContaining([
        arnOf(logicalIdOf(fulfilment('staging').queue)),
        arnOf(logicalIdOf(receipts('staging').queue as IConstruct)),
      ]),
    );
    expect(sends.flatMap(resourcesOfStatement)).toHaveLength(2);
    const payments = arnOf(logicalIdOf(stage('staging').app.payments.queue));
    expect(JSON.stringify(statements)).not.toContain(JSON.stringify(payments));
    expect(statements.flatMap(actionsOf).filter((action) => action.includes('*'))).toEqual([]);
  });
  // The queue's name is generated, so the sender learns its URL as <NAME>_QUEUE_URL.
  it('is told the URL of the queue it sends to', () => {
    const app = templateOf(stage('staging').app);
    const container = containerOf(app, logicalIdOf(ordersApi('staging').taskDefinition));
    const queue = { Ref: logicalIdOf(fulfilment('staging').queue) };
    expect((container.Environment as { Value: unknown }[]).map((variable) => variable.Value)).toContainEqual(
      queue,
    );
  });
});

describe('orders-fulfilment in staging', () => {
  it('may receive and delete only its own queue’s messages, signing in only as orders_worker', () => {
    const app = templateOf(stage('staging').app);
    const worker = fulfilment('staging');
    const statements = statementsOfRole(app, logicalIdOf(worker.taskRole));
    const consuming = statements.filter((statement) =>
      actionsOf(statement).some((action) => ['sqs:ReceiveMessage', 'sqs:DeleteMessage'].includes(action)),
    );
    expect(consuming.flatMap(resourcesOfStatement)).toEqual([arnOf(logicalIdOf(worker.queue))]);
    expect(
      statements
        .flatMap(actionsOf)
        .filter((action) => action.startsWith('sqs:'))
        .sort(),
    ).toEqual([
      'sqs:ChangeMessageVisibility',
      'sqs:DeleteMessage',
      'sqs:GetQueueAttributes',
      'sqs:ReceiveMessage',
    ]);
    const connect = statements.filter((statement) => actionsOf(statement).includes('rds-db:connect'));
    expect(connect.flatMap(resourcesOfStatement).map((arn) => JSON.stringify(arn))).toEqual([
      expect.stringMatching(/"\/orders_worker"\]\]\}$/),
    ]);
  });

  // Sending to a KMS-encrypted queue needs kms:GenerateDataKey on its key as well as sqs:SendMessage.
  it('may encrypt what it sends when it declares sendsTo (here: payments)', () => {
    const staging = configs.find((config) => config.name === 'staging') as EnvironmentConfig;
    const application = validateApplication(
      replacing('orders-fulfilment', (w) => ({ ...(w as WorkerWorkload), sendsTo: ['payments'] })),
      'orders',
    );
    const [built] = buildCitadelApp({ configs: [staging], application, outdir }).stages as CitadelStage[];
    const app = Template.fromStack((built as CitadelStage).app);
    const worker = (built as CitadelStage).app.workers[0];
    const actions = statementsOfRole(app, logicalIdOf(worker!.taskRole)).flatMap(actionsOf);
    expect(actions).toContain('sqs:SendMessage');
    expect(actions).toContain('kms:GenerateDataKey');
  });

  it('keeps its queue and dead-letter queue encrypted with the messages key, refusing non-TLS access', () => {
    const network = templateOf(stage('staging').network);
    const app = templateOf(stage('staging').app);
    const worker = fulfilment('staging');
    const messagesKey = logicalIdOf(stage('staging').network.keys.messages);
    for (const queue of [worker.queue, worker.deadLetterQueue]) {
      const queueId = logicalIdOf(queue);
      const keyReference = resource(app, queueId).Properties?.KmsMasterKeyId;
      expect(exportedValue(keyReference, network)).toEqual(arnOf(messagesKey));
      const denies = resourcesOfType(app, 'AWS::SQS::QueuePolicy')
        .filter(
          ([, policy]) => JSON.stringify(policy.Properties?.Queues) === JSON.stringify([{ Ref: queueId }]),
        )
        .flatMap(([, policy]) => (policy.Properties?.PolicyDocument as { Statement: Json[] }).Statement);
      expect(denies).toContainEqual({
        Effect: 'Deny',
        Principal: { AWS: '*' },
        Action: 'sqs:*',
        Condition: { Bool: { 'aws:SecureTransport': 'false' } },
        Resource: arnOf(queueId),
      });
    }
    expect(resource(app, logicalIdOf(worker.queue)).Properties?.RedrivePolicy).toEqual({
      deadLetterTargetArn: arnOf(logicalIdOf(worker.deadLetterQueue)),
      maxReceiveCount: 5,
    });
  });
});

describe('orders-nightly-report in staging', () => {
  it('runs once a day as orders_reports, non-root on a read-only root filesystem', () => {
    const app = templateOf(stage('staging').app);
    const job = nightlyReport('staging');
    expect(resource(app, logicalIdOf(job.schedule)).Properties?.ScheduleExpression).toBe('rate(1 day)');
    const container = containerOf(app, logicalIdOf(job.taskDefinition));
    expect(container).toMatchObject({ User: '65532:65532', ReadonlyRootFilesystem: true });
    expect(container.Environment).toContainEqual({ Name: 'DB_USER', Value: 'orders_reports' });
    expect(container.Environment).toContainEqual({ Name: 'JOB_TIMEOUT_SECONDS', Value: '3600' });
  });

  // A job that declares an image runs it, not the application (Citadel API) image.
  it('runs the image it declares: orders/orders-api at its pinned tag', () => {
    const app = templateOf(stage('staging').app);
    const container = containerOf(app, logicalIdOf(nightlyReport('staging').taskDefinition));
    expect(JSON.stringify(container.Image)).toContain('"/orders/orders-api:2026.11.3"');
  });
});

describe('the database bootstrap', () => {
  it('lets each of the team’s workloads sign in as its own role, beside Citadel’s', () => {
    const app = templateOf(stage('staging').app);
    const bootstrap = resource(app, logicalIdOf(stage('staging').app.bootstrap));
    expect(bootstrap.Properties?.LoginRoles).toEqual([
      'citadel_app',
      'citadel_processor',
      'citadel_retention',
      'citadel_outbox',
      'orders_api',
      'orders_worker',
      'orders_reports',
      'orders_receipts',
    ]);
  });
});

describe('the alarms of the monitoring stack', () => {
  const alarmsOf = (environment: string) => {
    const monitoring = templateOf(stage(environment).monitoring);
    const topic = { Ref: logicalIdOf(stage(environment).monitoring.alarmTopic.topic) };
    const alarms = resourcesOfType(monitoring, 'AWS::CloudWatch::Alarm').map(
      ([, alarm]) => alarm.Properties as Json,
    );
    return { monitoring, topic, alarms };
  };
  /** The value of an alarm's dimension, followed into the app stack when it is imported from there. */
  const dimensionIn = (app: Template, alarm: Json, name: string) => {
    const value = ((alarm.Dimensions ?? []) as { Name: string; Value: unknown }[]).find(
      (entry) => entry.Name === name,
    )?.Value;
    return value === undefined ? undefined : exportedValue(value, app);
  };

  it('watch the orders-api target group and notify the alarm topic', () => {
    const { topic, alarms } = alarmsOf('staging');
    const app = templateOf(stage('staging').app);
    const targetGroup = logicalIdOf(ordersApi('staging').targetGroup);
    const watching = alarms.filter(
      (alarm) =>
        JSON.stringify(dimensionIn(app, alarm, 'TargetGroup')) ===
        JSON.stringify({ 'Fn::GetAtt': [targetGroup, 'TargetGroupFullName'] }),
    );
    expect(watching.map((alarm) => alarm.MetricName).sort()).toEqual([
      'HTTPCode_Target_5XX_Count',
      'UnHealthyHostCount',
    ]);
    for (const alarm of watching) {
      expect(alarm.AlarmActions).toEqual([topic]);
      expect(alarm.OKActions).toEqual([topic]);
    }
  });

  it('watch the worker’s dead-letter queue and notify the alarm topic', () => {
    const { topic, alarms } = alarmsOf('staging');
    const app = templateOf(stage('staging').app);
    const deadLetters = logicalIdOf(fulfilment('staging').deadLetterQueue);
    const watching = alarms.filter(
      (alarm) =>
        JSON.stringify(dimensionIn(app, alarm, 'QueueName')) ===
        JSON.stringify({ 'Fn::GetAtt': [deadLetters, 'QueueName'] }),
    );
    expect(watching).toHaveLength(1);
    expect(watching[0]).toMatchObject({
      MetricName: 'ApproximateNumberOfMessagesVisible',
      Threshold: 0,
      ComparisonOperator: 'GreaterThanThreshold',
      AlarmActions: [topic],
    });
  });

  it('watch the job’s success metric, which its log group feeds, and notify the alarm topic', () => {
    const { topic, alarms } = alarmsOf('staging');
    const app = templateOf(stage('staging').app);
    const job = nightlyReport('staging');
    const filters = resourcesOfType(app, 'AWS::Logs::MetricFilter').filter(
      ([, filter]) =>
        JSON.stringify(filter.Properties?.LogGroupName) ===
        JSON.stringify({ Ref: logicalIdOf(job.logGroup) }),
    );
    expect(filters).toHaveLength(1);
    const [transformation] = (filters[0]?.[1].Properties?.MetricTransformations ?? []) as Json[];
    const watching = alarms.filter(
      (alarm) =>
        alarm.MetricName === transformation?.MetricName &&
        alarm.Namespace === transformation?.MetricNamespace,
    );
    expect(transformation?.MetricName).toBe('orders-nightly-report-succeeded');
    expect(watching).toHaveLength(1);
    expect(watching[0]).toMatchObject({
      ComparisonOperator: 'LessThanThreshold',
      Threshold: 1,
      TreatMissingData: 'breaching',
      AlarmActions: [topic],
    });
  });
});

describe('per-environment sizes', () => {
  /** Task size, scaling bounds and CPU target of a container workload's service in one environment. */
  const sizeOf = (
    environment: string,
    workload: { readonly taskDefinition: IConstruct; readonly service: IConstruct },
  ) => {
    const app = templateOf(stage(environment).app);
    const task = resource(app, logicalIdOf(workload.taskDefinition)).Properties as Json;
    const serviceId = logicalIdOf(workload.service);
    const targets = resourcesOfType(app, 'AWS::ApplicationAutoScaling::ScalableTarget').filter(([, target]) =>
      JSON.stringify(target.Properties?.ResourceId).includes(`"${serviceId}"`),
    );
    expect(targets).toHaveLength(1);
    const [targetId, target] = targets[0] as [string, Resource];
    const cpuPolicies = resourcesOfType(app, 'AWS::ApplicationAutoScaling::ScalingPolicy')
      .map(([, policy]) => policy.Properties as Json)
      .filter(
        (policy) =>
          policy.PolicyType === 'TargetTrackingScaling' &&
          JSON.stringify(policy.ScalingTargetId) === JSON.stringify({ Ref: targetId }),
      );
    expect(cpuPolicies).toHaveLength(1);
    return {
      cpu: task.Cpu,
      memory: task.Memory,
      minTasks: target.Properties?.MinCapacity,
      maxTasks: target.Properties?.MaxCapacity,
      cpuTarget: (cpuPolicies[0]?.TargetTrackingScalingPolicyConfiguration as { TargetValue?: number })
        .TargetValue,
    };
  };

  it('gives orders-api its prod size in prod only', () => {
    expect(sizeOf('staging', ordersApi('staging'))).toEqual({
      cpu: '256',
      memory: '512',
      minTasks: 1,
      maxTasks: 2,
      cpuTarget: 60,
    });
    expect(sizeOf('prod', ordersApi('prod'))).toEqual({
      cpu: '1024',
      memory: '2048',
      minTasks: 3,
      maxTasks: 10,
      cpuTarget: 50,
    });
  });

  it('changes only the worker’s task bounds in prod, keeping its declared task size', () => {
    expect(sizeOf('staging', fulfilment('staging'))).toEqual({
      cpu: '256',
      memory: '512',
      minTasks: 1,
      maxTasks: 4,
      cpuTarget: 60,
    });
    expect(sizeOf('prod', fulfilment('prod'))).toEqual({
      cpu: '256',
      memory: '512',
      minTasks: 2,
      maxTasks: 20,
      cpuTarget: 60,
    });
  });
});

describe('the compliance report of the example', () => {
  it('lists each of the team’s workloads with every guardrail held', () => {
    const assembly = built.app.synth();
    const staging = stage('staging');
    const section = buildWorkloadsSection(new TemplateIndex(assembly, staging), acknowledgmentsOf(staging));
    const rows = Object.fromEntries(section.rows.map((row) => [row.name, row]));
    expect(
      ['orders-api', 'orders-fulfilment', 'orders-nightly-report', 'orders-receipts'].map((name) => [
        name,
        rows[name]?.kind,
      ]),
    ).toEqual([
      ['orders-api', 'service'],
      ['orders-fulfilment', 'worker'],
      ['orders-nightly-report', 'job'],
      ['orders-receipts', 'function'],
    ]);
    expect(rows['orders-api']?.routes).toEqual([
      'shop.staging.orders.example.com/orders',
      'shop.staging.orders.example.com/orders/*',
    ]);
    expect(rows['orders-receipts']?.guardrails.alarmed.verdict).toBe('yes');
    expect(rows['orders-receipts']?.guardrails.encryptedRetainedLogs.verdict).toBe('yes');
    expect(rows['orders-receipts']?.guardrails.scopedIam.verdict).toBe('yes');
    expect(rows['orders-receipts']?.iam.databaseRoles).toEqual(['orders_receipts']);
    const failing = section.rows.flatMap((row) =>
      Object.entries(row.guardrails)
        .filter(([, check]) => check.verdict === 'no')
        .map(([id, check]) => `${row.name} ${id}: ${check.detail}`),
    );
    expect(failing).toEqual([]);
    expect(rows['orders-api']?.iam.databaseRoles).toEqual(['orders_api']);
    expect(rows['orders-fulfilment']?.iam.databaseRoles).toEqual(['orders_worker']);
    expect(rows['orders-nightly-report']?.iam.databaseRoles).toEqual(['orders_reports']);
  });
});

// Hostile declarations: each a change to the example a team could make by mistake.

const workloadsOf = (application: ApplicationDeclaration) => application.workloads;
const named = <W extends Workload>(name: string) =>
  workloadsOf(ORDERS_APPLICATION).find((workload) => workload.name === name) as W;
const replacing = (name: string, change: (workload: Workload) => Workload | Workload[]) => ({
  workloads: workloadsOf(ORDERS_APPLICATION).flatMap((workload) =>
    workload.name === name ? change(structuredClone(workload)) : [workload],
  ),
});

function configRefusal(candidate: unknown): ConfigError {
  try {
    validateApplication(candidate, 'orders');
  } catch (error) {
    if (error instanceof ConfigError) return error;
    throw error;
  }
  throw new Error('the declaration was accepted');
}

describe('a hostile declaration', () => {
  const api = named<ServiceWorkload>('orders-api');
  const report = named<JobWorkload>('orders-nightly-report');
  const worker = named<WorkerWorkload>('orders-fulfilment');

  it.each([
    {
      what: 'two workloads of one name',
      candidate: replacing('orders-fulfilment', (w) => [w, { ...(w as WorkerWorkload), name: 'orders-api' }]),
      field: 'workloads[6].name',
    },
    {
      what: 'a second service on the same path prefix',
      candidate: replacing('orders-api', (w) => [
        { ...(w as ServiceWorkload), routing: { pathPrefix: '/orders', priority: 100 } },
        { ...api, name: 'orders-admin', routing: { pathPrefix: '/orders', priority: 101 } },
      ]),
      field: 'workloads[5].routing.pathPrefix',
    },
    {
      what: 'a second service on the same listener priority',
      candidate: replacing('orders-api', (w) => [
        w,
        {
          ...api,
          name: 'orders-admin',
          healthPath: '/admin/health',
          routing: { pathPrefix: '/admin', priority: 100 },
        },
      ]),
      field: 'workloads[5].routing.priority',
    },
    {
      what: 'the latest tag on a service',
      candidate: replacing('orders-api', (w) => ({
        ...(w as ServiceWorkload),
        image: { ...api.image, tag: 'latest' },
      })),
      field: 'workloads[4].image.tag',
    },
    {
      what: 'the latest tag on a job',
      candidate: replacing('orders-nightly-report', (w) => ({
        ...(w as JobWorkload),
        image: { repository: 'orders/orders-api', tag: 'latest' },
      })),
      field: 'workloads[6].image.tag',
    },
    {
      what: 'a sendsTo naming no worker',
      candidate: replacing('orders-api', (w) => ({
        ...(w as ServiceWorkload),
        sendsTo: ['orders-fulfilments'],
      })),
      field: 'workloads[4].sendsTo[0]',
    },
    {
      what: 'a sendsTo naming a job rather than a worker',
      candidate: replacing('orders-api', (w) => ({
        ...(w as ServiceWorkload),
        sendsTo: ['orders-nightly-report'],
      })),
      field: 'workloads[4].sendsTo[0]',
    },
    {
      what: 'a health path outside the routing prefix',
      candidate: replacing('orders-api', (w) => ({ ...(w as ServiceWorkload), healthPath: '/health' })),
      field: 'workloads[4].healthPath',
    },
    {
      what: 'a job timeout longer than its interval',
      candidate: replacing('orders-nightly-report', (w) => ({ ...(w as JobWorkload), timeoutMinutes: 1441 })),
      field: 'workloads[6].timeoutMinutes',
    },
    {
      what: 'a privileged port',
      candidate: replacing('orders-api', (w) => ({ ...(w as ServiceWorkload), port: 80 })),
      field: 'workloads[4].port',
    },
    {
      what: 'a worker scaling to fewer tasks than its minimum',
      candidate: replacing('orders-fulfilment', (w) => ({
        ...(w as WorkerWorkload),
        size: { ...worker.size, minTasks: 5, maxTasks: 2 },
      })),
      field: 'workloads[5].size.maxTasks',
    },
  ])('fails when it has $what, naming $field', ({ candidate, field }) => {
    const error = configRefusal(candidate);
    expect(error.field).toBe(field);
    expect(error.message).toContain(field);
  });

  it('accepts the example unchanged, so each refusal above is the change’s doing', () => {
    expect(validateApplication(structuredClone(ORDERS_APPLICATION), 'orders').workloads).toHaveLength(8);
    expect(report.every).toEqual({ days: 1 });
  });

  it('accepts a health path only at the routing prefix or below it', () => {
    fc.assert(
      fc.property(fc.stringMatching(/^\/[a-z0-9/_.-]{0,24}$/), (healthPath) => {
        const candidate = replacing('orders-api', (w) => ({ ...(w as ServiceWorkload), healthPath }));
        const underPrefix = healthPath === '/orders' || healthPath.startsWith('/orders/');
        if (underPrefix) expect(() => validateApplication(candidate, 'orders')).not.toThrow();
        else expect(configRefusal(candidate).field).toBe('workloads[4].healthPath');
      }),
      { examples: [['/orders'], ['/orders/'], ['/ordersx/health'], ['/order'], ['/orders-health']] },
    );
  });

  /** The declaration's refusal: by validateApplication, or else when the environment is built from it. */
  function refusal(candidate: unknown): { field: string; message: string } {
    const staging = configs.find((config) => config.name === 'staging') as EnvironmentConfig;
    try {
      const application = validateApplication(candidate, 'orders');
      buildCitadelApp({ configs: [staging], application, outdir });
    } catch (error) {
      if (error instanceof ConfigError) return { field: error.field, message: error.message };
      if (error instanceof InvalidPropError) return { field: error.prop, message: error.message };
      throw error;
    }
    throw new Error('the application was built');
  }

  it('fails when a second service takes orders-api’s host and path, naming its host in the environment', () => {
    const { field, message } = refusal(
      replacing('orders-api', (w) => [
        w,
        { ...api, name: 'orders-admin', routing: { ...api.routing, priority: 101 } },
      ]),
    );
    expect(field).toBe('workloads[5].routing.host');
    expect(message).toContain('shop.staging.orders.example.com/orders');
  });

  it.each([
    { where: 'environment', variable: 'DB_HOST', change: { environment: { DB_HOST: 'db.example.com' } } },
    { where: 'secrets', variable: 'DB_USER', change: { secrets: { DB_USER: 'orders/db-user' } } },
  ])('fails when it sets the platform’s $variable through $where', ({ variable, change }) => {
    const { field, message } = refusal(
      replacing('orders-api', (w) => ({ ...(w as ServiceWorkload), ...change })),
    );
    expect(field).toMatch(/environment|secrets/);
    expect(message).toContain(variable);
  });
});

describe('an image tag given at deploy time', () => {
  const stagingWith = (context: Json) =>
    withCliContext(context, () => {
      const staging = configs.find((config) => config.name === 'staging') as EnvironmentConfig;
      const [only] = buildCitadelApp({ configs: [staging], application: ORDERS_APPLICATION, outdir }).stages;
      return only as CitadelStage;
    });
  const imageOf = (workload: { readonly taskDefinition: TaskDefinition }) =>
    JSON.stringify(
      Stack.of(workload.taskDefinition).resolve(workload.taskDefinition.defaultContainer?.imageName),
    );

  it('replaces the declared tag of that one workload (--context image:orders-api=<tag>)', () => {
    const { app } = stagingWith({ 'image:orders-api': '2026.12.1' });
    expect(app.services.map(imageOf)).toEqual([expect.stringContaining('"/orders/orders-api:2026.12.1"')]);
    expect(app.workers.map(imageOf)).toEqual([expect.stringContaining('"/orders/orders-api:2026.11.3"')]);
  });

  it('fails when the tag given is latest', () => {
    expect(() => stagingWith({ 'image:orders-api': 'latest' })).toThrow(
      expect.objectContaining({ name: 'InvalidPropError', prop: 'context image:orders-api' }),
    );
  });
});

/** Runs `build` with context as the CDK CLI passes it (`--context key=value` reaches the app as CDK_CONTEXT_JSON). */
function withCliContext<T>(context: Json, build: () => T): T {
  const previous = process.env.CDK_CONTEXT_JSON;
  process.env.CDK_CONTEXT_JSON = JSON.stringify(context);
  try {
    return build();
  } finally {
    if (previous === undefined) delete process.env.CDK_CONTEXT_JSON;
    else process.env.CDK_CONTEXT_JSON = previous;
  }
}

describe('shop.<zone>, the host of orders-api', () => {
  it.each(['staging', 'prod'])(
    'in %s: one certificate for it on the HTTPS listener and an alias record to the load balancer',
    (environment) => {
      const app = templateOf(stage(environment).app);
      const zone = environment === 'prod' ? 'orders.example.com' : 'staging.orders.example.com';
      const hostnames = stage(environment).app.serviceHostnames;
      if (!hostnames) throw new Error('no service hostnames');
      expect(resource(app, logicalIdOf(hostnames.certificate)).Properties).toMatchObject({
        DomainName: `shop.${zone}`,
        ValidationMethod: 'DNS',
      });
      const attached = resourcesOfType(app, 'AWS::ElasticLoadBalancingV2::ListenerCertificate').map(
        ([, certificate]) => certificate.Properties,
      );
      expect(attached).toEqual([
        {
          ListenerArn: { Ref: logicalIdOf(stage(environment).app.edge.httpsListener) },
          Certificates: [{ CertificateArn: { Ref: logicalIdOf(hostnames.certificate) } }],
        },
      ]);
      const records = resourcesOfType(app, 'AWS::Route53::RecordSet')
        .map(([, record]) => record.Properties as Json)
        .filter((record) => record.Name === `shop.${zone}.`);
      expect(records).toHaveLength(1);
      expect(records[0]?.AliasTarget).toMatchObject({
        HostedZoneId: {
          'Fn::GetAtt': [logicalIdOf(stage(environment).app.edge.loadBalancer), 'CanonicalHostedZoneID'],
        },
      });
    },
  );

  it('is behind the same WAF: the web ACL is associated with the load balancer the host resolves to', () => {
    const app = templateOf(stage('staging').app);
    const associations = resourcesOfType(app, 'AWS::WAFv2::WebACLAssociation').map(
      ([, association]) => association.Properties?.ResourceArn,
    );
    expect(associations).toEqual([{ Ref: logicalIdOf(stage('staging').app.edge.loadBalancer) }]);
  });
});

describe('orders-receipts in staging', () => {
  it('may be invoked by the fulfilment worker’s task role and no other role', () => {
    const app = templateOf(stage('staging').app);
    const fn = receipts('staging');
    const invoking = resourcesOfType(app, 'AWS::IAM::Policy').filter(([, policy]) =>
      (policy.Properties?.PolicyDocument as { Statement: Json[] }).Statement.some(
        (statement) =>
          actionsOf(statement).includes('lambda:InvokeFunction') &&
          JSON.stringify(statement.Resource).includes(`"${logicalIdOf(fn.function)}"`),
      ),
    );
    expect(invoking.map(([, policy]) => policy.Properties?.Roles)).toEqual([
      [{ Ref: logicalIdOf(fulfilment('staging').taskRole) }],
    ]);
    const grant = statementsOfRole(app, logicalIdOf(fulfilment('staging').taskRole)).filter((statement) =>
      actionsOf(statement).includes('lambda:InvokeFunction'),
    );
    expect(grant.flatMap(resourcesOfStatement)).toEqual([arnOf(logicalIdOf(fn.function))]);
    const container = containerOf(app, logicalIdOf(fulfilment('staging').taskDefinition));
    expect(container.Environment).toContainEqual({
      Name: 'ORDERS_RECEIPTS_FUNCTION_NAME',
      Value: { Ref: logicalIdOf(fn.function) },
    });
  });

  it('reaches the Lambda API from the isolated subnets through an endpoint, which staging gains for it', () => {
    const network = templateOf(stage('staging').network);
    const endpoints = resourcesOfType(network, 'AWS::EC2::VPCEndpoint').map(
      ([, endpoint]) => endpoint.Properties?.ServiceName,
    );
    expect(endpoints).toContain('com.amazonaws.eu-west-1.lambda');
  });

  it('logs to a group whose key lets CloudWatch Logs of its region use it for that group', () => {
    const app = templateOf(stage('staging').app);
    const network = templateOf(stage('staging').network);
    const fn = receipts('staging');
    const group = resource(app, logicalIdOf(fn.logGroup)).Properties as Json;
    const keyId = logicalIdOf(stage('staging').network.keys.logs);
    expect(exportedValue(group.KmsKeyId, network)).toEqual(arnOf(keyId));
    expect(group.RetentionInDays).toBe(180);
    const policy = resource(network, keyId).Properties?.KeyPolicy as { Statement: Json[] };
    const forLogs = policy.Statement.filter(
      (statement) =>
        JSON.stringify(statement.Principal) === JSON.stringify({ Service: 'logs.eu-west-1.amazonaws.com' }),
    );
    expect(forLogs).toHaveLength(1);
    const pattern = (forLogs[0]?.Condition as { ArnLike: Record<string, unknown> }).ArnLike[
      'kms:EncryptionContext:aws:logs:arn'
    ];
    const logGroupArn = 'arn:aws:logs:eu-west-1:444444444444:log-group:staging-app-orders-receipts';
    expect(logGroupArn).toMatch(new RegExp(`^${String(pattern).replaceAll('*', '.*')}$`));
    expect('arn:aws:logs:eu-west-1:999999999999:log-group:x').not.toMatch(
      new RegExp(`^${String(pattern).replaceAll('*', '.*')}$`),
    );
  });

  it('alarms on its errors, throttles and dead letters, notifying the alarm topic', () => {
    const monitoring = templateOf(stage('staging').monitoring);
    const topic = { Ref: logicalIdOf(stage('staging').monitoring.alarmTopic.topic) };
    const alarms = resourcesOfType(monitoring, 'AWS::CloudWatch::Alarm')
      .map(([, alarm]) => alarm.Properties as Json)
      .filter((alarm) => String(alarm.AlarmDescription).startsWith('Function orders-receipts'));
    expect(alarms.map((alarm) => alarm.MetricName).sort()).toEqual([
      'ApproximateNumberOfMessagesVisible',
      'Errors',
      'Throttles',
    ]);
    for (const alarm of alarms) expect(alarm.AlarmActions).toEqual([topic]);
  });
});
