import { App, Stack } from 'aws-cdk-lib';
import { Template } from 'aws-cdk-lib/assertions';
import { SubnetType, Vpc } from 'aws-cdk-lib/aws-ec2';
import { Key } from 'aws-cdk-lib/aws-kms';
import { Bucket } from 'aws-cdk-lib/aws-s3';
import { describe, expect, it } from 'vitest';
import { readCdkContext } from '../../../lib/citadel-app.js';
import { VpcFlowLogs } from '../../../lib/constructs/vpc-flow-logs.js';
import { resourcesOf, type Resource } from '../../support/template-queries.js';

function synthesizedFlowLogs(): Template {
  const stack = new Stack(new App({ context: readCdkContext() }), 'Network', {
    env: { account: '123456789012', region: 'eu-west-1' },
  });
  const vpc = new Vpc(stack, 'Vpc', {
    availabilityZones: ['eu-west-1a', 'eu-west-1b'],
    natGateways: 0,
    subnetConfiguration: [{ name: 'app', subnetType: SubnetType.PRIVATE_ISOLATED }],
  });
  new VpcFlowLogs(stack, 'FlowLogs', {
    vpc,
    logPolicy: { key: new Key(stack, 'Key'), retentionDays: 90 },
    accessLogsBucket: new Bucket(stack, 'AccessLogs'),
  });
  return Template.fromStack(stack);
}

function dependsOn(resource: Resource): string[] {
  const value = resource.DependsOn ?? [];
  return (Array.isArray(value) ? value : [value]) as string[];
}

/** Logical id a `Ref` or `Fn::GetAtt` points at. */
function referencedId(value: unknown): string | undefined {
  const record = value as Record<string, unknown> | undefined;
  if (typeof record?.Ref === 'string') return record.Ref;
  const getAtt = record?.['Fn::GetAtt'];
  return Array.isArray(getAtt) ? (getAtt[0] as string) : undefined;
}

function flowLogsTo(template: Template, destinationType: string): [string, Resource][] {
  return Object.entries(resourcesOf(template, 'AWS::EC2::FlowLog')).filter(
    ([, flowLog]) => flowLog.Properties?.LogDestinationType === destinationType,
  );
}

describe('VpcFlowLogs', () => {
  it('creates the CloudWatch Logs flow log only after every policy that lets its role deliver', () => {
    // Prepare
    const template = synthesizedFlowLogs();
    const [[, flowLog] = []] = flowLogsTo(template, 'cloud-watch-logs');
    const roleId = referencedId(flowLog?.Properties?.DeliverLogsPermissionArn);

    // Act
    const rolePolicies = [
      ...Object.entries(resourcesOf(template, 'AWS::IAM::Policy')),
      ...Object.entries(resourcesOf(template, 'AWS::IAM::ManagedPolicy')),
    ]
      .filter(([, policy]) =>
        ((policy.Properties?.Roles ?? []) as unknown[]).some((role) => referencedId(role) === roleId),
      )
      .map(([logicalId]) => logicalId);

    // Assess
    expect(roleId).toBeDefined();
    expect(rolePolicies.length).toBeGreaterThan(0);
    expect(dependsOn(flowLog as Resource)).toEqual(expect.arrayContaining(rolePolicies));
  });

  it('creates the S3 flow log only after the bucket policy that admits log delivery', () => {
    // Prepare
    const template = synthesizedFlowLogs();
    const [[, flowLog] = []] = flowLogsTo(template, 's3');
    const destination = JSON.stringify(flowLog?.Properties?.LogDestination);

    // Act
    const bucketPolicies = Object.entries(resourcesOf(template, 'AWS::S3::BucketPolicy'))
      .filter(([, policy]) => {
        const bucketId = referencedId(policy.Properties?.Bucket);
        return bucketId !== undefined && destination.includes(`"${bucketId}"`);
      })
      .filter(([, policy]) =>
        JSON.stringify(policy.Properties?.PolicyDocument).includes('delivery.logs.amazonaws.com'),
      )
      .map(([logicalId]) => logicalId);

    // Assess
    expect(bucketPolicies).toHaveLength(1);
    expect(dependsOn(flowLog as Resource)).toEqual(expect.arrayContaining(bucketPolicies));
  });
});
