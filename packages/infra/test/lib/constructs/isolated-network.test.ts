import { App, Stack } from 'aws-cdk-lib';
import { describe, expect, it } from 'vitest';
import { IsolatedNetwork } from '../../../lib/constructs/isolated-network.js';

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
});
