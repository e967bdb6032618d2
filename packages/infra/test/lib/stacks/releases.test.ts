import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { beforeAll, describe, expect, it } from 'vitest';
import {
  deploymentOf,
  ENVIRONMENT_NAMES,
  loadAllEnvironmentConfigs,
  loadEnvironmentConfig,
} from '../../../config/index.js';
import {
  DEPLOYMENT_CHECK_ISSUER,
  releaseExposure,
  renderReleaseExposureTable,
} from '../../../lib/workloads/progressive-deployment.js';
import { synthesizedApp, type SynthesizedApp } from '../../support/synthesized-app.js';
import { resourcesOf, type Resource } from '../../support/template-queries.js';

const ECS_STRATEGY = { 'blue-green': 'BLUE_GREEN', canary: 'CANARY', linear: 'LINEAR' } as const;
const DEPLOY_DOC = fileURLToPath(new URL('../../../../../docs/deploy.md', import.meta.url));

let citadel: SynthesizedApp;

beforeAll(() => {
  citadel = synthesizedApp();
});

type Properties = Record<string, unknown> & {
  DeploymentConfiguration: {
    Strategy?: string;
    CanaryConfiguration?: unknown;
    LinearConfiguration?: unknown;
    BakeTimeInMinutes?: number;
    DeploymentCircuitBreaker?: unknown;
    Alarms?: { AlarmNames: string[]; Enable: boolean; Rollback: boolean };
    LifecycleHooks?: { HookTargetArn: unknown; LifecycleStages: string[]; RoleArn: unknown }[];
  };
  LoadBalancers?: { TargetGroupArn: unknown; AdvancedConfiguration?: Record<string, { Ref?: string }> }[];
};

function apiService(environment: string): Properties {
  const services = Object.entries(resourcesOf(citadel.template(environment, 'app'), 'AWS::ECS::Service'));
  const [, api] = services.find(([logicalId]) => logicalId.startsWith('ApiService')) ?? [];
  if (!api) throw new Error(`no API service in ${environment}`);
  return api.Properties as Properties;
}

describe.each(ENVIRONMENT_NAMES)('releases in %s', (environment) => {
  const settings = deploymentOf(loadEnvironmentConfig(environment));
  const config = loadEnvironmentConfig(environment);

  it('releases the API with the configured strategy, and every other ECS service by rolling update with the circuit breaker', () => {
    // Act
    const template = citadel.template(environment, 'app');
    const api = apiService(environment);

    // Assess
    const deployment = api.DeploymentConfiguration;
    if (settings.strategy === 'rolling') {
      expect(deployment.Strategy).toBeUndefined();
      expect(deployment.DeploymentCircuitBreaker).toEqual({ Enable: true, Rollback: true });
    } else {
      expect(deployment.Strategy).toBe(ECS_STRATEGY[settings.strategy]);
      expect(deployment.BakeTimeInMinutes).toBe(settings.bakeMinutes);
      if (settings.strategy === 'canary') {
        expect(deployment.CanaryConfiguration).toEqual({
          CanaryPercent: settings.canaryPercent,
          CanaryBakeTimeInMinutes: settings.stepMinutes,
        });
      }
    }
    for (const [logicalId, service] of Object.entries(resourcesOf(template, 'AWS::ECS::Service'))) {
      if (logicalId.startsWith('ApiService')) continue;
      const other = (service.Properties as Properties).DeploymentConfiguration;
      expect(other.Strategy, logicalId).toBeUndefined();
      expect(other.DeploymentCircuitBreaker, logicalId).toEqual({ Enable: true, Rollback: true });
    }
  });

  it('names as deployment alarms, with rollback, only alarms of the same template with thresholds from config', () => {
    // Act
    const template = citadel.template(environment, 'app');
    const alarms = new Map(
      Object.values(resourcesOf(template, 'AWS::CloudWatch::Alarm')).map((alarm: Resource) => [
        alarm.Properties?.AlarmName,
        alarm.Properties,
      ]),
    );
    const configured = apiService(environment).DeploymentConfiguration.Alarms;

    // Assess
    expect(configured).toMatchObject({ Enable: true, Rollback: true });
    expect(configured?.AlarmNames).toHaveLength(4);
    for (const name of configured?.AlarmNames ?? []) {
      expect(alarms.has(name), `${name} exists in the ${environment} app stack`).toBe(true);
      expect(alarms.get(name)?.EvaluationPeriods).toBe(settings.alarms.evaluationMinutes);
    }
    expect(alarms.get(`citadel-${environment}-api-release-5xx`)?.Threshold).toBe(
      settings.alarms.error5xxPercent,
    );
    expect(alarms.get(`citadel-${environment}-api-release-auth-failures`)?.Threshold).toBe(
      settings.alarms.authFailuresPerMinute,
    );
  });

  it.runIf(settings.strategy !== 'rolling')(
    'shifts traffic through an alternate target group and a test rule on the test port, checked before production traffic moves',
    () => {
      // Act
      const template = citadel.template(environment, 'app');
      const resources = template.toJSON().Resources as Record<string, Resource>;
      const api = apiService(environment);
      const advanced = api.LoadBalancers?.[0]?.AdvancedConfiguration ?? {};

      // Assess
      expect(resources[advanced.AlternateTargetGroupArn?.Ref ?? '']?.Type).toBe(
        'AWS::ElasticLoadBalancingV2::TargetGroup',
      );
      const testRule = resources[advanced.TestListenerRule?.Ref ?? '']?.Properties;
      const testListener = resources[(testRule?.ListenerArn as { Ref: string }).Ref]?.Properties;
      expect(testListener).toMatchObject({ Port: settings.testPort, Protocol: 'HTTPS' });
      const hooks = api.DeploymentConfiguration.LifecycleHooks ?? [];
      expect(hooks.map((hook) => hook.LifecycleStages)).toEqual([['POST_TEST_TRAFFIC_SHIFT']]);
      const functionId = (hooks[0]?.HookTargetArn as { 'Fn::GetAtt': [string, string] })['Fn::GetAtt'][0];
      const variables = (
        resources[functionId]?.Properties?.Environment as { Variables: Record<string, unknown> }
      ).Variables;
      expect(variables).toMatchObject({
        TEST_BASE_URL: `https://${config.edge.domainName}:${settings.testPort}`,
        PROBE_ISSUER: DEPLOYMENT_CHECK_ISSUER,
      });
      expect(JSON.stringify(variables.PROBE_KEY_SECRET_ARN)).toContain(
        `secret:${settings.probe?.privateKeySecretName}`,
      );
      const apiTask = Object.values(resourcesOf(template, 'AWS::ECS::TaskDefinition'))
        .flatMap(
          (definition) =>
            definition.Properties?.ContainerDefinitions as {
              Name: string;
              Environment: { Name: string; Value: unknown }[];
            }[],
        )
        .find((container) => container.Name === 'api');
      const probeKeys = apiTask?.Environment.find((variable) => variable.Name === 'AUTH_PROBE_JWKS')?.Value;
      expect(JSON.parse(String(probeKeys))).toEqual({ keys: [settings.probe?.publicJwk] });
    },
  );
});

describe.each(ENVIRONMENT_NAMES)('the release safety net of %s', (environment) => {
  const settings = deploymentOf(loadEnvironmentConfig(environment));

  it('rolls back on alarms that watch the new revision: both target groups of the API, or its auth_failed log metric', () => {
    // Act
    const resources = citadel.template(environment, 'app').toJSON().Resources as Record<string, Resource>;
    const api = apiService(environment);
    const [balanced] = api.LoadBalancers ?? [];
    const groups = [
      (balanced?.TargetGroupArn as { Ref: string }).Ref,
      balanced?.AdvancedConfiguration?.AlternateTargetGroupArn?.Ref,
    ];
    const alarms = new Map(
      Object.values(resources)
        .filter((resource) => resource.Type === 'AWS::CloudWatch::Alarm')
        .map((alarm) => [alarm.Properties?.AlarmName, alarm.Properties ?? {}]),
    );
    const authFilter = Object.values(resources).find(
      (resource) =>
        resource.Type === 'AWS::Logs::MetricFilter' &&
        String(resource.Properties?.FilterPattern).includes('"auth_failed"'),
    );
    const [authMetric] = authFilter?.Properties?.MetricTransformations as { MetricName: string }[];

    // Assess
    expect(api.DeploymentConfiguration.Strategy).toBe(
      ECS_STRATEGY[settings.strategy as keyof typeof ECS_STRATEGY],
    );
    expect(api.DeploymentConfiguration.Alarms).toMatchObject({ Enable: true, Rollback: true });
    expect(
      groups.every((group) => resources[group ?? '']?.Type === 'AWS::ElasticLoadBalancingV2::TargetGroup'),
    ).toBe(true);
    for (const name of api.DeploymentConfiguration.Alarms?.AlarmNames ?? []) {
      const alarm = alarms.get(name);
      const watched = JSON.stringify(alarm?.Metrics ?? null);
      if (alarm?.MetricName !== undefined) {
        expect(alarm.MetricName, name).toBe(authMetric?.MetricName);
        continue;
      }
      for (const group of groups)
        expect(watched, `${name} watches ${group}`).toContain(`"${group}","TargetGroupFullName"`);
    }
  });

  it('runs the deployment check at POST_TEST_TRAFFIC_SHIFT, through a role only ECS may assume and that may invoke only that function', () => {
    // Act
    const resources = citadel.template(environment, 'app').toJSON().Resources as Record<string, Resource>;
    const hooks = apiService(environment).DeploymentConfiguration.LifecycleHooks ?? [];
    const [hook] = hooks as ((typeof hooks)[number] & { HookDetails?: unknown })[];
    const functionId = (hook?.HookTargetArn as { 'Fn::GetAtt': [string, string] })['Fn::GetAtt'][0];
    const roleId = (hook?.RoleArn as { 'Fn::GetAtt': [string, string] })['Fn::GetAtt'][0];
    const checkFunction = resources[functionId];
    const role = resources[roleId];
    const statements = Object.values(resources)
      .filter(
        (resource) =>
          resource.Type === 'AWS::IAM::Policy' &&
          JSON.stringify(resource.Properties?.Roles).includes(`"${roleId}"`),
      )
      .flatMap(
        (policy) => (policy.Properties?.PolicyDocument as { Statement: Record<string, unknown>[] }).Statement,
      );

    // Assess
    expect(hooks).toHaveLength(1);
    expect(hook?.LifecycleStages).toEqual(['POST_TEST_TRAFFIC_SHIFT']);
    expect(hook?.HookDetails).toEqual({ check: 'api' });
    expect(checkFunction?.Type).toBe('AWS::Lambda::Function');
    expect(checkFunction?.Properties?.Description).toMatch(/through the test listener/);
    expect(Object.keys((checkFunction?.Properties?.Environment as { Variables: object }).Variables)).toEqual(
      expect.arrayContaining(['TEST_BASE_URL', 'PROBE_KEY_SECRET_ARN', 'PROBE_ISSUER']),
    );
    expect(role?.Type).toBe('AWS::IAM::Role');
    expect((role?.Properties?.AssumeRolePolicyDocument as { Statement: unknown[] }).Statement).toEqual([
      expect.objectContaining({
        Effect: 'Allow',
        Action: 'sts:AssumeRole',
        Principal: { Service: 'ecs.amazonaws.com' },
      }),
    ]);
    expect(role?.Properties?.ManagedPolicyArns).toBeUndefined();
    expect(statements).toEqual([
      expect.objectContaining({
        Effect: 'Allow',
        Action: 'lambda:InvokeFunction',
        Resource: { 'Fn::GetAtt': [functionId, 'Arn'] },
      }),
    ]);
  });
});

describe('docs/deploy.md', () => {
  it("shows every environment's worst case exactly as its config gives it", () => {
    // Prepare
    const expected = renderReleaseExposureTable(
      loadAllEnvironmentConfigs().map((config) => releaseExposure(config.name, deploymentOf(config))),
    );

    // Act
    const doc = readFileSync(DEPLOY_DOC, 'utf8');
    const block = /<!-- release-exposure:start -->\n([\s\S]*?)\n<!-- release-exposure:end -->/.exec(doc)?.[1];

    // Assess
    const cells = (table: string | undefined) =>
      (table ?? '').split('\n').map((line) => line.split('|').map((cell) => cell.trim()));
    expect(cells(block)).toEqual(cells(expected));
  });
});
