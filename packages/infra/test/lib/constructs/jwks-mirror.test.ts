import { App, Stack } from 'aws-cdk-lib';
import { Template } from 'aws-cdk-lib/assertions';
import { AccountRootPrincipal, Role } from 'aws-cdk-lib/aws-iam';
import { Key } from 'aws-cdk-lib/aws-kms';
import { describe, expect, it } from 'vitest';
import { loadConfig } from '../../../../api/src/config.js';
import { mirrorSettingsFromEnvironment } from '../../../../functions/src/jwks-mirror/settings.js';
import { loadEnvironmentConfig } from '../../../config/index.js';
import { readCdkContext } from '../../../lib/citadel-app.js';
import { CitadelStage } from '../../../lib/citadel-stage.js';
import { JwksMirror, type JwksMirrorProps } from '../../../lib/constructs/jwks-mirror.js';
import { InvalidPropError } from '../../../lib/invalid-prop-error.js';
import { synthesizedApp } from '../../support/synthesized-app.js';

const REGION = 'eu-west-1';
const PARAMETER = '/citadel/test/auth/jwks';
/** Account of the construct tests' stack; the app-stack tests switch to the environment's own. */
let ACCOUNT = '123456789012';

// eslint-disable-next-line @typescript-eslint/no-explicit-any -- template JSON, read by shape in each test
type Resources = Record<string, { Type: string; Properties?: Record<string, any> }>;

/** Resolves the intrinsics these templates use for ARNs and names to concrete values. */
function resolve(value: unknown, resources: Resources): unknown {
  if (Array.isArray(value)) return value.map((item) => resolve(item, resources));
  if (typeof value !== 'object' || value === null) return value;
  const object = value as Record<string, unknown>;
  if ('Ref' in object) {
    const ref = object.Ref as string;
    const pseudo: Record<string, string> = {
      'AWS::Partition': 'aws',
      'AWS::Region': REGION,
      'AWS::AccountId': ACCOUNT,
      'AWS::URLSuffix': 'amazonaws.com',
    };
    if (pseudo[ref]) return pseudo[ref];
    const resource = resources[ref];
    if (resource?.Type === 'AWS::SSM::Parameter') return resource.Properties?.Name;
    return `${ref}-ref`;
  }
  if ('Fn::Join' in object) {
    const [separator, parts] = object['Fn::Join'] as [string, unknown[]];
    return (resolve(parts, resources) as unknown[]).join(separator);
  }
  if ('Fn::GetAtt' in object) return `${(object['Fn::GetAtt'] as string[]).join('.')}-att`;
  // Values from other stacks stand for resources this test does not decide on.
  const other = Object.keys(object).find((key) => key.startsWith('Fn::'));
  if (other) return `arn:aws:unresolved:${REGION}:${ACCOUNT}:${JSON.stringify(object[other])}`;
  return Object.fromEntries(Object.entries(object).map(([key, item]) => [key, resolve(item, resources)]));
}

function build(overrides: Partial<JwksMirrorProps> = {}) {
  const app = new App({ context: readCdkContext() });
  const stack = new Stack(app, 'Fixture', { env: { account: ACCOUNT, region: REGION } });
  const key = new Key(stack, 'Key');
  const mirror = new JwksMirror(stack, 'JwksMirror', {
    jwksUrl: 'https://idp.example.com/.well-known/jwks.json',
    parameterName: PARAMETER,
    functionEnvironmentKey: key,
    logPolicy: { key: key, retentionDays: 365 },
    ...overrides,
  });
  const reader = new Role(stack, 'Reader', { assumedBy: new AccountRootPrincipal() });
  mirror.grantRead(reader);
  const template = Template.fromStack(stack);
  const resources = template.toJSON().Resources as Resources;
  const id = (construct: { node: { defaultChild?: unknown } } | object): string =>
    stack.getLogicalId(('node' in construct ? construct.node.defaultChild : construct) as never);
  return { stack, mirror, template, resources, key, readerId: id(reader), id };
}

describe('JwksMirror', () => {
  // The first build also bundles the function once for this process.
  it(
    'keeps the keys in one standard-tier String parameter, empty until the first run',
    { timeout: 120_000 },
    () => {
      // Act
      const { template } = build();

      // Assess
      template.resourceCountIs('AWS::SSM::Parameter', 1);
      template.hasResourceProperties('AWS::SSM::Parameter', {
        Name: PARAMETER,
        Type: 'String',
        Tier: 'Standard',
        Value: '{"keys":[]}',
      });
    },
  );

  it('runs the function outside the VPC on a five-minute schedule, one run at a time, without Lambda retries', () => {
    // Act
    const { template, mirror, stack, id } = build();

    // Assess
    const functionId = id(mirror.function);
    const [[ruleId, rule] = []] = Object.entries(template.findResources('AWS::Events::Rule'));
    expect(rule?.Properties).toMatchObject({
      ScheduleExpression: 'rate(5 minutes)',
      State: 'ENABLED',
      Targets: [{ Arn: { 'Fn::GetAtt': [functionId, 'Arn'] } }],
    });
    template.hasResourceProperties('AWS::Lambda::Permission', {
      Action: 'lambda:InvokeFunction',
      Principal: 'events.amazonaws.com',
      FunctionName: { 'Fn::GetAtt': [functionId, 'Arn'] },
      SourceArn: { 'Fn::GetAtt': [ruleId, 'Arn'] },
    });
    const fn = template.findResources('AWS::Lambda::Function')[functionId];
    expect(fn?.Properties.ReservedConcurrentExecutions).toBe(1);
    expect(fn?.Properties).not.toHaveProperty('VpcConfig');
    template.hasResourceProperties('AWS::Lambda::EventInvokeConfig', {
      FunctionName: { Ref: functionId },
      MaximumRetryAttempts: 0,
    });
    expect(stack.resolve(mirror.errorMetric.toMetricConfig().metricStat)).toMatchObject({
      metricName: 'Errors',
      namespace: 'AWS/Lambda',
      statistic: 'Sum',
    });
  });

  it("encrypts the function's logs with the logs key and keeps them for the environment's retention", () => {
    // Act
    const { template, key, id } = build();

    // Assess
    template.hasResourceProperties('AWS::Logs::LogGroup', {
      KmsKeyId: { 'Fn::GetAtt': [id(key), 'Arn'] },
      RetentionInDays: 365,
    });
  });

  it('gives the function an environment its settings reader accepts', () => {
    // Prepare
    const { template, mirror, id, resources } = build();
    const fn = template.findResources('AWS::Lambda::Function')[id(mirror.function)];
    const environment = resolve(fn?.Properties.Environment.Variables, resources) as Record<string, string>;

    // Act
    const settings = mirrorSettingsFromEnvironment(environment);

    // Assess
    expect(settings.jwksUrl.href).toBe('https://idp.example.com/.well-known/jwks.json');
    expect(settings.parameterName).toBe(PARAMETER);
  });

  it.each([
    ['jwksUrl', { jwksUrl: 'http://idp.example.com/jwks.json' }, 'https://'],
    ['jwksUrl', { jwksUrl: 'idp.example.com/jwks.json' }, 'https://'],
    ['parameterName', { parameterName: 'citadel/jwks' }, 'fully qualified'],
    ['intervalMinutes', { intervalMinutes: 0 }, '1 to 60'],
  ])('fails at synth with InvalidPropError when %s is %j', (prop, overrides, fix) => {
    // Act
    const act = () => build(overrides);

    // Assess
    expect(act).toThrow(InvalidPropError);
    expect(act).toThrow(new RegExp(`Fixture/JwksMirror: ${prop} = .*${fix}`));
  });
});

describe('JWKS mirror in the app stack', () => {
  const environment = 'dev';
  const appTemplate = (): Resources => {
    const stage = synthesizedApp().stage(environment);
    ACCOUNT = stage.account as string;
    expect(stage.region).toBe(REGION);
    return synthesizedApp().template(environment, 'app').toJSON().Resources as Resources;
  };

  function taskDefinition(resources: Resources) {
    const [definition] = Object.values(resources).filter((r) => r.Type === 'AWS::ECS::TaskDefinition');
    return definition!.Properties!;
  }

  it("gives the task an environment the API's config loader accepts, naming the mirror's parameter", () => {
    // Prepare
    const resources = appTemplate();
    const variables = taskDefinition(resources).ContainerDefinitions[0].Environment as {
      Name: string;
      Value: unknown;
    }[];
    const env = Object.fromEntries(variables.map(({ Name, Value }) => [Name, resolve(Value, resources)]));
    // Values that are resource attributes only at deploy time, in the shape AWS gives them.
    env.DB_HOST = 'citadel.abcdefghijkl.eu-west-1.rds.amazonaws.com';
    env.DB_PORT = '5432';
    env.PAYMENTS_QUEUE_URL = `https://sqs.${REGION}.amazonaws.com/${ACCOUNT}/citadel-payments`;

    // Act
    const config = loadConfig(env as Record<string, string>);

    // Assess
    expect(config.auth).toMatchObject({
      jwksParameter: `/citadel/${environment}/auth/jwks`,
      jwks: null,
      jwksUrl: null,
    });
  }, 180_000);
});

describe('JWKS mirror and the deploy-time context', () => {
  function stageWith(context: Record<string, string>): CitadelStage {
    const app = new App({ context: { ...readCdkContext(), ...context } });
    return new CitadelStage(app, { config: loadEnvironmentConfig('dev') });
  }

  it('deploys no mirror and pins the keys in the task when authJwks is given', { timeout: 180_000 }, () => {
    // Prepare
    const jwks = '{"keys":[{"kty":"EC","kid":"idp-1","crv":"P-256","x":"eA","y":"eQ","use":"sig"}]}';

    // Act
    const stage = stageWith({ authJwks: jwks, authJwksUrl: 'https://idp.example.com/jwks.json' });

    // Assess
    const template = Template.fromStack(stage.app);
    template.resourceCountIs('AWS::SSM::Parameter', 0);
    template.resourceCountIs('AWS::Events::Rule', 0);
    const [definition] = Object.values(template.findResources('AWS::ECS::TaskDefinition'));
    const names = (definition?.Properties.ContainerDefinitions[0].Environment as { Name: string }[]).map(
      (variable) => variable.Name,
    );
    expect(names).toContain('AUTH_JWKS');
    expect(names).not.toContain('AUTH_JWKS_PARAMETER');
    expect(JSON.stringify(template.findResources('AWS::IAM::Policy'))).not.toContain('ssm:');
  });

  it('fails at synth with InvalidPropError when authJwksUrl is not https', () => {
    // Act
    const act = () => stageWith({ authJwksUrl: 'http://idp.example.com/jwks.json' });

    // Assess
    expect(act).toThrow(InvalidPropError);
    expect(act).toThrow(
      /JwksMirror: jwksUrl = "http:\/\/idp.example.com\/jwks.json"; give the identity provider's https:\/\/ JWKS URL/,
    );
  });
});
