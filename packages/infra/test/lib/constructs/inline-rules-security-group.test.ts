import { App, Lazy, Stack } from 'aws-cdk-lib';
import { Template } from 'aws-cdk-lib/assertions';
import { Peer, Port, SecurityGroup, SubnetType, Vpc } from 'aws-cdk-lib/aws-ec2';
import { describe, expect, it } from 'vitest';
import { InlineRulesSecurityGroup } from '../../../lib/constructs/inline-rules-security-group.js';
import { InvalidPropError } from '../../../lib/invalid-prop-error.js';
import { resourcesOf } from '../../support/template-queries.js';

function fixture() {
  const stack = new Stack(new App({ builtinCloudFormationValidation: false }), 'Groups', {
    env: { account: '111111111111', region: 'eu-west-1' },
  });
  const vpc = new Vpc(stack, 'Vpc', {
    availabilityZones: ['eu-west-1a'],
    natGateways: 0,
    subnetConfiguration: [{ name: 'app', subnetType: SubnetType.PRIVATE_ISOLATED }],
  });
  const peer = new SecurityGroup(stack, 'Peer', { vpc, allowAllOutbound: false });
  return { stack, vpc, peer };
}

describe('InlineRulesSecurityGroup', () => {
  it('writes rules to another group and to a prefix list on the group itself, leaving no allow-all default', () => {
    // Prepare
    const { stack, vpc, peer } = fixture();
    const group = new InlineRulesSecurityGroup(stack, 'Group', { vpc });

    // Act
    group.addEgressRule(peer, Port.tcp(8080), 'to the peer');
    group.addEgressRule(Peer.prefixList('pl-6da54004'), Port.tcp(443), 'to S3');

    // Assess
    const template = Template.fromStack(stack);
    const [, resource] = Object.entries(resourcesOf(template, 'AWS::EC2::SecurityGroup')).find(([id]) =>
      id.startsWith('Group'),
    ) ?? ['', {}];
    expect(
      (resource as { Properties: { SecurityGroupEgress: unknown } }).Properties.SecurityGroupEgress,
    ).toEqual([
      {
        DestinationSecurityGroupId: { 'Fn::GetAtt': [expect.stringMatching(/^Peer/) as unknown, 'GroupId'] },
        FromPort: 8080,
        ToPort: 8080,
        IpProtocol: 'tcp',
        Description: 'to the peer',
      },
      {
        DestinationPrefixListId: 'pl-6da54004',
        FromPort: 443,
        ToPort: 443,
        IpProtocol: 'tcp',
        Description: 'to S3',
      },
    ]);
    expect(resourcesOf(template, 'AWS::EC2::SecurityGroupEgress')).toEqual({});
  });

  it('keeps the placeholder rule, and so no egress, until a rule is added', () => {
    // Prepare
    const { stack, vpc } = fixture();

    // Act
    new InlineRulesSecurityGroup(stack, 'Group', { vpc });

    // Assess
    const egress = Object.entries(resourcesOf(Template.fromStack(stack), 'AWS::EC2::SecurityGroup')).find(
      ([id]) => id.startsWith('Group'),
    )?.[1].Properties?.SecurityGroupEgress;
    expect(egress).toEqual([expect.objectContaining({ CidrIp: '255.255.255.255/32' })]);
  });

  it('fails when a rule has ports known only at deploy time, which cannot be written on the group', () => {
    // Prepare
    const { stack, vpc, peer } = fixture();
    const group = new InlineRulesSecurityGroup(stack, 'Group', { vpc });
    const port = Lazy.number({ produce: () => 8080 });

    // Act
    const act = () => group.addEgressRule(peer, Port.tcp(port));

    // Assess
    expect(act).toThrow(InvalidPropError);
    expect(act).toThrow(/Groups\/Group: egress port = .*give concrete port numbers/);
  });
});
