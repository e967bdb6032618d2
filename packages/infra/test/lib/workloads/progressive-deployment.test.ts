import { API_LOG_EVENTS } from '@citadel/api/contract';
import { Stack } from 'aws-cdk-lib';
import { Template } from 'aws-cdk-lib/assertions';
import { CertificateValidation } from 'aws-cdk-lib/aws-certificatemanager';
import { SubnetType } from 'aws-cdk-lib/aws-ec2';
import { ListenerAction } from 'aws-cdk-lib/aws-elasticloadbalancingv2';
import { Secret } from 'aws-cdk-lib/aws-secretsmanager';
import { beforeAll, describe, expect, it } from 'vitest';
import type { DeploymentConfig } from '../../../config/schema.js';
import { ApiService } from '../../../lib/constructs/api-service.js';
import { LoadBalancedEdge } from '../../../lib/constructs/load-balanced-edge.js';
import { InvalidPropError } from '../../../lib/invalid-prop-error.js';
import { PublicService } from '../../../lib/workloads/container-service.js';
import {
  DEPLOYMENT_CHECK_ISSUER,
  PreTrafficCheck,
  type ServiceRelease,
} from '../../../lib/workloads/progressive-deployment.js';
import { QueueWorker } from '../../../lib/workloads/queue-worker.js';
import { decide, statementsOf } from '../../support/policy-evaluator.js';
import { resolveIntrinsics } from '../../support/resolve-intrinsics.js';
import { apiServiceProps, workloadFixture, workloadPlatform } from '../../support/workload-fixture.js';

// Template JSON is read by path; every test asserts the shape it reads.
// eslint-disable-next-line @typescript-eslint/no-explicit-any
type Resource = { Type: string; Properties: Record<string, any> };
type Json = Resource['Properties'];
type Statement = { Effect: string; Action: string | string[]; Resource: unknown; Condition?: unknown };

const ALARMS = {
  error5xxPercent: 3,
  p99LatencyMs: 1500,
  unhealthyTargets: 2,
  authFailuresPerMinute: 40,
  evaluationMinutes: 2,
};
const CANARY: DeploymentConfig = {
  strategy: 'canary',
  canaryPercent: 10,
  stepMinutes: 5,
  bakeMinutes: 15,
  testPort: 9443,
  alarms: ALARMS,
};
const ROLLING: DeploymentConfig = { strategy: 'rolling', alarms: ALARMS };

/** The API and a team service released on one load balancer with a test listener, and a queue worker. */
function build(settings: DeploymentConfig, options: { check?: boolean; withTestListener?: boolean } = {}) {
  const fixture = workloadFixture();
  const platform = workloadPlatform(fixture);
  const edge = new LoadBalancedEdge(fixture.stack, 'ReleaseEdge', {
    vpc: fixture.vpc,
    vpcSubnets: { subnetType: SubnetType.PUBLIC },
    domainName: 'api.example.com',
    certificateValidation: CertificateValidation.fromDns(),
    deletionProtection: true,
    accessLogRetentionDays: 90,
    ...(settings.testPort === undefined ? {} : { testPort: settings.testPort }),
  });
  const release = (name: string): ServiceRelease => ({
    settings,
    ...(edge.testListener && options.withTestListener !== false ? { testListener: edge.testListener } : {}),
    alarmNamePrefix: `citadel-test-${name}`,
  });
  const api = new ApiService(
    fixture.stack,
    'Api',
    apiServiceProps(fixture, {
      listener: edge.httpsListener,
      release: release('api'),
      auth: {
        jwksUrl: 'https://idp.example.com/jwks.json',
        issuer: 'https://idp.example.com/',
        audience: 'citadel',
        probeJwks: '{"keys":[{"kty":"EC","crv":"P-256","kid":"check-1","x":"x","y":"y"}]}',
      },
    }),
  );
  const check = options.check
    ? new PreTrafficCheck(fixture.stack, 'Check', {
        service: api.service,
        testBaseUrl: `https://api.example.com:${settings.testPort}`,
        probeKeySecret: Secret.fromSecretNameV2(
          fixture.stack,
          'ProbeKey',
          'citadel/test/deployment-check-key',
        ),
        probeKeySecretKey: fixture.key,
        audience: 'citadel',
        functionEnvironmentKey: fixture.key,
        logPolicy: { key: fixture.key, retentionDays: 90 },
      })
    : undefined;
  const orders = new PublicService(fixture.stack, 'Orders', {
    platform,
    name: 'orders-api',
    repository: fixture.repository,
    imageTag: 'v1.4.2',
    size: { cpu: 512, memoryMiB: 1024, minTasks: 2, maxTasks: 4 },
    port: 8081,
    healthPath: '/orders/health',
    pathPrefix: '/orders',
    priority: 10,
    listener: edge.httpsListener,
    release: { ...release('orders-api'), ...(check ? { preTrafficCheck: check } : {}) },
  });
  const worker = new QueueWorker(fixture.stack, 'Fulfilment', {
    platform,
    name: 'orders-fulfilment',
    repository: fixture.repository,
    imageTag: 'v1.4.2',
    size: { cpu: 256, memoryMiB: 512, minTasks: 1, maxTasks: 3 },
    maxReceiveCount: 3,
    visibilityTimeoutSeconds: 60,
    messagesPerTask: 50,
  });
  // apiServiceProps also made the fixture's own edge, which serves nothing here.
  fixture.edge().httpsListener.addAction('Unused', { action: ListenerAction.fixedResponse(404) });
  const template = Template.fromStack(fixture.stack);
  const resources = template.toJSON().Resources as Record<string, Resource>;
  const id = (construct: { node: { defaultChild?: unknown } }) =>
    Stack.of(fixture.stack).getLogicalId(construct.node.defaultChild as never);
  return { fixture, edge, api, orders, worker, check, template, resources, id };
}

function ofType(resources: Record<string, Resource>, type: string): [string, Resource][] {
  return Object.entries(resources).filter(([, resource]) => resource.Type === type);
}

/** Allow statements of the policies attached to a role (by logical id). */
function roleStatements(resources: Record<string, Resource>, roleId: string): Statement[] {
  return ofType(resources, 'AWS::IAM::Policy')
    .filter(([, policy]) => JSON.stringify(policy.Properties.Roles).includes(`"${roleId}"`))
    .flatMap(([, policy]) => policy.Properties.PolicyDocument.Statement as Statement[]);
}

const list = (value: unknown): unknown[] => (Array.isArray(value) ? value : [value]);
const matches = (pattern: string, action: string) =>
  new RegExp(`^${pattern.replace(/[.+?^${}()|[\]\\]/g, '\\$&').replace(/\*/g, '.*')}$`).test(action);

/** Whether the statements allow `action` on `resource` (a template reference), wildcards included. */
function allows(statements: Statement[], action: string, resource: unknown): boolean {
  return statements.some(
    (statement) =>
      statement.Effect === 'Allow' &&
      list(statement.Action).some((pattern) => matches(pattern as string, action)) &&
      list(statement.Resource).some(
        (granted) => granted === '*' || JSON.stringify(granted) === JSON.stringify(resource),
      ),
  );
}

function serviceOf(resources: Record<string, Resource>, logicalId: string) {
  const service = resources[logicalId];
  if (service?.Type !== 'AWS::ECS::Service') throw new Error(`${logicalId} is not an ECS service`);
  return service.Properties;
}

describe('progressive releases of public services', () => {
  // Synthesizing a stack takes seconds on a shared machine: each shape is built once.
  let canary: ReturnType<typeof build>;
  let rolling: ReturnType<typeof build>;
  beforeAll(() => {
    canary = build(CANARY, { check: true });
    rolling = build(ROLLING);
  });

  it('releases the API and a team service as a canary of the configured share, step and bake, without the circuit breaker', () => {
    // Act
    const { resources, api, orders, id } = canary;

    // Assess
    for (const service of [api.service, orders.service]) {
      const deployment = serviceOf(resources, id(service)).DeploymentConfiguration;
      expect(deployment.Strategy).toBe('CANARY');
      expect(deployment.CanaryConfiguration).toEqual({ CanaryPercent: 10, CanaryBakeTimeInMinutes: 5 });
      expect(deployment.BakeTimeInMinutes).toBe(15);
      expect(deployment.DeploymentCircuitBreaker).toBeUndefined();
    }
  });

  it('scales the API on requests per healthy target of both target groups, so a release that moved traffic to the alternate group still scales out', () => {
    // Act
    const scalingOf = ({ resources }: ReturnType<typeof build>) => {
      const policies = ofType(resources, 'AWS::ApplicationAutoScaling::ScalingPolicy').filter(([logicalId]) =>
        logicalId.startsWith('ApiServiceTaskCountTargetRequests'),
      );
      expect(policies).toHaveLength(1);
      return policies[0]![1].Properties.TargetTrackingScalingPolicyConfiguration as Json;
    };
    const shifting = scalingOf(canary);
    const plain = scalingOf(rolling);

    // Assess: the rolling API keeps the predefined per-target metric of its one group.
    expect(plain.PredefinedMetricSpecification.PredefinedMetricType).toBe('ALBRequestCountPerTarget');
    expect(plain.CustomizedMetricSpecification).toBeUndefined();

    // Assess: under a canary the metric divides both groups' requests by both groups' healthy targets.
    expect(shifting.PredefinedMetricSpecification).toBeUndefined();
    const metrics = shifting.CustomizedMetricSpecification.Metrics as Json[];
    const [balanced] = serviceOf(canary.resources, canary.id(canary.api.service)).LoadBalancers;
    const groupNames = [
      balanced.TargetGroupArn,
      { Ref: balanced.AdvancedConfiguration.AlternateTargetGroupArn.Ref },
    ].map((arn) => ({ 'Fn::GetAtt': [arn.Ref, 'TargetGroupFullName'] }));
    const groupOf = (metric: Json) =>
      metric.MetricStat.Metric.Dimensions.find((d: { Name: string }) => d.Name === 'TargetGroup').Value;
    for (const name of ['RequestCount', 'HealthyHostCount']) {
      const used = metrics.filter((metric) => metric.MetricStat?.Metric.MetricName === name);
      expect(used.map(groupOf)).toEqual(groupNames);
      expect(used.every((metric) => metric.ReturnData === false)).toBe(true);
    }
    const returned = metrics.filter((metric) => metric.ReturnData === true);
    expect(returned).toHaveLength(1);
    expect(returned[0]!.Expression).toBe(
      '(FILL(requests0, 0) + FILL(requests1, 0)) / (FILL(healthy0, 0) + FILL(healthy1, 0))',
    );
    expect(shifting.TargetValue).toBe(plain.TargetValue);
  });

  it('keeps queue workers on rolling updates with the circuit breaker while public services shift traffic', () => {
    // Act
    const { resources, worker, id } = canary;

    // Assess
    const deployment = serviceOf(resources, id(worker.service)).DeploymentConfiguration;
    expect(deployment.Strategy).toBeUndefined();
    expect(deployment.DeploymentCircuitBreaker).toEqual({ Enable: true, Rollback: true });
    expect(deployment.Alarms).toBeUndefined();
  });

  it('routes production traffic by a weighted rule on the HTTPS listener and test traffic by the same rule on the test listener, across exactly the two target groups', () => {
    // Act
    const { resources, api, orders, edge, id } = canary;

    // Assess
    for (const service of [api, orders]) {
      const [balanced] = serviceOf(resources, id(service.service)).LoadBalancers;
      const advanced = balanced.AdvancedConfiguration;
      const groups = [balanced.TargetGroupArn, { Ref: advanced.AlternateTargetGroupArn.Ref }];
      expect(resources[advanced.AlternateTargetGroupArn.Ref]?.Type).toBe(
        'AWS::ElasticLoadBalancingV2::TargetGroup',
      );
      expect(advanced.AlternateTargetGroupArn).not.toEqual(balanced.TargetGroupArn);
      const production = resources[advanced.ProductionListenerRule.Ref]?.Properties;
      const test = resources[advanced.TestListenerRule.Ref]?.Properties;
      expect(production?.ListenerArn).toEqual({ Ref: id(edge.httpsListener) });
      expect(test?.ListenerArn).toEqual({ Ref: id(edge.testListener as never) });
      for (const rule of [production, test]) {
        const [action] = rule?.Actions ?? [];
        const weights = action.ForwardConfig.TargetGroups.map(
          (group: { TargetGroupArn: unknown; Weight: number }) => [group.TargetGroupArn, group.Weight],
        );
        expect(weights).toEqual([
          [groups[0], 100],
          [groups[1], 0],
        ]);
      }
      expect(test?.Conditions).toEqual(production?.Conditions);
      expect(test?.Priority).toBe(production?.Priority);
    }
  });

  it('lets ECS rewrite exactly its own two listener rules and register tasks in exactly its own two target groups', () => {
    // Act
    const { resources, api, orders, id } = canary;

    // Assess
    const released = [api, orders].map((service) => {
      const [balanced] = serviceOf(resources, id(service.service)).LoadBalancers;
      const advanced = balanced.AdvancedConfiguration;
      return {
        roleId: advanced.RoleArn['Fn::GetAtt'][0] as string,
        rules: [advanced.ProductionListenerRule, advanced.TestListenerRule],
        groups: [balanced.TargetGroupArn, advanced.AlternateTargetGroupArn],
      };
    });
    for (const [index, own] of released.entries()) {
      const other = released[1 - index];
      const statements = roleStatements(resources, own.roleId);
      const trust = resources[own.roleId]?.Properties.AssumeRolePolicyDocument.Statement;
      expect(trust).toEqual([
        expect.objectContaining({ Principal: { Service: 'ecs.amazonaws.com' }, Action: 'sts:AssumeRole' }),
      ]);
      for (const rule of own.rules)
        expect(allows(statements, 'elasticloadbalancing:ModifyRule', rule)).toBe(true);
      for (const rule of other?.rules ?? []) {
        expect(allows(statements, 'elasticloadbalancing:ModifyRule', rule)).toBe(false);
      }
      for (const group of own.groups) {
        expect(allows(statements, 'elasticloadbalancing:RegisterTargets', group)).toBe(true);
        expect(allows(statements, 'elasticloadbalancing:DeregisterTargets', group)).toBe(true);
      }
      for (const group of other?.groups ?? []) {
        expect(allows(statements, 'elasticloadbalancing:RegisterTargets', group)).toBe(false);
      }
      // Nothing else may change: no listener, certificate, load balancer or rule creation.
      for (const action of [
        'elasticloadbalancing:ModifyListener',
        'elasticloadbalancing:CreateRule',
        'elasticloadbalancing:DeleteRule',
        'elasticloadbalancing:ModifyLoadBalancerAttributes',
      ]) {
        expect(allows(statements, action, '*')).toBe(false);
      }
    }
  });

  it('rolls back on deployment alarms that exist in the same template, each on both target groups of its own service', () => {
    // Act
    const { resources, api, orders, id } = canary;

    // Assess
    const alarms = new Map(
      ofType(resources, 'AWS::CloudWatch::Alarm').map(([, alarm]) => [
        alarm.Properties.AlarmName,
        alarm.Properties,
      ]),
    );
    const alarmIds = new Map(
      ofType(resources, 'AWS::CloudWatch::Alarm').map(([logicalId, alarm]) => [
        alarm.Properties.AlarmName,
        logicalId,
      ]),
    );
    for (const service of [api, orders]) {
      const properties = serviceOf(resources, id(service.service));
      const configured = properties.DeploymentConfiguration.Alarms;
      expect(configured).toMatchObject({ Enable: true, Rollback: true });
      const [balanced] = properties.LoadBalancers;
      const groupIds = [
        balanced.TargetGroupArn.Ref,
        balanced.AdvancedConfiguration.AlternateTargetGroupArn.Ref,
      ];
      const targetGroupAlarms = configured.AlarmNames.filter(
        (name: string) => !name.endsWith('auth-failures'),
      );
      expect(targetGroupAlarms).toHaveLength(3);
      for (const name of configured.AlarmNames) {
        const alarm = alarms.get(name);
        expect(alarm, `alarm ${name} exists`).toBeDefined();
        // The service is created or updated only once the alarms it names exist.
        expect((resources[id(service.service)] as { DependsOn?: string[] }).DependsOn).toContain(
          alarmIds.get(name),
        );
      }
      for (const name of targetGroupAlarms) {
        const metrics = JSON.stringify(alarms.get(name)?.Metrics);
        for (const groupId of groupIds) {
          expect(metrics, `${name} watches ${groupId}`).toContain(`"${groupId}","TargetGroupFullName"`);
        }
        const expression = (alarms.get(name)?.Metrics as { Expression?: string }[]).find(
          (metric) => metric.Expression,
        )?.Expression;
        expect(expression).toMatch(/^MAX\(\[/);
      }
    }
    const fiveHundreds = alarms.get('citadel-test-api-release-5xx');
    expect(fiveHundreds?.Threshold).toBe(ALARMS.error5xxPercent);
    expect(fiveHundreds?.EvaluationPeriods).toBe(ALARMS.evaluationMinutes);
    expect(fiveHundreds?.TreatMissingData).toBe('notBreaching');
    expect(alarms.get('citadel-test-api-release-p99-latency')?.Threshold).toBe(ALARMS.p99LatencyMs);
    expect(alarms.get('citadel-test-orders-api-release-unhealthy-targets')).toMatchObject({
      Threshold: ALARMS.unhealthyTargets,
      ComparisonOperator: 'GreaterThanOrEqualToThreshold',
    });
  });

  it("counts the API's auth_failed events from its own log group into the auth-failure alarm", () => {
    // Act
    const { resources, api, id } = canary;

    // Assess
    const filters = ofType(resources, 'AWS::Logs::MetricFilter').map(([, filter]) => filter.Properties);
    const filter = filters.find((candidate) => candidate.LogGroupName.Ref === id(api.logGroup));
    expect(filter?.FilterPattern).toContain(`"${API_LOG_EVENTS.authFailed}"`);
    const [transformation] = filter?.MetricTransformations ?? [];
    const alarm = ofType(resources, 'AWS::CloudWatch::Alarm')
      .map(([, candidate]) => candidate.Properties)
      .find((candidate) => candidate.AlarmName === 'citadel-test-api-release-auth-failures');
    expect(alarm).toMatchObject({
      MetricName: transformation.MetricName,
      Namespace: transformation.MetricNamespace,
      Threshold: ALARMS.authFailuresPerMinute,
    });
    expect(serviceOf(resources, id(api.service)).DeploymentConfiguration.Alarms.AlarmNames).toContain(
      alarm?.AlarmName,
    );
  });

  it('keeps a rolling service on its one target group, the circuit breaker and the same rollback alarms', () => {
    // Act
    const { resources, api, id, edge } = rolling;

    // Assess
    const properties = serviceOf(resources, id(api.service));
    expect(properties.DeploymentConfiguration.DeploymentCircuitBreaker).toEqual({
      Enable: true,
      Rollback: true,
    });
    expect(properties.DeploymentConfiguration.Strategy).toBeUndefined();
    expect(properties.LoadBalancers[0].AdvancedConfiguration).toBeUndefined();
    expect(properties.DeploymentConfiguration.Alarms.AlarmNames).toHaveLength(4);
    expect(edge.testListener).toBeUndefined();
    expect(ofType(resources, 'AWS::ElasticLoadBalancingV2::TargetGroup')).toHaveLength(2);
  });

  it('opens the test port on the load balancer only, serving 404 but for the test rules, over the same TLS as 443', () => {
    // Act
    const { resources, edge, api, id } = canary;

    // Assess
    const balancerGroup = resources[id(edge.securityGroup)]?.Properties;
    const open = (balancerGroup?.SecurityGroupIngress as { CidrIp?: string; FromPort: number }[])
      .filter((rule) => rule.CidrIp === '0.0.0.0/0')
      .map((rule) => rule.FromPort)
      .sort((a, b) => a - b);
    expect(open).toEqual([80, 443, 9443]);
    // The tasks admit the load balancer only: no address range reaches them on any port.
    const taskIngress = ofType(resources, 'AWS::EC2::SecurityGroupIngress')
      .map(([, rule]) => rule.Properties)
      .filter((rule) => JSON.stringify(rule.GroupId).includes(id(api.securityGroup as never)));
    expect(taskIngress.length).toBeGreaterThan(0);
    for (const rule of taskIngress) {
      expect(rule.CidrIp).toBeUndefined();
      expect(rule.SourceSecurityGroupId).toEqual({ 'Fn::GetAtt': [id(edge.securityGroup), 'GroupId'] });
    }
    const test = resources[id(edge.testListener as never)]?.Properties;
    const https = resources[id(edge.httpsListener)]?.Properties;
    expect(test).toMatchObject({ Port: 9443, Protocol: 'HTTPS', SslPolicy: https?.SslPolicy });
    expect(test?.Certificates).toEqual(https?.Certificates);
    expect(test?.DefaultActions).toEqual([
      expect.objectContaining({
        Type: 'fixed-response',
        FixedResponseConfig: expect.objectContaining({ StatusCode: '404' }),
      }),
    ]);
  });

  it('runs the pre-traffic check after test traffic reaches the new revision, invoked by a role that may invoke only it', () => {
    // Act
    const { resources, api, check, id } = canary;

    // Assess
    const functionId = id(check?.function as never);
    const [hook] = serviceOf(resources, id(api.service)).DeploymentConfiguration.LifecycleHooks;
    expect(hook.LifecycleStages).toEqual(['POST_TEST_TRAFFIC_SHIFT']);
    expect(hook.HookTargetArn).toEqual({ 'Fn::GetAtt': [functionId, 'Arn'] });
    const roleId = hook.RoleArn['Fn::GetAtt'][0] as string;
    expect(resources[roleId]?.Properties.AssumeRolePolicyDocument.Statement).toEqual([
      expect.objectContaining({ Principal: { Service: 'ecs.amazonaws.com' } }),
    ]);
    const statements = roleStatements(resources, roleId);
    expect(statements).toEqual([
      expect.objectContaining({
        Effect: 'Allow',
        Action: 'lambda:InvokeFunction',
        Resource: { 'Fn::GetAtt': [functionId, 'Arn'] },
      }),
    ]);
  });

  it('gives the check the test URL, its key secret and nothing in the VPC, with read access to exactly that secret', () => {
    // Act
    const { resources, check, fixture, id } = canary;

    // Assess
    const properties = resources[id(check?.function as never)]?.Properties;
    expect(properties?.VpcConfig).toBeUndefined();
    const variables = properties?.Environment.Variables;
    expect(variables).toMatchObject({
      TEST_BASE_URL: 'https://api.example.com:9443',
      PROBE_AUDIENCE: 'citadel',
      PROBE_ISSUER: DEPLOYMENT_CHECK_ISSUER,
    });
    expect(JSON.stringify(variables.PROBE_KEY_SECRET_ARN)).toContain(
      'secret:citadel/test/deployment-check-key',
    );
    const roleId = properties?.Role['Fn::GetAtt'][0] as string;
    const statements = roleStatements(resources, roleId);
    const secretReads = statements.filter((statement) =>
      list(statement.Action).includes('secretsmanager:GetSecretValue'),
    );
    expect(secretReads).toHaveLength(1);
    expect(JSON.stringify(secretReads[0]?.Resource)).toContain(
      'secret:citadel/test/deployment-check-key-??????',
    );
    const decrypt = statements.find(
      (statement) => list(statement.Action).includes('kms:Decrypt') && statement.Condition,
    );
    expect(decrypt?.Resource).toEqual({ 'Fn::GetAtt': [id(fixture.key), 'Arn'] });
    expect(JSON.stringify(decrypt?.Condition)).toContain('secretsmanager.eu-west-1.amazonaws.com');
  });

  it("accepts the check's key in the API's task only when one is pinned", () => {
    // Act
    const { resources } = canary;
    const withoutKey = workloadFixture();
    new ApiService(withoutKey.stack, 'Api', apiServiceProps(withoutKey));

    // Assess
    const variablesOf = (template: Record<string, Resource>) =>
      ofType(template, 'AWS::ECS::TaskDefinition')
        .flatMap(([, definition]) => definition.Properties.ContainerDefinitions)
        .filter((container: { Name: string }) => container.Name === 'api')
        .flatMap((container: { Environment: { Name: string }[] }) =>
          container.Environment.map((variable) => variable.Name),
        );
    expect(variablesOf(resources)).toContain('AUTH_PROBE_JWKS');
    expect(variablesOf(Template.fromStack(withoutKey.stack).toJSON().Resources)).not.toContain(
      'AUTH_PROBE_JWKS',
    );
  });

  it("checks a team service's release with the environment's one check function, asking only for readiness at its health path", () => {
    // Act
    const { resources, api, orders, check, id } = canary;

    // Assess
    const functionArn = { 'Fn::GetAtt': [id(check?.function as never), 'Arn'] };
    const roleArn = { 'Fn::GetAtt': [id(check?.invokeRole as never), 'Arn'] };
    const hooksOf = (service: typeof api.service) =>
      serviceOf(resources, id(service)).DeploymentConfiguration.LifecycleHooks as Json[];
    expect(hooksOf(api.service)).toEqual([
      {
        HookTargetArn: functionArn,
        RoleArn: roleArn,
        LifecycleStages: ['POST_TEST_TRAFFIC_SHIFT'],
        HookDetails: { check: 'api' },
      },
    ]);
    expect(hooksOf(orders.service)).toEqual([
      {
        HookTargetArn: functionArn,
        RoleArn: roleArn,
        LifecycleStages: ['POST_TEST_TRAFFIC_SHIFT'],
        HookDetails: { check: 'readiness', healthPath: '/orders/health' },
      },
    ]);
    expect(
      ofType(resources, 'AWS::Lambda::Function').filter(([, fn]) =>
        fn.Properties.Description?.includes('test listener'),
      ),
    ).toHaveLength(1);
    // Both services can be released by one stack update: the function is never throttled.
    expect(resources[id(check?.function as never)]?.Properties.ReservedConcurrentExecutions).toBe(3);
  });

  it('gives a rolling team service no lifecycle hook even when the environment has a check', () => {
    // Act
    const { resources, orders, id } = rolling;

    // Assess
    expect(serviceOf(resources, id(orders.service)).DeploymentConfiguration.LifecycleHooks).toBeUndefined();
  });

  it('fails when a service is checked twice, or at a health path the check would refuse', () => {
    // Prepare
    const { check, orders, api } = build(CANARY, { check: true });

    // Act & Assess
    expect(() => check?.checkReadiness(orders.service, { healthPath: '/orders/health' })).toThrow(
      /check a service once/,
    );
    expect(() => check?.checkReadiness(api.service, { healthPath: '/orders/../admin' })).toThrow(
      InvalidPropError,
    );
  });

  /**
   * AmazonECSInfrastructureRolePolicyForLoadBalancers, the AWS managed policy for the role ECS
   * shifts load balancer traffic with (AWS Managed Policy Reference,
   * https://docs.aws.amazon.com/aws-managed-policy/latest/reference/AmazonECSInfrastructureRolePolicyForLoadBalancers.html;
   * its statements ELBReadOperations, TargetGroupOperations, ALBModifyListeners, NLBModifyListeners
   * and the rule modification the ECS developer guide lists for Application Load Balancers).
   * Each action is paired with the resources of one service that ECS calls it on.
   */
  const MANAGED_POLICY_ACTIONS = [
    ['elasticloadbalancing:DescribeListeners', 'any'],
    ['elasticloadbalancing:DescribeRules', 'any'],
    ['elasticloadbalancing:DescribeTargetGroups', 'any'],
    ['elasticloadbalancing:DescribeTargetHealth', 'any'],
    ['elasticloadbalancing:RegisterTargets', 'targetGroups'],
    ['elasticloadbalancing:DeregisterTargets', 'targetGroups'],
    ['elasticloadbalancing:ModifyListener', 'listeners'],
    ['elasticloadbalancing:ModifyRule', 'rules'],
  ] as const;

  it('lets ECS make every call of the AWS managed load balancer policy on the listeners, rules and target groups of the service, and on no other', () => {
    // Prepare
    const { resources, api, orders, id } = canary;
    const arnOf = (kind: string, logicalId: string) =>
      `arn:aws:elasticloadbalancing:eu-west-1:111111111111:${kind}/app/citadel/50dc6c495c0c9188/${logicalId}`;
    const used = (service: typeof api.service) => {
      const [balanced] = serviceOf(resources, id(service)).LoadBalancers;
      const advanced = balanced.AdvancedConfiguration;
      const rules = [advanced.ProductionListenerRule.Ref, advanced.TestListenerRule.Ref] as string[];
      return {
        roleId: advanced.RoleArn['Fn::GetAtt'][0] as string,
        rules,
        listeners: rules.map((rule) => resources[rule]?.Properties.ListenerArn.Ref as string),
        targetGroups: [balanced.TargetGroupArn.Ref, advanced.AlternateTargetGroupArn.Ref] as string[],
      };
    };
    const references: Record<string, string> = {};
    for (const [logicalId, resource] of Object.entries(resources)) {
      if (resource.Type === 'AWS::ElasticLoadBalancingV2::ListenerRule')
        references[logicalId] = arnOf('listener-rule', logicalId);
      if (resource.Type === 'AWS::ElasticLoadBalancingV2::Listener')
        references[logicalId] = arnOf('listener', logicalId);
      if (resource.Type === 'AWS::ElasticLoadBalancingV2::TargetGroup')
        references[logicalId] = arnOf('targetgroup', logicalId);
    }
    const resolve = (value: unknown) =>
      resolveIntrinsics(value, { account: '111111111111', region: 'eu-west-1', references });

    for (const [index, service] of [api.service, orders.service].entries()) {
      const own = used(service);
      const other = used([api.service, orders.service][1 - index] as typeof api.service);
      const statements = ofType(resources, 'AWS::IAM::Policy')
        .filter(([, policy]) => JSON.stringify(policy.Properties.Roles).includes(`"${own.roleId}"`))
        .flatMap(([, policy]) => statementsOf(resolve(policy.Properties.PolicyDocument)));
      const principal = 'arn:aws:sts::111111111111:assumed-role/traffic/ECSNetworkingWithELB';

      // Assess: every managed-policy call ECS makes for this service is allowed, on its own resources.
      for (const [action, on] of MANAGED_POLICY_ACTIONS) {
        const targets = on === 'any' ? ['*'] : own[on].map((logicalId) => references[logicalId] as string);
        for (const resource of targets) {
          expect(decide(statements, { principal, action, resource }), `${action} on ${resource}`).toBe(
            'Allowed',
          );
        }
        // ...and on the other service's, never.
        if (on === 'any') continue;
        for (const logicalId of other[on].filter((candidate) => !own[on].includes(candidate))) {
          expect(
            decide(statements, { principal, action, resource: references[logicalId] as string }),
            `${action} on the other service's ${logicalId}`,
          ).toBe('ImplicitlyDenied');
        }
      }
      // Nothing beyond the managed policy's actions: no rule creation, no listener deletion.
      for (const action of [
        'elasticloadbalancing:CreateRule',
        'elasticloadbalancing:DeleteRule',
        'elasticloadbalancing:DeleteListener',
        'elasticloadbalancing:ModifyLoadBalancerAttributes',
        'elasticloadbalancing:ModifyTargetGroup',
      ]) {
        expect(decide(statements, { principal, action, resource: '*' }), action).toBe('ImplicitlyDenied');
      }
    }
  });

  it('fails when a traffic-shifting release has no test listener', () => {
    expect(() => build(CANARY, { withTestListener: false })).toThrow(InvalidPropError);
    expect(() => build(CANARY, { withTestListener: false })).toThrow(
      /release\.testListener.*deployment\.testPort/,
    );
  });
});
