import { App, Stack } from 'aws-cdk-lib';
import { Template } from 'aws-cdk-lib/assertions';
import { Bucket } from 'aws-cdk-lib/aws-s3';
import { describe, expect, it } from 'vitest';
import { AccountTrail } from '@citadel/infra/constructs/account-trail';
import { decide, resolveIntrinsics } from '../../support/policy-simulation.js';
import { onlyResource } from '../../support/template-queries.js';

const ACCOUNT = '123456789012';
const REGION = 'eu-west-1';
const TRAIL_ARN = `arn:aws:cloudtrail:${REGION}:${ACCOUNT}:trail/citadel-test`;
const KEY_ARN = `arn:aws:kms:${REGION}:${ACCOUNT}:key/1234abcd-trail`;

function synthesize(trailName = 'citadel-test'): Template {
  const stack = new Stack(new App(), 'Baseline', { env: { account: ACCOUNT, region: REGION } });
  new AccountTrail(stack, 'Trail', {
    trailName,
    logRetentionDays: 90,
    serverAccessLogsBucket: new Bucket(stack, 'AccessLogs'),
  });
  return Template.fromStack(stack);
}

function keyPolicy(): unknown {
  const [, key] = onlyResource(synthesize(), 'AWS::KMS::Key');
  return resolveIntrinsics(key.Properties?.KeyPolicy, { account: ACCOUNT, region: REGION });
}

/** A call CloudTrail makes to the trail key, with the context keys it sends. */
function cloudTrailCall(action: string, context: Record<string, string>) {
  return {
    policy: keyPolicy(),
    action,
    principal: 'cloudtrail.amazonaws.com',
    resource: KEY_ARN,
    resourceAccount: ACCOUNT,
    context: { 'aws:SourceAccount': ACCOUNT, 'aws:SourceArn': TRAIL_ARN, ...context },
  };
}

describe('AccountTrail', () => {
  it.each(['kms:DescribeKey', 'kms:Decrypt'])(
    'lets CloudTrail call %s for its trail without an encryption context, as it does when it creates the trail',
    async (action) => {
      // Act
      const decision = await decide(cloudTrailCall(action, {}));

      // Assess
      expect(decision).toBe('Allowed');
    },
  );

  it.each(['kms:DescribeKey', 'kms:Decrypt'])(
    'refuses %s to CloudTrail on behalf of another trail',
    async (action) => {
      // Prepare
      const other = `arn:aws:cloudtrail:${REGION}:${ACCOUNT}:trail/someone-elses`;

      // Act
      const decision = await decide(cloudTrailCall(action, { 'aws:SourceArn': other }));

      // Assess
      expect(decision).not.toBe('Allowed');
    },
  );

  it('refuses CloudTrail acting for another account', async () => {
    // Act
    const decision = await decide(cloudTrailCall('kms:DescribeKey', { 'aws:SourceAccount': '210987654321' }));

    // Assess
    expect(decision).not.toBe('Allowed');
  });
});
