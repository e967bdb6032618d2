import { App, Stack } from 'aws-cdk-lib';
import { Template } from 'aws-cdk-lib/assertions';
import { Bucket } from 'aws-cdk-lib/aws-s3';
import { describe, expect, it } from 'vitest';
import { AccountTrail } from '../../../lib/constructs/account-trail.js';
import { resolveIntrinsics } from '../../support/resolve-intrinsics.js';
import { onlyResource } from '../../support/template-queries.js';

const ACCOUNT = '123456789012';
const REGION = 'eu-west-1';
const TRAIL_ARN = `arn:aws:cloudtrail:${REGION}:${ACCOUNT}:trail/citadel-test`;

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

describe('AccountTrail', () => {
  it('names the trail so its ARN is known to the key policy', () => {
    // Act
    const [, trail] = onlyResource(synthesize(), 'AWS::CloudTrail::Trail');

    // Assess
    expect(trail.Properties?.TrailName).toBe('citadel-test');
  });

  // The simulator drops encryption-context keys whose name holds a colon
  // (`aws:cloudtrail:arn`), so this grant is checked on the statements themselves.
  it('lets CloudTrail generate data keys only with the encryption context of a trail, for this trail', () => {
    // Prepare
    const statements = (keyPolicy() as { Statement: Record<string, unknown>[] }).Statement;

    // Act
    const grants = statements.filter(
      (statement) =>
        statement.Effect === 'Allow' &&
        JSON.stringify(statement.Principal).includes('cloudtrail.amazonaws.com') &&
        [statement.Action].flat().some((action) => String(action).startsWith('kms:GenerateDataKey')),
    );

    // Assess
    expect(grants).toHaveLength(1);
    expect(grants[0]?.Condition).toEqual({
      StringLike: { 'kms:EncryptionContext:aws:cloudtrail:arn': `arn:aws:cloudtrail:*:${ACCOUNT}:trail/*` },
      StringEquals: { 'aws:SourceArn': TRAIL_ARN, 'aws:SourceAccount': ACCOUNT },
    });
  });

  it.each(['', 'a', 'has spaces', '-leading-hyphen', 'x'.repeat(129)])(
    'fails when the trail name is %j',
    (trailName) => {
      expect(() => synthesize(trailName)).toThrow(`trailName = ${JSON.stringify(trailName)}`);
    },
  );
});
