import type { Template } from 'aws-cdk-lib/assertions';
import { beforeAll, describe, expect, it } from 'vitest';
import { ENVIRONMENT_NAMES, loadEnvironmentConfig } from '../../../config/index.js';
import { S3_PREFIX_LIST_IDS } from '../../../lib/s3-prefix-lists.js';
import { everyTemplate } from '../../support/every-template.js';
import { synthesizedApp, type SynthesizedApp } from '../../support/synthesized-app.js';
import { resourcesOf, type Resource } from '../../support/template-queries.js';

const ANYWHERE = new Set(['0.0.0.0/0', '::/0']);

type Rule = Record<string, unknown>;

let citadel: SynthesizedApp;

beforeAll(() => {
  citadel = synthesizedApp();
}, 600_000);

function logicalIdOf(template: Template, type: string, pathPart: string): string {
  const found = Object.entries(resourcesOf(template, type)).filter(([id]) => id.startsWith(pathPart));
  if (found.length !== 1) throw new Error(`expected one ${type} named ${pathPart}*, found ${found.length}`);
  return (found[0] as [string, Resource])[0];
}

function inlineEgress(template: Template, logicalId: string): Rule[] {
  const group = resourcesOf(template, 'AWS::EC2::SecurityGroup')[logicalId];
  return (group?.Properties?.SecurityGroupEgress ?? []) as Rule[];
}

function withoutDescription(rule: Rule): Rule {
  const { Description: _ignored, ...rest } = rule;
  return rest;
}

describe('every environment', () => {
  it('opens no security group to egress anywhere, and leaves none to the CloudFormation allow-all default', () => {
    // Prepare
    const findings: string[] = [];

    // Act
    for (const { environment, layer, template } of everyTemplate(citadel)) {
      for (const [id, group] of Object.entries(resourcesOf(template, 'AWS::EC2::SecurityGroup'))) {
        const rules = (group.Properties?.SecurityGroupEgress ?? []) as Rule[];
        // Without inline egress CloudFormation gives the group an allow-all rule to 0.0.0.0/0.
        if (rules.length === 0)
          findings.push(`${environment}/${layer}/${id}: no inline egress (allow-all default)`);
        for (const rule of rules) {
          if (ANYWHERE.has(String(rule.CidrIp ?? rule.CidrIpv6))) {
            findings.push(`${environment}/${layer}/${id}: egress to ${String(rule.CidrIp ?? rule.CidrIpv6)}`);
          }
        }
      }
      for (const [id, rule] of Object.entries(resourcesOf(template, 'AWS::EC2::SecurityGroupEgress'))) {
        const properties = rule.Properties ?? {};
        if (ANYWHERE.has(String(properties.CidrIp ?? properties.CidrIpv6))) {
          findings.push(
            `${environment}/${layer}/${id}: egress to ${String(properties.CidrIp ?? properties.CidrIpv6)}`,
          );
        }
      }
    }

    // Assess
    expect(findings).toEqual([]);
  });

  it('gives every VPC endpoint an endpoint policy', () => {
    // Prepare
    const missing: string[] = [];

    // Act
    for (const { environment, layer, template } of everyTemplate(citadel)) {
      for (const [id, endpoint] of Object.entries(resourcesOf(template, 'AWS::EC2::VPCEndpoint'))) {
        if (endpoint.Properties?.PolicyDocument === undefined) missing.push(`${environment}/${layer}/${id}`);
      }
    }

    // Assess
    expect(missing).toEqual([]);
  });
});

describe.each(ENVIRONMENT_NAMES)('network stack of %s', (environment) => {
  const config = loadEnvironmentConfig(environment);
  const network = () => citadel.template(environment, 'network');

  it('lets the S3 gateway endpoint reach only the ECR layer bucket of its region and buckets of its account', () => {
    // Prepare
    const endpoints = Object.values(resourcesOf(network(), 'AWS::EC2::VPCEndpoint'));

    // Act
    const gateway = endpoints.find((endpoint) => endpoint.Properties?.VpcEndpointType === 'Gateway');
    const statements = (gateway?.Properties?.PolicyDocument as { Statement: Rule[] }).Statement;

    // Assess
    expect(statements).toHaveLength(2);
    const [layers, own] = statements as [Rule, Rule];
    expect(layers.Action).toBe('s3:GetObject');
    expect(layers.Resource).toBe(`arn:aws:s3:::prod-${config.region}-starport-layer-bucket/*`);
    expect(layers.Condition).toBeUndefined();
    expect(own.Condition).toEqual({
      StringEquals: { 'aws:PrincipalAccount': config.account, 'aws:ResourceAccount': config.account },
    });
  });

  it.each(['ServiceSecurityGroup', 'FunctionSecurityGroup'])(
    'lets %s reach only the interface endpoints and S3 on 443 and the data subnets on 5432',
    (groupName) => {
      // Prepare
      const template = network();
      const endpointGroup = logicalIdOf(template, 'AWS::EC2::SecurityGroup', 'NetworkEndpointSecurityGroup');
      const dataSubnetCidrs = Object.entries(resourcesOf(template, 'AWS::EC2::Subnet'))
        .filter(([id]) => id.startsWith('NetworkVpcdataSubnet'))
        .map(([, subnet]) => subnet.Properties?.CidrBlock);

      // Act
      const rules = inlineEgress(template, logicalIdOf(template, 'AWS::EC2::SecurityGroup', groupName));

      // Assess
      expect(dataSubnetCidrs).toHaveLength(config.availabilityZones.length);
      expect(rules.map(withoutDescription)).toEqual(
        expect.arrayContaining([
          {
            DestinationSecurityGroupId: { 'Fn::GetAtt': [endpointGroup, 'GroupId'] },
            FromPort: 443,
            ToPort: 443,
            IpProtocol: 'tcp',
          },
          {
            DestinationPrefixListId: S3_PREFIX_LIST_IDS[config.region],
            FromPort: 443,
            ToPort: 443,
            IpProtocol: 'tcp',
          },
          ...dataSubnetCidrs.map((cidr) => ({
            CidrIp: cidr,
            FromPort: 5432,
            ToPort: 5432,
            IpProtocol: 'tcp',
          })),
        ]),
      );
      expect(rules).toHaveLength(2 + dataSubnetCidrs.length);
      const separate = Object.values(resourcesOf(template, 'AWS::EC2::SecurityGroupEgress'));
      expect(separate).toEqual([]);
    },
  );
});
