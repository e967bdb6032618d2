import { App, Lazy, Stack } from 'aws-cdk-lib';
import { Template } from 'aws-cdk-lib/assertions';
import { Peer, Port, SecurityGroup, SubnetType, Vpc } from 'aws-cdk-lib/aws-ec2';
import { describe, expect, it } from 'vitest';
import { InlineRulesSecurityGroup } from '../../../lib/constructs/inline-rules-security-group.js';
import { InvalidPropError } from '../../../lib/invalid-prop-error.js';
import { resourcesOf } from '../../support/template-queries.js';

function fixture() {
  const app = new App({ builtinCloudFormationValidation: false });
  const env = { account: '111111111111', region: 'eu-west-1' };
  const network = new Stack(app, 'Network', { env });
  const stack = new Stack(app, 'Groups', { env });
  const vpc = new Vpc(network, 'Vpc', {
    availabilityZones: ['eu-west-1a'],
    natGateways: 0,
    subnetConfiguration: [{ name: 'app', subnetType: SubnetType.PRIVATE_ISOLATED }],
  });
  const peer = new SecurityGroup(network, 'Peer', { vpc, allowAllOutbound: false });
  return { stack, vpc, peer };
}

/** The egress rules written on the group whose logical id starts with `prefix`. */
function inlineEgressOf(template: Template, prefix: string): unknown {
  const [, resource] = Object.entries(resourcesOf(template, 'AWS::EC2::SecurityGroup')).find(([id]) =>
    id.startsWith(prefix),
  ) ?? ['', {}];
  return (resource as { Properties: { SecurityGroupEgress: unknown } }).Properties.SecurityGroupEgress;
}

describe('InlineRulesSecurityGroup', () => {
  it('writes rules to a group of another stack and to a prefix list on the group itself, leaving no allow-all default', () => {
    // Prepare
    const { stack, vpc, peer } = fixture();
    const group = new InlineRulesSecurityGroup(stack, 'Group', { vpc });

    // Act
    group.addEgressRule(peer, Port.tcp(8080), 'to the peer');
    group.addEgressRule(Peer.prefixList('pl-6da54004'), Port.tcp(443), 'to S3');

    // Assess
    const template = Template.fromStack(stack);
    expect(inlineEgressOf(template, 'Group')).toEqual([
      {
        DestinationSecurityGroupId: {
          'Fn::ImportValue': expect.stringMatching(/PeerGroupId|Peer.*GroupId/) as unknown,
        },
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

  it('writes a rule to a group of its own stack as a separate resource, and stays closed when that is its only rule', () => {
    // Prepare
    const { stack, vpc } = fixture();
    const group = new InlineRulesSecurityGroup(stack, 'Group', { vpc });
    const neighbour = new InlineRulesSecurityGroup(stack, 'Neighbour', { vpc });

    // Act
    group.addEgressRule(neighbour, Port.tcp(9000), 'to the neighbour');

    // Assess
    const template = Template.fromStack(stack);
    expect(inlineEgressOf(template, 'Group')).toEqual([
      expect.objectContaining({ CidrIp: '255.255.255.255/32' }),
    ]);
    expect(Object.values(resourcesOf(template, 'AWS::EC2::SecurityGroupEgress'))).toEqual([
      {
        Type: 'AWS::EC2::SecurityGroupEgress',
        Properties: {
          GroupId: { 'Fn::GetAtt': [expect.stringMatching(/^Group/) as unknown, 'GroupId'] },
          DestinationSecurityGroupId: {
            'Fn::GetAtt': [expect.stringMatching(/^Neighbour/) as unknown, 'GroupId'],
          },
          FromPort: 9000,
          ToPort: 9000,
          IpProtocol: 'tcp',
          Description: 'to the neighbour',
        },
      },
    ]);
  });

  it('lets two groups of one stack admit each other without either group referring to the other', () => {
    // Prepare
    const { stack, vpc } = fixture();
    const first = new InlineRulesSecurityGroup(stack, 'First', { vpc });
    const second = new InlineRulesSecurityGroup(stack, 'Second', { vpc });

    // Act
    first.connections.allowTo(second, Port.tcp(9000), 'first calls second');
    second.connections.allowTo(first, Port.tcp(9100), 'second calls first');

    // Assess
    const groups = resourcesOf(Template.fromStack(stack), 'AWS::EC2::SecurityGroup');
    for (const [logicalId, group] of Object.entries(groups)) {
      const others = Object.keys(groups).filter((other) => other !== logicalId);
      for (const other of others) expect(JSON.stringify(group.Properties)).not.toContain(other);
    }
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
