import { API_ENV, API_HEALTH_PATH, API_LOG_EVENTS, type ApiEnvironmentVariable } from '@citadel/api/contract';
import { CfnElement, Stack } from 'aws-cdk-lib';
import { FilterPattern } from 'aws-cdk-lib/aws-logs';
import { beforeAll, describe, expect, it } from 'vitest';
import { loadConfig } from '../../../api/src/config.js';
import type { CitadelStage } from '../../lib/citadel-stage.js';
import { synthesizedApp, type SynthesizedApp } from '../support/synthesized-app.js';

type Resource = { Type: string; Properties?: Record<string, unknown> };
interface StackTemplate {
  readonly stackName: string;
  readonly resources: Record<string, Resource>;
  readonly outputs: Record<string, { Value: unknown; Export?: { Name?: unknown } }>;
}
interface Container {
  readonly Name: string;
  readonly Image: unknown;
  readonly Command?: unknown;
  readonly Environment?: { Name: string; Value: unknown }[];
  readonly Secrets?: { Name: string; ValueFrom: unknown }[];
  readonly HealthCheck?: { Command: string[] };
  readonly PortMappings?: { ContainerPort: number }[];
  readonly LogConfiguration?: { Options?: Record<string, unknown> };
}
interface ApiContainer {
  readonly stack: StackTemplate;
  readonly taskDefinitionId: string;
  readonly container: Container;
}

/** Read by Node.js and libraries in the image rather than by the API's own loader. */
const READ_BY_THE_RUNTIME = new Set(['NODE_ENV']);
/** What a secret from Secrets Manager would hold, for the variables that may come from one. */
const PLAUSIBLE_SECRET: Partial<Record<ApiEnvironmentVariable, string>> = {
  DATABASE_URL: 'postgres://citadel_app:example-password@db.internal:5432/citadel',
  AUTH_JWKS: JSON.stringify({ keys: [{ kty: 'EC', kid: 'idp-1', crv: 'P-256', x: 'AA', y: 'AA' }] }),
};

/**
 * Turns the CloudFormation intrinsics of a task environment into values of the shape AWS
 * gives them at deploy time. Anything it does not know fails the test by name, so a new kind
 * of reference is looked at rather than passed through.
 */
class IntrinsicResolver {
  constructor(
    private readonly stage: CitadelStage,
    private readonly stacks: readonly StackTemplate[],
  ) {}

  private get region(): string {
    return this.stage.region as string;
  }

  private get account(): string {
    return this.stage.account as string;
  }

  resolve(value: unknown, stack: StackTemplate): string {
    if (typeof value === 'string') return value;
    if (typeof value === 'number') return String(value);
    const [intrinsic, argument] = Object.entries(value as Record<string, unknown>)[0] ?? [];
    switch (intrinsic) {
      case 'Ref':
        return this.ref(argument as string, stack);
      case 'Fn::GetAtt':
        return this.attribute(argument as [string, string], stack);
      case 'Fn::ImportValue':
        return this.imported(this.resolve(argument, stack));
      case 'Fn::Join': {
        const [separator, parts] = argument as [string, unknown[]];
        return parts.map((part) => this.resolve(part, stack)).join(separator);
      }
      default:
        throw new Error(`no plausible value for ${JSON.stringify(value)} in ${stack.stackName}`);
    }
  }

  private ref(name: string, stack: StackTemplate): string {
    const pseudo: Record<string, string> = {
      'AWS::Region': this.region,
      'AWS::AccountId': this.account,
      'AWS::Partition': 'aws',
      'AWS::URLSuffix': 'amazonaws.com',
      'AWS::StackName': stack.stackName,
    };
    if (pseudo[name] !== undefined) return pseudo[name];
    const resource = this.resource(name, stack);
    switch (resource.Type) {
      case 'AWS::SQS::Queue':
        return this.queueUrl(name, resource);
      case 'AWS::SSM::Parameter': {
        const parameterName = resource.Properties?.Name;
        return typeof parameterName === 'string'
          ? parameterName
          : `/citadel/${this.stage.stageName}/auth/jwks`;
      }
      case 'AWS::Logs::LogGroup': {
        const groupName = resource.Properties?.LogGroupName;
        return typeof groupName === 'string' ? groupName : `${stack.stackName}-${name}`;
      }
      default:
        throw new Error(`no plausible value for Ref ${name} (${resource.Type}) in ${stack.stackName}`);
    }
  }

  private attribute([name, attribute]: [string, string], stack: StackTemplate): string {
    const resource = this.resource(name, stack);
    const known: Record<string, () => string> = {
      'AWS::RDS::DBInstance Endpoint.Address': () =>
        `${name.toLowerCase()}.abcdefghijkl.${this.region}.rds.amazonaws.com`,
      'AWS::RDS::DBInstance Endpoint.Port': () => String(resource.Properties?.Port ?? 5432),
      'AWS::SQS::Queue QueueUrl': () => this.queueUrl(name, resource),
      'AWS::SQS::Queue QueueName': () => this.queueName(name, resource),
      'AWS::SQS::Queue Arn': () =>
        `arn:aws:sqs:${this.region}:${this.account}:${this.queueName(name, resource)}`,
    };
    const value = known[`${resource.Type} ${attribute}`];
    if (!value) {
      throw new Error(
        `no plausible value for GetAtt ${name}.${attribute} (${resource.Type}) in ${stack.stackName}`,
      );
    }
    return value();
  }

  private imported(exportName: string): string {
    for (const producer of this.stacks) {
      const output = Object.values(producer.outputs).find(
        (candidate) => candidate.Export?.Name === exportName,
      );
      if (output) return this.resolve(output.Value, producer);
    }
    throw new Error(`no stack of ${this.stage.stageName} exports ${exportName}`);
  }

  private queueUrl(name: string, resource: Resource): string {
    return `https://sqs.${this.region}.amazonaws.com/${this.account}/${this.queueName(name, resource)}`;
  }

  private queueName(name: string, resource: Resource): string {
    const given = resource.Properties?.QueueName;
    return typeof given === 'string' ? given : `citadel-${this.stage.stageName}-${name}`;
  }

  private resource(name: string, stack: StackTemplate): Resource {
    const resource = stack.resources[name];
    if (!resource) throw new Error(`${stack.stackName} has no resource ${name}`);
    return resource;
  }
}

function stackTemplates(stage: CitadelStage): StackTemplate[] {
  return stage.synth().stacks.map((artifact) => {
    const template = artifact.template as {
      Resources?: StackTemplate['resources'];
      Outputs?: StackTemplate['outputs'];
    };
    return {
      stackName: artifact.stackName,
      resources: template.Resources ?? {},
      outputs: template.Outputs ?? {},
    };
  });
}

/** Logical id of the API image repository in the shared stack, which image URIs refer to. */
function apiRepositoryId(stage: CitadelStage): string {
  const repository = stage.shared.apiRepository.node.defaultChild;
  if (!CfnElement.isCfnElement(repository))
    throw new Error('the API repository has no CloudFormation resource');
  return Stack.of(repository).getLogicalId(repository);
}

/**
 * Every container that runs the API image as the API: with the image's own command. Scheduled
 * jobs run the same image with a command of their own and read their own environment.
 */
function apiServerContainers(stage: CitadelStage, stacks: readonly StackTemplate[]): ApiContainer[] {
  const repositoryId = apiRepositoryId(stage);
  return stacks.flatMap((stack) =>
    Object.entries(stack.resources)
      .filter(([, resource]) => resource.Type === 'AWS::ECS::TaskDefinition')
      .flatMap(([taskDefinitionId, resource]) =>
        (resource.Properties?.ContainerDefinitions as Container[])
          .filter((container) => JSON.stringify(container.Image).includes(repositoryId))
          .filter((container) => container.Command === undefined)
          .map((container) => ({ stack, taskDefinitionId, container })),
      ),
  );
}

/** The environment the API process sees in the task: what ECS provides, then the task's own. */
function taskEnvironment(
  { stack, container }: ApiContainer,
  stage: CitadelStage,
  resolver: IntrinsicResolver,
): Record<string, string> {
  const providedByEcs = { AWS_REGION: stage.region as string, AWS_DEFAULT_REGION: stage.region as string };
  const plain = (container.Environment ?? []).map(({ Name, Value }) => [
    Name,
    resolver.resolve(Value, stack),
  ]);
  const secrets = (container.Secrets ?? []).map(({ Name }) => {
    const value = PLAUSIBLE_SECRET[Name as ApiEnvironmentVariable];
    if (value === undefined) throw new Error(`no plausible value for the secret ${Name}`);
    return [Name, value];
  });
  return { ...providedByEcs, ...Object.fromEntries([...plain, ...secrets]) };
}

let citadel: SynthesizedApp;

beforeAll(() => {
  citadel = synthesizedApp();
}, 600_000);

describe('the API task of every environment against the API contract', () => {
  const environments = () =>
    citadel.stages.map((stage) => {
      const stacks = stackTemplates(stage);
      return {
        stage,
        stacks,
        resolver: new IntrinsicResolver(stage, stacks),
        api: apiServerContainers(stage, stacks),
      };
    });

  it('runs the API image as the API in exactly one container per environment', () => {
    for (const { stage, api } of environments()) {
      expect(
        api.map(({ container }) => container.Name),
        stage.stageName,
      ).toHaveLength(1);
    }
  });

  it('names only variables the API reads', () => {
    for (const { stage, api } of environments()) {
      for (const { container } of api) {
        const names = [...(container.Environment ?? []), ...(container.Secrets ?? [])].map(
          ({ Name }) => Name,
        );
        const unknown = names.filter(
          (name) => !(Object.values(API_ENV) as string[]).includes(name) && !READ_BY_THE_RUNTIME.has(name),
        );

        expect(unknown, stage.stageName).toEqual([]);
      }
    }
  });

  it("gives the API an environment its loader accepts: aws mode, IAM sign-in and the environment's queue", () => {
    for (const { stage, api, resolver } of environments()) {
      for (const container of api) {
        // Prepare
        const env = taskEnvironment(container, stage, resolver);

        // Act
        const config = loadConfig(env);

        // Assess
        expect(config.mode, stage.stageName).toBe('aws');
        expect(config.database, stage.stageName).toMatchObject({
          auth: 'iam',
          host: expect.stringMatching(/\.rds\.amazonaws\.com$/),
          port: 5432,
          region: stage.region,
        });
        expect(config.paymentsQueueUrl, stage.stageName).toMatch(
          new RegExp(`^https://sqs\\.${stage.region}\\.amazonaws\\.com/${stage.account}/`),
        );
        expect(
          config.auth.jwksParameter ?? config.auth.jwks ?? config.auth.jwksUrl,
          stage.stageName,
        ).not.toBeNull();
        expect(config.trustedProxyHops, stage.stageName).toBe(1);
      }
    }
  });

  it('loads without the region in the task definition, from what ECS provides', () => {
    for (const { stage, api, resolver } of environments()) {
      for (const container of api) {
        const { AWS_REGION: _fromTask, ...env } = taskEnvironment(container, stage, resolver);

        expect(() => loadConfig(env), stage.stageName).toThrow(/AWS_REGION: required/);
        expect(loadConfig({ ...env, AWS_REGION: stage.region as string }).database).toMatchObject({
          region: stage.region,
        });
      }
    }
  });

  it("probes the contract's health path on the port the API listens on, in the container and at the load balancer", () => {
    for (const { stage, api, resolver } of environments()) {
      for (const apiContainer of api) {
        // Prepare
        const { stack, taskDefinitionId, container } = apiContainer;
        const { port } = loadConfig(taskEnvironment(apiContainer, stage, resolver));
        const probed = JSON.stringify(container.HealthCheck?.Command ?? []).match(
          /https?:\/\/[^'"\\\s)]+/,
        )?.[0];
        const [, service] =
          Object.entries(stack.resources).find(
            ([, resource]) =>
              resource.Type === 'AWS::ECS::Service' &&
              JSON.stringify(resource.Properties?.TaskDefinition) ===
                JSON.stringify({ Ref: taskDefinitionId }),
          ) ?? [];
        const targets = (service?.Properties?.LoadBalancers ?? []) as {
          ContainerName: string;
          ContainerPort: number;
          TargetGroupArn: { Ref: string };
        }[];

        // Assess
        expect(probed, stage.stageName).toBeDefined();
        expect(new URL(probed as string).pathname, stage.stageName).toBe(API_HEALTH_PATH);
        expect(new URL(probed as string).port, stage.stageName).toBe(String(port));
        expect(
          container.PortMappings?.map((mapping) => mapping.ContainerPort),
          stage.stageName,
        ).toEqual([port]);
        expect(targets.length, stage.stageName).toBeGreaterThan(0);
        for (const target of targets) {
          const targetGroup = stack.resources[target.TargetGroupArn.Ref];
          expect([target.ContainerName, target.ContainerPort], stage.stageName).toEqual([
            container.Name,
            port,
          ]);
          expect(targetGroup?.Properties?.HealthCheckPath, stage.stageName).toBe(API_HEALTH_PATH);
        }
      }
    }
  });

  it("counts failed sign-ins in the API's log by the contract's auth_failed event", () => {
    for (const { stage, stacks, resolver, api } of environments()) {
      // Prepare
      const { metricName, namespace } = stage.monitoring.alarms.authFailures;
      const filters = stacks.flatMap((stack) =>
        Object.values(stack.resources)
          .filter((resource) => resource.Type === 'AWS::Logs::MetricFilter')
          .filter((resource) =>
            (
              resource.Properties?.MetricTransformations as { MetricName: string; MetricNamespace: string }[]
            ).some(
              (transformation) =>
                transformation.MetricName === metricName && transformation.MetricNamespace === namespace,
            ),
          )
          .map((resource) => ({ stack, properties: resource.Properties ?? {} })),
      );
      const apiLogGroups = api.map(({ stack, container }) =>
        resolver.resolve(container.LogConfiguration?.Options?.['awslogs-group'], stack),
      );

      // Assess
      expect(filters, stage.stageName).toHaveLength(1);
      const [{ stack, properties }] = filters as [(typeof filters)[number]];
      expect(properties.FilterPattern, stage.stageName).toBe(
        FilterPattern.stringValue('$.event', '=', API_LOG_EVENTS.authFailed).logPatternString,
      );
      expect(apiLogGroups, stage.stageName).toContain(resolver.resolve(properties.LogGroupName, stack));
    }
  });
});

describe('the intrinsic resolver', () => {
  it('fails on an intrinsic it does not know, naming it', () => {
    const stage = citadel.stages[0] as CitadelStage;
    const resolver = new IntrinsicResolver(stage, []);
    const stack: StackTemplate = { stackName: 'fixture', resources: {}, outputs: {} };

    expect(() => resolver.resolve({ 'Fn::Sub': 'x-${AWS::Region}' }, stack)).toThrow(/Fn::Sub/);
    expect(() => resolver.resolve({ Ref: 'Missing' }, stack)).toThrow(/fixture has no resource Missing/);
    expect(() => resolver.resolve({ 'Fn::ImportValue': 'nowhere' }, stack)).toThrow(/exports nowhere/);
  });
});
