import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { decide } from '../../support/policy-simulation.js';

interface Resource {
  Type: string;
  Properties: Record<string, unknown>;
}

/** The hardened CDK bootstrap template `npm run bootstrap` deploys. */
const template = parse(
  readFileSync(createRequire(import.meta.url).resolve('@citadel/infra/bootstrap/template.yaml'), 'utf8'),
) as { Resources: Record<string, Resource> };

describe('the bootstrap deploy role, as npm run destroy uses it', () => {
  const ACCOUNT = '111111111111';
  const REGION = 'eu-west-1';
  const ROLE = `arn:aws:iam::${ACCOUNT}:role/cdk-hnb659fds-deploy-role-${ACCOUNT}-${REGION}`;
  const DATABASE = `arn:aws:rds:${REGION}:${ACCOUNT}:db:citadel-dev-postgres`;
  const LOAD_BALANCER = `arn:aws:elasticloadbalancing:${REGION}:${ACCOUNT}:loadbalancer/app/citade-EdgeL-1XK2Y3Z4/5f6e7d8c9b0a1f2e`;
  const STACK = `arn:aws:cloudformation:${REGION}:${ACCOUNT}:stack/citadel-dev-data/0a1b2c3d-aa11-11ef-9f6b-0a1b2c3d4e5f`;

  /** The role's inline policy with `Ref` and `Fn::Sub` resolved for one account and region. */
  function deployRolePolicy(): unknown {
    const role = template.Resources.DeploymentActionRole as Resource;
    const document = (role.Properties.Policies as { PolicyDocument: unknown }[])[0]!.PolicyDocument;
    const values: Record<string, string> = {
      'AWS::Partition': 'aws',
      'AWS::Region': REGION,
      'AWS::AccountId': ACCOUNT,
    };
    const resolve = (node: unknown): unknown => {
      if (Array.isArray(node)) return node.map(resolve);
      if (node === null || typeof node !== 'object') return node;
      const record = node as Record<string, unknown>;
      if (typeof record.Ref === 'string') return values[record.Ref] ?? `unresolved-${record.Ref}`;
      if (typeof record['Fn::Sub'] === 'string') {
        return record['Fn::Sub'].replace(
          /\$\{([^}]+)\}/g,
          (_, name: string) => values[name] ?? `unresolved-${name}`,
        );
      }
      return Object.fromEntries(Object.entries(record).map(([key, value]) => [key, resolve(value)]));
    };
    return resolve(document);
  }

  const decideFor = (action: string, resource: string) =>
    decide({
      policy: undefined,
      identityPolicies: [deployRolePolicy()],
      action,
      principal: ROLE,
      resource,
      resourceAccount: ACCOUNT,
      context: {},
    });

  it.each([
    ['cloudformation:UpdateTerminationProtection', STACK],
    ['cloudformation:DeleteStack', STACK],
    ['rds:DescribeDBInstances', DATABASE],
    ['rds:ModifyDBInstance', DATABASE],
    ['elasticloadbalancing:ModifyLoadBalancerAttributes', LOAD_BALANCER],
  ])('allows %s, which destroy calls', async (action, resource) => {
    expect(await decideFor(action, resource)).toBe('Allowed');
  });

  it.each([
    ['rds:ModifyDBInstance', `arn:aws:rds:${REGION}:${ACCOUNT}:db:payroll`],
    ['rds:DeleteDBInstance', DATABASE],
    ['rds:ModifyDBInstance', `arn:aws:rds:us-east-1:${ACCOUNT}:db:citadel-dev-postgres`],
    ['elasticloadbalancing:DeleteLoadBalancer', LOAD_BALANCER],
    [
      'elasticloadbalancing:ModifyLoadBalancerAttributes',
      `arn:aws:elasticloadbalancing:${REGION}:${ACCOUNT}:loadbalancer/net/other/1a2b3c4d5e6f7a8b`,
    ],
  ])('denies %s on %s', async (action, resource) => {
    expect(await decideFor(action, resource)).toBe('ImplicitlyDenied');
  });
});
