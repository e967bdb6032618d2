import { App, Stack } from 'aws-cdk-lib';
import { Template } from 'aws-cdk-lib/assertions';
import { Bucket } from 'aws-cdk-lib/aws-s3';
import { describe, expect, it } from 'vitest';
import { ConfigRecorder } from '../../../lib/constructs/config-recorder.js';
import { onlyResource, resourcesOf } from '../../support/template-queries.js';

const ACCOUNT = '123456789012';
const REGION = 'eu-central-1';

function synthesize(recordGlobalResources = true): Template {
  const stack = new Stack(new App(), 'Baseline', { env: { account: ACCOUNT, region: REGION } });
  new ConfigRecorder(stack, 'Config', {
    recordGlobalResources,
    retentionDays: 365,
    serverAccessLogsBucket: new Bucket(stack, 'AccessLogs'),
  });
  return Template.fromStack(stack);
}

function deliveryBucketId(template: Template): string {
  const ids = Object.keys(resourcesOf(template, 'AWS::S3::Bucket')).filter((id) => id.includes('Delivery'));
  if (ids.length !== 1) throw new Error(`expected one delivery bucket, found ${ids.join(', ')}`);
  return ids[0] as string;
}

describe('ConfigRecorder', () => {
  it('records every supported resource type, global ones only when asked', () => {
    // Act
    const [, withGlobal] = onlyResource(synthesize(true), 'AWS::Config::ConfigurationRecorder');
    const [, regionalOnly] = onlyResource(synthesize(false), 'AWS::Config::ConfigurationRecorder');

    // Assess
    expect(withGlobal.Properties?.RecordingGroup).toEqual({
      AllSupported: true,
      IncludeGlobalResourceTypes: true,
      RecordingStrategy: { UseOnly: 'ALL_SUPPORTED_RESOURCE_TYPES' },
    });
    expect(regionalOnly.Properties?.RecordingGroup).toMatchObject({
      AllSupported: true,
      IncludeGlobalResourceTypes: false,
    });
  });

  it('records as a role Config of this account assumes, with the AWS managed Config policy', () => {
    // Prepare
    const template = synthesize();

    // Act
    const [roleId, role] = onlyResource(template, 'AWS::IAM::Role');
    const [, recorder] = onlyResource(template, 'AWS::Config::ConfigurationRecorder');

    // Assess
    expect(recorder.Properties?.RoleARN).toEqual({ 'Fn::GetAtt': [roleId, 'Arn'] });
    expect(JSON.stringify(role.Properties?.ManagedPolicyArns)).toContain(
      'policy/service-role/AWS_ConfigRole',
    );
    expect(role.Properties?.AssumeRolePolicyDocument).toMatchObject({
      Statement: [
        {
          Principal: { Service: 'config.amazonaws.com' },
          Condition: { StringEquals: { 'aws:SourceAccount': ACCOUNT } },
        },
      ],
    });
  });

  it('delivers to a KMS-encrypted, versioned bucket that logs access, after the recorder exists', () => {
    // Prepare
    const template = synthesize();
    const bucketId = deliveryBucketId(template);

    // Act
    const [, channel] = onlyResource(template, 'AWS::Config::DeliveryChannel');
    const [recorderId] = onlyResource(template, 'AWS::Config::ConfigurationRecorder');
    const bucket = resourcesOf(template, 'AWS::S3::Bucket')[bucketId];

    // Assess
    expect(channel.Properties?.S3BucketName).toEqual({ Ref: bucketId });
    expect(channel.Properties?.S3KmsKeyArn).toEqual({ 'Fn::GetAtt': [expect.stringMatching(/Key/), 'Arn'] });
    expect(channel.DependsOn).toEqual(expect.arrayContaining([recorderId]));
    expect(bucket?.Properties).toMatchObject({
      VersioningConfiguration: { Status: 'Enabled' },
      BucketEncryption: {
        ServerSideEncryptionConfiguration: [{ ServerSideEncryptionByDefault: { SSEAlgorithm: 'aws:kms' } }],
      },
      LoggingConfiguration: { DestinationBucketName: { Ref: expect.stringMatching(/^AccessLogs/) } },
    });
  });
});
