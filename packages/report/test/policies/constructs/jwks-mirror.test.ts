import { readCdkContext } from '@citadel/infra';
import { JwksMirror } from '@citadel/infra/constructs/jwks-mirror';
import { App, Stack } from 'aws-cdk-lib';
import { Template } from 'aws-cdk-lib/assertions';
import { AccountRootPrincipal, Role } from 'aws-cdk-lib/aws-iam';
import { Key } from 'aws-cdk-lib/aws-kms';
import { describe, expect, it } from 'vitest';
import { simulate, type PolicyDocument } from '../../../src/access/index.js';
import { synthesizedApp } from '../../support/synthesized-app.js';

const REGION = 'eu-west-1';
const PARAMETER = '/citadel/test/auth/jwks';
/** Account of the construct tests' stack; the app-stack tests switch to the environment's own. */
let ACCOUNT = '123456789012';
const parameterArn = (name: string): string => `arn:aws:ssm:${REGION}:${ACCOUNT}:parameter${name}`;

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

/** The identity policies CDK attached to one role, resolved. */
function policiesOf(roleId: string, resources: Resources): { name: string; policy: PolicyDocument }[] {
  return Object.entries(resources)
    .filter(([, resource]) => resource.Type === 'AWS::IAM::Policy')
    .filter(([, resource]) =>
      (resource.Properties?.Roles ?? []).some((role: { Ref?: string }) => role.Ref === roleId),
    )
    .map(([name, resource]) => ({
      name,
      policy: resolve(resource.Properties?.PolicyDocument, resources) as PolicyDocument,
    }));
}

async function decide(
  roleId: string,
  resources: Resources,
  action: string,
  resource: string,
): Promise<string> {
  return simulate({
    principal: `arn:aws:iam::${ACCOUNT}:role/${roleId}`,
    action,
    resource,
    resourceAccount: ACCOUNT,
    context: {},
    identityPolicies: policiesOf(roleId, resources),
  });
}

function build() {
  const app = new App({ context: readCdkContext() });
  const stack = new Stack(app, 'Fixture', { env: { account: ACCOUNT, region: REGION } });
  const key = new Key(stack, 'Key');
  const mirror = new JwksMirror(stack, 'JwksMirror', {
    jwksUrl: 'https://idp.example.com/.well-known/jwks.json',
    parameterName: PARAMETER,
    functionEnvironmentKey: key,
    logPolicy: { key: key, retentionDays: 365 },
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
  it('lets the mirror read and write only its own parameter', { timeout: 120_000 }, async () => {
    // Prepare
    const { mirror, resources, id } = build();
    const mirrorRoleId = id(mirror.function.role!);

    // Act
    const decisions = await Promise.all([
      decide(mirrorRoleId, resources, 'ssm:GetParameter', parameterArn(PARAMETER)),
      decide(mirrorRoleId, resources, 'ssm:PutParameter', parameterArn(PARAMETER)),
      decide(mirrorRoleId, resources, 'ssm:PutParameter', parameterArn('/citadel/test/auth/other')),
      decide(mirrorRoleId, resources, 'ssm:PutParameter', parameterArn('/citadel/prod/auth/jwks')),
      decide(mirrorRoleId, resources, 'ssm:DeleteParameter', parameterArn(PARAMETER)),
      decide(mirrorRoleId, resources, 'ssm:GetParameter', parameterArn('/citadel/test/database/password')),
    ]);

    // Assess
    expect(decisions).toEqual([
      'Allowed',
      'Allowed',
      'ImplicitlyDenied',
      'ImplicitlyDenied',
      'ImplicitlyDenied',
      'ImplicitlyDenied',
    ]);
  });

  it('lets a grantee of grantRead read the parameter and neither write it nor read another', async () => {
    // Prepare
    const { resources, readerId } = build();

    // Act
    const decisions = await Promise.all([
      decide(readerId, resources, 'ssm:GetParameter', parameterArn(PARAMETER)),
      decide(readerId, resources, 'ssm:PutParameter', parameterArn(PARAMETER)),
      decide(readerId, resources, 'ssm:DeleteParameter', parameterArn(PARAMETER)),
      decide(readerId, resources, 'ssm:GetParameter', parameterArn('/citadel/test/auth/other')),
    ]);

    // Assess
    expect(decisions).toEqual(['Allowed', 'ImplicitlyDenied', 'ImplicitlyDenied', 'ImplicitlyDenied']);
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

  it('lets the task role call ssm:GetParameter on that parameter and nothing else in SSM', async () => {
    // Prepare
    const resources = appTemplate();
    const taskRoleId = (taskDefinition(resources).TaskRoleArn as { 'Fn::GetAtt': [string, string] })[
      'Fn::GetAtt'
    ][0];
    const arn = parameterArn(`/citadel/${environment}/auth/jwks`);
    const ssmStatements = policiesOf(taskRoleId, resources)
      .flatMap(({ policy }) => policy.Statement as { Action: string | string[]; Resource: unknown }[])
      .filter((statement) => [statement.Action].flat().some((action) => action.startsWith('ssm:')));

    // Act
    const [read, write] = await Promise.all([
      decide(taskRoleId, resources, 'ssm:GetParameter', arn),
      decide(taskRoleId, resources, 'ssm:PutParameter', arn),
    ]);

    // Assess
    expect(read).toBe('Allowed');
    expect(write).toBe('ImplicitlyDenied');
    expect(ssmStatements).toEqual([expect.objectContaining({ Action: 'ssm:GetParameter', Resource: arn })]);
  }, 180_000);
});
