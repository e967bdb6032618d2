import { App, Stack } from 'aws-cdk-lib';
import { Template } from 'aws-cdk-lib/assertions';
import { describe, expect, it } from 'vitest';
import {
  CALLS_WITHOUT_RESOURCE,
  INTERFACE_ENDPOINTS,
  IsolatedNetwork,
} from '../../../lib/constructs/isolated-network.js';
import { resourcesOf } from '../../support/template-queries.js';

const ACCOUNT = '111111111111';

type Statement = Record<string, unknown>;

function synthesizedNetwork(region = 'eu-west-1'): { network: IsolatedNetwork; template: Template } {
  const stack = new Stack(new App({ builtinCloudFormationValidation: false }), 'Net', {
    env: { account: ACCOUNT, region },
  });
  const network = new IsolatedNetwork(stack, 'Network', {
    cidr: '10.30.0.0/18',
    availabilityZones: [`${region}a`, `${region}b`],
  });
  return { network, template: Template.fromStack(stack) };
}

function endpointPolicies(template: Template, type: 'Interface' | 'Gateway'): Statement[][] {
  return Object.values(resourcesOf(template, 'AWS::EC2::VPCEndpoint'))
    .filter((endpoint) => endpoint.Properties?.VpcEndpointType === type)
    .map(
      (endpoint) =>
        (endpoint.Properties?.PolicyDocument as { Statement: Statement[] } | undefined)?.Statement ?? [],
    );
}

describe('IsolatedNetwork', () => {
  it('fits every subnet of three AZs into the smallest VPC config allows (/18)', () => {
    // Prepare
    const stack = new Stack(new App({ builtinCloudFormationValidation: false }), 'Net', {
      env: { account: '111111111111', region: 'eu-west-1' },
    });

    // Act
    const network = new IsolatedNetwork(stack, 'Network', {
      cidr: '10.30.0.0/18',
      availabilityZones: ['eu-west-1a', 'eu-west-1b', 'eu-west-1c'],
    });

    // Assess
    expect(network.vpc.selectSubnets(network.appSubnets).subnets).toHaveLength(3);
    expect(network.vpc.selectSubnets(network.dataSubnets).subnets).toHaveLength(3);
    expect(network.vpc.selectSubnets(network.edgeSubnets).subnets).toHaveLength(3);
  });

  it('lets every interface endpoint carry only calls by this account to this account', () => {
    // Prepare + Act
    const { template } = synthesizedNetwork();

    // Assess
    const policies = endpointPolicies(template, 'Interface');
    expect(policies).toHaveLength(Object.keys(INTERFACE_ENDPOINTS).length);
    for (const statements of policies) {
      expect(statements.length).toBeGreaterThan(0);
      for (const statement of statements) {
        expect(statement.Effect).toBe('Allow');
        if (statement.Sid === 'AccountIdentitiesCallsWithoutResource') {
          expect(statement.Condition).toEqual({ StringEquals: { 'aws:PrincipalAccount': ACCOUNT } });
          expect(Object.values(CALLS_WITHOUT_RESOURCE).flat()).toEqual(
            expect.arrayContaining([statement.Action].flat()),
          );
          continue;
        }
        expect(statement.Condition).toEqual({
          StringEquals: { 'aws:PrincipalAccount': ACCOUNT, 'aws:ResourceAccount': ACCOUNT },
        });
      }
    }
  });

  it.each(['eu-west-1', 'eu-central-1'])(
    'lets the S3 gateway endpoint in %s fetch ECR image layers and reach only buckets of this account',
    (region) => {
      // Prepare + Act
      const { template } = synthesizedNetwork(region);

      // Assess
      const [statements] = endpointPolicies(template, 'Gateway');
      expect(statements).toEqual([
        {
          Sid: 'EcrImageLayers',
          Effect: 'Allow',
          Principal: { AWS: '*' },
          Action: 's3:GetObject',
          Resource: `arn:aws:s3:::prod-${region}-starport-layer-bucket/*`,
        },
        {
          Sid: 'AccountIdentitiesToAccountBuckets',
          Effect: 'Allow',
          Principal: { AWS: '*' },
          Action: 's3:*',
          Resource: '*',
          Condition: { StringEquals: { 'aws:PrincipalAccount': ACCOUNT, 'aws:ResourceAccount': ACCOUNT } },
        },
      ]);
    },
  );

  it('exposes the endpoints by name for the policies and rules that depend on them', () => {
    // Prepare + Act
    const { network } = synthesizedNetwork();

    // Assess
    expect(Object.keys(network.interfaceEndpoints).sort()).toEqual(Object.keys(INTERFACE_ENDPOINTS).sort());
    expect(network.s3Endpoint.vpcEndpointId).toBeDefined();
  });
});
