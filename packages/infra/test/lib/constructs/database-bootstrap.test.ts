import { SecurityGroup, SubnetType } from 'aws-cdk-lib/aws-ec2';
import { describe, expect, it } from 'vitest';
import { DatabaseBootstrap } from '../../../lib/constructs/database-bootstrap.js';
import { workloadFixture } from '../../support/workload-fixture.js';

describe('DatabaseBootstrap', () => {
  it.each([
    ['both are given the same name', { appUserName: 'citadel_ops', processorUserName: 'citadel_ops' }],
    ['the processor is given the default API role', { processorUserName: 'citadel_app' }],
  ])('fails when the API and the payment processor would share one database role: %s', (_case, users) => {
    // Prepare
    const { stack, vpc, database, key } = workloadFixture();
    const securityGroup = new SecurityGroup(stack, 'BootstrapGroup', { vpc });

    // Act
    const act = () =>
      new DatabaseBootstrap(stack, 'DatabaseBootstrap', {
        vpc,
        vpcSubnets: { subnetType: SubnetType.PRIVATE_ISOLATED },
        securityGroup,
        database,
        masterSecret: database.secret!,
        functionEnvironmentKey: key,
        logsKey: key,
        logRetentionDays: 90,
        ...users,
      });

    // Assess
    expect(act).toThrow(/processorUserName.*name a role other than appUserName/s);
  });
});
