import { App, Stack } from 'aws-cdk-lib';
import { Template } from 'aws-cdk-lib/assertions';
import { Certificate } from 'aws-cdk-lib/aws-certificatemanager';
import { Connections, Port, SecurityGroup, SubnetType, Vpc } from 'aws-cdk-lib/aws-ec2';
import { ApplicationProtocol, TargetType } from 'aws-cdk-lib/aws-elasticloadbalancingv2';
import { describe, expect, it } from 'vitest';
import { ENVIRONMENT_NAMES } from '../../../config/index.js';
import { API_CONTAINER_PORT } from '../../../lib/constructs/api-service.js';
import { LoadBalancedEdge } from '../../../lib/constructs/load-balanced-edge.js';
import { synthesizedApp } from '../../support/synthesized-app.js';
import { exportedValue, resourcesOf, type Resource } from '../../support/template-queries.js';

const ENV = { account: '111111111111', region: 'eu-west-1' };

type Rule = Record<string, unknown>;

function edgeGroup(template: Template): [string, Resource] {
  const groups = Object.entries(resourcesOf(template, 'AWS::EC2::SecurityGroup')).filter(([id]) =>
    id.startsWith('EdgeSecurityGroup'),
  );
  expect(groups).toHaveLength(1);
  return groups[0] as [string, Resource];
}

function withoutDescription(rule: Rule): Rule {
  const { Description: _ignored, ...rest } = rule;
  return rest;
}

/** The edge in one stack, its targets' group in another, as the app and network stacks have them. */
function edgeWithTargets(port: number): { template: Template; targets: SecurityGroup; network: Stack } {
  const app = new App({ builtinCloudFormationValidation: false });
  const network = new Stack(app, 'Network', { env: ENV });
  const vpc = new Vpc(network, 'Vpc', {
    availabilityZones: ['eu-west-1a', 'eu-west-1b'],
    natGateways: 0,
    subnetConfiguration: [
      { name: 'edge', subnetType: SubnetType.PUBLIC },
      { name: 'app', subnetType: SubnetType.PRIVATE_ISOLATED },
    ],
  });
  const targets = new SecurityGroup(network, 'Targets', { vpc, allowAllOutbound: false });
  const stack = new Stack(app, 'App', { env: ENV });
  const edge = new LoadBalancedEdge(stack, 'Edge', {
    vpc,
    vpcSubnets: { subnetType: SubnetType.PUBLIC },
    domainName: 'api.example.com',
    certificate: Certificate.fromCertificateArn(
      stack,
      'Certificate',
      'arn:aws:acm:eu-west-1:111111111111:certificate/00000000-0000-0000-0000-000000000000',
    ),
    deletionProtection: true,
    accessLogRetentionDays: 90,
  });
  const targetsHere = SecurityGroup.fromSecurityGroupId(stack, 'TargetsRef', targets.securityGroupId, {
    allowAllOutbound: false,
  });

  // What an ECS service does when it joins the listener: the target group opens the path.
  edge.httpsListener.addTargets('Api', {
    port,
    protocol: ApplicationProtocol.HTTP,
    targets: [
      {
        attachToApplicationTargetGroup: (group) => {
          group.registerConnectable(
            { connections: new Connections({ securityGroups: [targetsHere] }) },
            Port.tcp(port),
          );
          return { targetType: TargetType.IP };
        },
      },
    ],
  });
  return { template: Template.fromStack(stack), targets, network };
}

describe('LoadBalancedEdge', () => {
  it('reaches only its targets, on their port, with the rule written on its own group', () => {
    // Prepare + Act
    const { template } = edgeWithTargets(8080);

    // Assess
    const [, group] = edgeGroup(template);
    const rules = (group.Properties?.SecurityGroupEgress ?? []) as Rule[];
    expect(rules).toHaveLength(1);
    expect(withoutDescription(rules[0] as Rule)).toEqual({
      DestinationSecurityGroupId: { 'Fn::ImportValue': expect.stringMatching(/Targets.*GroupId/) as unknown },
      FromPort: 8080,
      ToPort: 8080,
      IpProtocol: 'tcp',
    });
    // A separate egress resource does not replace CloudFormation's allow-all default rule.
    expect(resourcesOf(template, 'AWS::EC2::SecurityGroupEgress')).toEqual({});
  });

  it('replaces the group that had its egress rule as a separate resource instead of moving the rule', () => {
    // Prepare + Act
    const { template } = edgeWithTargets(8080);

    // Assess
    // Inlining the rule on the old group, then deleting its separate rule, would revoke the rule.
    const [groupId] = edgeGroup(template);
    expect(groupId).not.toBe('EdgeSecurityGroupAF800DBF');
  });

  it('still admits the internet only on 443 and 80, and the targets admit the load balancer', () => {
    // Prepare + Act
    const { template } = edgeWithTargets(8080);

    // Assess
    const [groupId, group] = edgeGroup(template);
    const ingress = (group.Properties?.SecurityGroupIngress ?? []) as Rule[];
    expect(ingress.map((rule) => [rule.CidrIp, rule.FromPort, rule.ToPort])).toEqual([
      ['0.0.0.0/0', 443, 443],
      ['0.0.0.0/0', 80, 80],
    ]);
    const targetIngress = Object.values(resourcesOf(template, 'AWS::EC2::SecurityGroupIngress'));
    expect(targetIngress.map((rule) => withoutDescription(rule.Properties ?? {}))).toEqual([
      {
        GroupId: expect.anything() as unknown,
        SourceSecurityGroupId: { 'Fn::GetAtt': [groupId, 'GroupId'] },
        FromPort: 8080,
        ToPort: 8080,
        IpProtocol: 'tcp',
      },
    ]);
  });

  it.each(ENVIRONMENT_NAMES)(
    'in %s, lets the load balancer reach only the API service group on the container port',
    (environment) => {
      // Prepare
      const citadel = synthesizedApp();
      const app = citadel.template(environment, 'app');
      const network = citadel.template(environment, 'network');

      // Act
      const [, group] = edgeGroup(app);
      const rules = (group.Properties?.SecurityGroupEgress ?? []) as Rule[];

      // Assess
      expect(rules).toHaveLength(1);
      const rule = rules[0] as Rule;
      expect([rule.IpProtocol, rule.FromPort, rule.ToPort]).toEqual([
        'tcp',
        API_CONTAINER_PORT,
        API_CONTAINER_PORT,
      ]);
      const serviceGroup = Object.keys(resourcesOf(network, 'AWS::EC2::SecurityGroup')).find((id) =>
        id.startsWith('ServiceSecurityGroup'),
      );
      expect(exportedValue(rule.DestinationSecurityGroupId, network)).toEqual({
        'Fn::GetAtt': [serviceGroup, 'GroupId'],
      });
      const separate = Object.values(resourcesOf(app, 'AWS::EC2::SecurityGroupEgress'));
      expect(separate).toEqual([]);
    },
    600_000,
  );
});
