import { Stack } from 'aws-cdk-lib';
import { Template } from 'aws-cdk-lib/assertions';
import { HttpNamespace } from 'aws-cdk-lib/aws-servicediscovery';
import { Topic } from 'aws-cdk-lib/aws-sns';
import { describe, expect, it } from 'vitest';
import { InvalidPropError } from '../../../lib/invalid-prop-error.js';
import { PublicService, type PublicServiceProps } from '../../../lib/workloads/container-service.js';
import { InternalService } from '../../../lib/workloads/internal-service.js';
import { QueueWorker } from '../../../lib/workloads/queue-worker.js';
import { WorkloadAlarms } from '../../../lib/workloads/workload-alarms.js';
import { workloadFixture, workloadPlatform } from '../../support/workload-fixture.js';

type Resource = { Type: string; Properties: Record<string, unknown> };

function build(overrides: Partial<PublicServiceProps> = {}) {
  const fixture = workloadFixture();
  const platform = workloadPlatform(fixture);
  const worker = new QueueWorker(fixture.stack, 'Fulfilment', {
    platform,
    name: 'orders-fulfilment',
    repository: fixture.repository,
    imageTag: 'v1.4.2',
    size: { cpu: 256, memoryMiB: 512, minTasks: 1, maxTasks: 3 },
    maxReceiveCount: 3,
    visibilityTimeoutSeconds: 60,
    messagesPerTask: 50,
    databaseRole: 'orders_worker',
  });
  const listener = fixture.edge().httpsListener;
  const service = new PublicService(fixture.stack, 'Orders', {
    platform,
    name: 'orders-api',
    repository: fixture.repository,
    imageTag: 'v1.4.2',
    size: { cpu: 512, memoryMiB: 1024, minTasks: 2, maxTasks: 4 },
    port: 8080,
    healthPath: '/orders/health',
    pathPrefix: '/orders',
    priority: 10,
    listener,
    databaseRole: 'orders_api',
    sendsTo: [worker.queue],
    environment: { FEATURE_FLAGS: 'none' },
    ...overrides,
  });
  // The listener needs a default action before synth; the API is the default elsewhere.
  listener.addTargets('Default', { port: 8080, targets: [] });
  const topic = new Topic(fixture.stack, 'Topic');
  new WorkloadAlarms(fixture.stack, 'Alarms', { topic, services: [service], workers: [worker] });
  const resources = Template.fromStack(fixture.stack).toJSON().Resources as Record<string, Resource>;
  const id = (construct: { node: { defaultChild?: unknown } }) =>
    Stack.of(fixture.stack).getLogicalId(construct.node.defaultChild as never);
  return { fixture, service, worker, resources, id };
}

function statementsOf(resources: Record<string, Resource>, roleId: string) {
  return Object.values(resources)
    .filter(
      (resource) =>
        resource.Type === 'AWS::IAM::Policy' &&
        JSON.stringify(resource.Properties.Roles).includes(`"${roleId}"`),
    )
    .flatMap(
      (policy) => (policy.Properties.PolicyDocument as { Statement: Record<string, unknown>[] }).Statement,
    );
}

describe('public service', () => {
  it('receives /orders and everything under it from the HTTPS listener, health-checked on its own path', () => {
    const { resources, service, id } = build();
    const rule = Object.values(resources).find(
      (resource) =>
        resource.Type === 'AWS::ElasticLoadBalancingV2::ListenerRule' && resource.Properties.Priority === 10,
    );
    expect(JSON.stringify(rule?.Properties.Conditions)).toContain('["/orders","/orders/*"]');
    expect(JSON.stringify(rule?.Properties.Actions)).toContain(id(service.targetGroup as never));
    const targetGroup = resources[id(service.targetGroup as never)];
    expect(targetGroup?.Properties).toMatchObject({
      HealthCheckPath: '/orders/health',
      Port: 8080,
      TargetType: 'ip',
    });
  });

  it('admits traffic from the load balancer only, on its port; sends only to the endpoints, S3 and the database', () => {
    const { resources } = build();
    const ingress = Object.values(resources).filter(
      (resource) => resource.Type === 'AWS::EC2::SecurityGroupIngress',
    );
    const toService = ingress.filter((rule) => rule.Properties.FromPort === 8080);
    expect(toService).toHaveLength(1);
    expect(JSON.stringify(toService[0]?.Properties.SourceSecurityGroupId)).toContain('"EdgeSecurityGroup');
    const groups = Object.values(resources).filter(
      (resource) =>
        resource.Type === 'AWS::EC2::SecurityGroup' &&
        String(resource.Properties.GroupDescription).includes('orders-api'),
    );
    expect(groups).toHaveLength(1);
    const egress = JSON.stringify(groups[0]?.Properties.SecurityGroupEgress);
    expect(egress).not.toContain('0.0.0.0/0');
    expect(groups[0]?.Properties.SecurityGroupIngress).toBeUndefined();
  });

  it('runs non-root on a read-only root filesystem, with no public IP and no desired count in the template', () => {
    const { resources } = build();
    const task = Object.values(resources).find(
      (resource) =>
        resource.Type === 'AWS::ECS::TaskDefinition' &&
        resource.Properties.Family === 'citadel-staging-orders-api',
    );
    const [container] = task?.Properties.ContainerDefinitions as Record<string, unknown>[];
    expect(container).toMatchObject({ User: '65532:65532', ReadonlyRootFilesystem: true });
    const environment = Object.fromEntries(
      (container?.Environment as { Name: string; Value: unknown }[]).map((variable) => [
        variable.Name,
        variable.Value,
      ]),
    );
    expect(environment).toMatchObject({
      PORT: '8080',
      DB_USER: 'orders_api',
      DB_AUTH: 'iam',
      FEATURE_FLAGS: 'none',
    });
    const services = Object.values(resources).filter((resource) => resource.Type === 'AWS::ECS::Service');
    for (const service of services) {
      expect(JSON.stringify(service.Properties.NetworkConfiguration)).toContain(
        '"AssignPublicIp":"DISABLED"',
      );
      expect(service.Properties.DesiredCount).toBeUndefined();
      expect(service.Properties.DeploymentConfiguration).toMatchObject({
        DeploymentCircuitBreaker: { Enable: true, Rollback: true },
      });
    }
  });

  it("may sign in only as its own database role and send only to the worker's queue", () => {
    const { resources, service, worker, id } = build();
    const statements = statementsOf(resources, id(service.taskRole as never));
    const connect = statements.filter((statement) => statement.Action === 'rds-db:connect');
    expect(connect).toHaveLength(1);
    expect(JSON.stringify(connect[0]?.Resource)).toMatch(/dbuser:.*\/orders_api"/);
    const sends = statements.filter((statement) =>
      JSON.stringify(statement.Action).includes('sqs:SendMessage'),
    );
    expect(sends).toHaveLength(1);
    expect(JSON.stringify(sends[0]?.Resource)).toContain(id(worker.queue as never));
    expect(JSON.stringify(statements)).not.toContain('sqs:ReceiveMessage');
  });

  it.each([
    ['a privileged port', { port: 80 }, 'port'],
    ['a health path outside the prefix', { healthPath: '/health' }, 'healthPath'],
    ['a nested prefix', { pathPrefix: '/orders/v2' }, 'pathPrefix'],
    ['priority zero', { priority: 0 }, 'priority'],
    ['a platform variable', { environment: { DB_HOST: 'elsewhere' } }, 'environment'],
    ['the latest tag', { imageTag: 'latest' }, 'imageTag'],
  ] as [string, Partial<PublicServiceProps>, string][])(
    'refuses %s, naming the prop',
    (_case, overrides, prop) => {
      expect(() => build(overrides)).toThrow(InvalidPropError);
      expect(() => build(overrides)).toThrow(new RegExp(prop));
    },
  );
});

describe('queue worker', () => {
  it('owns a KMS-encrypted, TLS-only queue and dead-letter queue, and may receive only from its own queue', () => {
    const { resources, worker, id } = build();
    for (const queue of [worker.queue, worker.deadLetterQueue]) {
      expect(resources[id(queue as never)]?.Properties.KmsMasterKeyId).toBeDefined();
    }
    const queuePolicies = Object.values(resources).filter(
      (resource) => resource.Type === 'AWS::SQS::QueuePolicy',
    );
    expect(JSON.stringify(queuePolicies)).toContain('aws:SecureTransport');
    expect(resources[id(worker.queue as never)]?.Properties.RedrivePolicy).toMatchObject({
      maxReceiveCount: 3,
    });
    const statements = statementsOf(resources, id(worker.taskRole as never));
    const receive = statements.find((statement) =>
      JSON.stringify(statement.Action).includes('sqs:ReceiveMessage'),
    );
    expect(JSON.stringify(receive?.Resource)).toContain(id(worker.queue as never));
    expect(JSON.stringify(receive?.Resource)).not.toContain(id(worker.deadLetterQueue as never));
  });

  it('scales out with the depth of its queue and in when it is empty', () => {
    const { resources } = build();
    const steps = Object.values(resources).find(
      (resource) =>
        resource.Type === 'AWS::ApplicationAutoScaling::ScalingPolicy' &&
        resource.Properties.PolicyType === 'StepScaling',
    );
    expect(steps).toBeDefined();
    const alarms = Object.values(resources).filter(
      (resource) =>
        resource.Type === 'AWS::CloudWatch::Alarm' &&
        resource.Properties.MetricName === 'ApproximateNumberOfMessagesVisible',
    );
    expect(alarms.map((alarm) => alarm.Properties.Threshold).sort()).toEqual(expect.arrayContaining([0, 50]));
  });

  it('alarms to the topic on any dead letter, a long backlog, unhealthy targets and 5xx', () => {
    const { resources } = build();
    const notifying = Object.values(resources).filter(
      (resource) =>
        resource.Type === 'AWS::CloudWatch::Alarm' &&
        JSON.stringify(resource.Properties.AlarmActions ?? []).includes('Topic'),
    );
    expect(notifying.map((alarm) => alarm.Properties.MetricName).sort()).toEqual(
      [
        'ApproximateAgeOfOldestMessage',
        'ApproximateNumberOfMessagesVisible',
        'HTTPCode_Target_5XX_Count',
        'UnHealthyHostCount',
      ].sort(),
    );
  });
});

describe('internal service', () => {
  function buildInternal() {
    const fixture = workloadFixture();
    const platform = workloadPlatform(fixture);
    const namespace = new HttpNamespace(fixture.stack, 'Namespace', { name: 'citadel-staging.internal' });
    const common = {
      platform,
      repository: fixture.repository,
      imageTag: 'v1',
      size: { cpu: 256, memoryMiB: 512, minTasks: 1, maxTasks: 2 },
    };
    const pricing = new InternalService(fixture.stack, 'Pricing', {
      ...common,
      name: 'pricing',
      port: 9000,
      namespace,
    });
    const caller = new QueueWorker(fixture.stack, 'Caller', {
      ...common,
      name: 'checkout',
      maxReceiveCount: 3,
      visibilityTimeoutSeconds: 60,
      messagesPerTask: 10,
    });
    const bystander = new QueueWorker(fixture.stack, 'Bystander', {
      ...common,
      name: 'bystander',
      maxReceiveCount: 3,
      visibilityTimeoutSeconds: 60,
      messagesPerTask: 10,
    });
    pricing.allowCallsFrom(caller);
    const resources = Template.fromStack(fixture.stack).toJSON().Resources as Record<string, Resource>;
    const id = (construct: { node: { defaultChild?: unknown } }) =>
      Stack.of(fixture.stack).getLogicalId(construct.node.defaultChild as never);
    return { pricing, caller, bystander, resources, id };
  }

  it('registers in the namespace as http://pricing:9000, and its caller joins as a client told the address', () => {
    const { pricing, caller, resources, id } = buildInternal();
    const server = resources[id(pricing.service as never)]?.Properties.ServiceConnectConfiguration as {
      Enabled: boolean;
      Services: { DiscoveryName: string; ClientAliases: { DnsName: string; Port: number }[] }[];
    };
    expect(server.Enabled).toBe(true);
    expect(server.Services[0]).toMatchObject({
      DiscoveryName: 'pricing',
      ClientAliases: [{ DnsName: 'pricing', Port: 9000 }],
    });
    const client = resources[id(caller.service as never)]?.Properties.ServiceConnectConfiguration as {
      Enabled: boolean;
    };
    expect(client?.Enabled).toBe(true);
    const task = resources[id(caller.taskDefinition as never)];
    const [container] = task?.Properties.ContainerDefinitions as {
      Environment: { Name: string; Value: unknown }[];
    }[];
    expect(container?.Environment).toContainEqual({ Name: 'PRICING_URL', Value: 'http://pricing:9000' });
    expect(pricing.url).toBe('http://pricing:9000');
  });

  it('admits its port only from the callers it names: no load balancer, no other workload', () => {
    const { pricing, caller, bystander, resources, id } = buildInternal();
    const rules = Object.values(resources).filter(
      (resource) =>
        resource.Type === 'AWS::EC2::SecurityGroupIngress' && resource.Properties.FromPort === 9000,
    );
    expect(rules).toHaveLength(1);
    const callerGroup = caller.service.connections.securityGroups[0];
    expect(JSON.stringify(rules[0]?.Properties.SourceSecurityGroupId)).toContain(id(callerGroup as never));
    expect(JSON.stringify(rules)).not.toContain(id(bystander.service.connections.securityGroups[0] as never));
    expect(
      Object.values(resources).some(
        (resource) => resource.Type === 'AWS::ElasticLoadBalancingV2::TargetGroup',
      ),
    ).toBe(false);
    expect(resources[id(pricing.service as never)]?.Properties.LoadBalancers ?? []).toEqual([]);
  });

  it('refuses to call itself', () => {
    const { pricing } = buildInternal();
    expect(() => pricing.allowCallsFrom(pricing)).toThrow(InvalidPropError);
  });
});
