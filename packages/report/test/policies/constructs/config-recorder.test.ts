import { App, Stack } from 'aws-cdk-lib';
import { Template } from 'aws-cdk-lib/assertions';
import { Bucket } from 'aws-cdk-lib/aws-s3';
import { describe, expect, it } from 'vitest';
import { ConfigRecorder } from '@citadel/infra/constructs/config-recorder';
import { decide, resolveIntrinsics } from '../../support/policy-simulation.js';
import { resourcesOf } from '../../support/template-queries.js';

const ACCOUNT = '123456789012';
const REGION = 'eu-central-1';
const BUCKET_ARN = 'arn:aws:s3:::citadel-config-delivery';

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

/** A call AWS Config of `account` makes to the delivery bucket. */
function configCall(action: string, resource: string, account: string, context: Record<string, string> = {}) {
  const template = synthesize();
  const bucketId = deliveryBucketId(template);
  const [, policy] = Object.entries(resourcesOf(template, 'AWS::S3::BucketPolicy')).find(
    ([, candidate]) => JSON.stringify(candidate.Properties?.Bucket) === JSON.stringify({ Ref: bucketId }),
  ) ?? [undefined, undefined];
  return {
    policy: resolveIntrinsics(policy?.Properties?.PolicyDocument, {
      account: ACCOUNT,
      region: REGION,
      references: { [`${bucketId}.Arn`]: BUCKET_ARN, [bucketId]: 'citadel-config-delivery' },
    }),
    action,
    principal: 'config.amazonaws.com',
    resource,
    resourceAccount: ACCOUNT,
    context: { 'aws:SourceAccount': account, 'aws:SecureTransport': 'true', ...context },
  };
}

describe('ConfigRecorder', () => {
  it.each([
    ['s3:GetBucketAcl', BUCKET_ARN],
    ['s3:ListBucket', BUCKET_ARN],
  ])('lets Config of this account call %s on the bucket', async (action, resource) => {
    // Act
    const decision = await decide(configCall(action, resource, ACCOUNT));

    // Assess
    expect(decision).toBe('Allowed');
  });

  it('lets Config of this account deliver under its prefix, handing the object to the bucket owner', async () => {
    // Act
    const decision = await decide(
      configCall(
        's3:PutObject',
        `${BUCKET_ARN}/AWSLogs/${ACCOUNT}/Config/${REGION}/snapshot.json.gz`,
        ACCOUNT,
        {
          's3:x-amz-acl': 'bucket-owner-full-control',
        },
      ),
    );

    // Assess
    expect(decision).toBe('Allowed');
  });

  it.each([
    ['another account', '210987654321', `AWSLogs/210987654321/Config/x.json.gz`, 'bucket-owner-full-control'],
    ['a path outside its prefix', ACCOUNT, 'elsewhere/x.json.gz', 'bucket-owner-full-control'],
    [
      'an object the bucket owner would not control',
      ACCOUNT,
      `AWSLogs/${ACCOUNT}/Config/x.json.gz`,
      'private',
    ],
  ])('refuses Config delivery for %s', async (_case, account, key, acl) => {
    // Act
    const decision = await decide(
      configCall('s3:PutObject', `${BUCKET_ARN}/${key}`, account, { 's3:x-amz-acl': acl }),
    );

    // Assess
    expect(decision).not.toBe('Allowed');
  });

  it('refuses any request to the bucket without TLS', async () => {
    // Act
    const decision = await decide(
      configCall('s3:GetBucketAcl', BUCKET_ARN, ACCOUNT, { 'aws:SecureTransport': 'false' }),
    );

    // Assess
    expect(decision).toBe('ExplicitlyDenied');
  });
});
