import { App, Stack } from 'aws-cdk-lib';
import { Template } from 'aws-cdk-lib/assertions';
import { SecurityGroup, Vpc } from 'aws-cdk-lib/aws-ec2';
import { DatabaseInstance } from 'aws-cdk-lib/aws-rds';
import { describe, expect, it } from 'vitest';
import { createDatabaseClientSecurityGroup } from '../../../lib/constructs/database-client-security-group.js';
import { S3_PREFIX_LIST_IDS } from '../../../lib/s3-prefix-lists.js';
import { resourcesOf } from '../../support/template-queries.js';

type Rule = Record<string, unknown>;

function clientGroupEgress(region: string): Rule[] {
  const stack = new Stack(new App(), 'Client', { env: { account: '111111111111', region } });
  const vpc = new Vpc(stack, 'Vpc', { natGateways: 0, availabilityZones: [`${region}a`, `${region}b`] });
  const database = DatabaseInstance.fromDatabaseInstanceAttributes(stack, 'Database', {
    instanceIdentifier: 'citadel-test-postgres',
    instanceEndpointAddress: 'citadel-test-postgres.example.internal',
    port: 5432,
    securityGroups: [SecurityGroup.fromSecurityGroupId(stack, 'DatabaseGroup', 'sg-0123456789abcdef0')],
  });
  createDatabaseClientSecurityGroup(stack, { vpc, database, description: 'a database client' });
  const groups = Object.values(resourcesOf(Template.fromStack(stack), 'AWS::EC2::SecurityGroup')).filter(
    (group) => group.Properties?.GroupDescription === 'a database client',
  );
  expect(groups).toHaveLength(1);
  return (groups[0]?.Properties?.SecurityGroupEgress as Rule[] | undefined) ?? [];
}

describe('createDatabaseClientSecurityGroup', () => {
  it.each(['eu-west-1', 'eu-central-1'])(
    'in %s reaches only the VPC endpoints and S3 on 443 and the database on 5432, written on the group',
    (region) => {
      // Prepare + Act
      const egress = clientGroupEgress(region);

      // Assess
      expect(egress.map((rule) => rule.CidrIp)).not.toContain('0.0.0.0/0');
      expect(egress.map((rule) => rule.CidrIpv6)).not.toContain('::/0');
      expect(egress).toEqual(
        expect.arrayContaining([
          expect.objectContaining({
            IpProtocol: 'tcp',
            FromPort: 443,
            ToPort: 443,
            CidrIp: expect.anything(),
          }),
          expect.objectContaining({ FromPort: 443, DestinationPrefixListId: S3_PREFIX_LIST_IDS[region] }),
          expect.objectContaining({ FromPort: 5432, DestinationSecurityGroupId: 'sg-0123456789abcdef0' }),
        ]),
      );
      expect(egress).toHaveLength(3);
    },
  );

  it('fails when the region has no known S3 prefix list, naming the table to extend', () => {
    expect(() => clientGroupEgress('ap-southeast-7')).toThrow(/S3_PREFIX_LIST_IDS/);
  });
});
