import { IsolatedNetwork } from '@citadel/infra/constructs/isolated-network';
import { App, Stack } from 'aws-cdk-lib';
import { Template } from 'aws-cdk-lib/assertions';
import { describe, expect, it } from 'vitest';
import { simulate } from '../../../src/access/index.js';
import { resourcesOf } from '../../support/template-queries.js';

const ACCOUNT = '111111111111';

function synthesizedNetwork(region = 'eu-west-1'): Template {
  const stack = new Stack(new App({ builtinCloudFormationValidation: false }), 'Net', {
    env: { account: ACCOUNT, region },
  });
  new IsolatedNetwork(stack, 'Network', {
    cidr: '10.30.0.0/18',
    availabilityZones: [`${region}a`, `${region}b`],
  });
  return Template.fromStack(stack);
}

describe('IsolatedNetwork endpoint policies, evaluated', () => {
  it.each([
    ['this account', ACCOUNT, 'Allowed'],
    ['another account', '222222222222', 'ImplicitlyDenied'],
  ])(
    'lets an identity of %s fetch an ECR token, a call that carries no aws:ResourceAccount, only from this account',
    async (_label, callerAccount, expected) => {
      // Prepare
      const template = synthesizedNetwork();
      const ecrEndpoint = Object.values(resourcesOf(template, 'AWS::EC2::VPCEndpoint')).find((endpoint) =>
        JSON.stringify(endpoint.Properties?.ServiceName).includes('ecr.api'),
      );
      const endpointPolicy = ecrEndpoint?.Properties?.PolicyDocument as Record<string, unknown>;
      const executionRole = `arn:aws:iam::${callerAccount}:role/execution`;

      // Act
      const decision = await simulate({
        principal: executionRole,
        action: 'ecr:GetAuthorizationToken',
        resource: '*',
        resourceAccount: callerAccount,
        context: { 'aws:PrincipalAccount': callerAccount, 'aws:PrincipalArn': executionRole },
        identityPolicies: [
          {
            name: 'execution',
            policy: {
              Version: '2012-10-17',
              Statement: [{ Effect: 'Allow', Action: 'ecr:GetAuthorizationToken', Resource: '*' }],
            },
          },
        ],
        endpointPolicies: [{ name: 'ecr.api endpoint', policy: endpointPolicy }],
      });

      // Assess
      expect(decision).toBe(expected);
    },
  );
});
