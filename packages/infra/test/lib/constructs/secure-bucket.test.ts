import { App, Stack } from 'aws-cdk-lib';
import { Template } from 'aws-cdk-lib/assertions';
import { Key } from 'aws-cdk-lib/aws-kms';
import { describe, expect, it } from 'vitest';
import { collectAcknowledgments } from '../../../lib/acknowledge.js';
import { SecureBucket, type SecureBucketProps } from '../../../lib/constructs/secure-bucket.js';
import { InvalidPropError } from '../../../lib/invalid-prop-error.js';
import { onlyResource } from '../../support/template-queries.js';

/** A stack in an app with Citadel's S3 feature flag: access logs are delivered under a bucket policy. */
function evidenceStack(): Stack {
  return new Stack(
    new App({ context: { '@aws-cdk/aws-s3:serverAccessLogsUseBucketPolicy': true } }),
    'Evidence',
    { env: { account: '111111111111', region: 'eu-west-1' } },
  );
}

function build(props: SecureBucketProps) {
  const stack = evidenceStack();
  const secure = new SecureBucket(stack, 'Records', props);
  const [, bucket] = onlyResource(Template.fromStack(stack), 'AWS::S3::Bucket');
  return { stack, secure, properties: bucket.Properties ?? {} };
}

type Rule = Record<string, unknown>;
const rulesOf = (properties: Record<string, unknown>): Rule[] =>
  (properties.LifecycleConfiguration as { Rules: Rule[] }).Rules;

describe('SecureBucket', () => {
  it.each([
    ['COMPLIANCE', 365],
    ['GOVERNANCE', 90],
  ] as const)('locks every new version in %s mode for %i days, on a versioned bucket', (mode, days) => {
    // Act
    const { properties } = build({ objectLock: { mode, retentionDays: days }, expirationDays: 400 });

    // Assess: S3 applies the default retention only with Object Lock on and versioning enabled.
    expect(properties).toMatchObject({
      ObjectLockEnabled: true,
      ObjectLockConfiguration: {
        ObjectLockEnabled: 'Enabled',
        Rule: { DefaultRetention: { Mode: mode, Days: days } },
      },
      VersioningConfiguration: { Status: 'Enabled' },
    });
  });

  it('has no Object Lock unless asked, so log-delivery buckets stay deletable on expiry', () => {
    const { properties } = build({ expirationDays: 90 });
    expect(properties.ObjectLockEnabled).toBeUndefined();
    expect(properties.ObjectLockConfiguration).toBeUndefined();
  });

  it('expires nothing without expirationDays: no rule removes a current or a noncurrent version', () => {
    // Act
    const { properties } = build({ objectLock: { mode: 'GOVERNANCE', retentionDays: 365 } });

    // Assess
    expect(rulesOf(properties)).toEqual([
      {
        Id: 'abort-incomplete-uploads',
        AbortIncompleteMultipartUpload: { DaysAfterInitiation: 7 },
        Status: 'Enabled',
      },
    ]);
  });

  it('expires current objects after expirationDays and replaced versions after 90 days by default', () => {
    const { properties } = build({ expirationDays: 120 });
    expect(rulesOf(properties)).toEqual([
      expect.objectContaining({
        ExpirationInDays: 120,
        NoncurrentVersionExpiration: { NoncurrentDays: 90 },
        AbortIncompleteMultipartUpload: { DaysAfterInitiation: 7 },
      }),
    ]);
  });

  it('names the bucket and writes its access logs under the prefix it is given', () => {
    // Prepare
    const stack = evidenceStack();
    const logs = new SecureBucket(stack, 'Logs', { expirationDays: 90 }).bucket;

    // Act
    new SecureBucket(stack, 'Default', {
      bucketName: 'citadel-dev-records-111111111111-eu-west-1',
      encryptionKey: new Key(stack, 'Key'),
      serverAccessLogsBucket: logs,
      serverAccessLogsPrefix: 'ChangeRecords/',
    });

    // Assess
    Template.fromStack(stack).hasResourceProperties('AWS::S3::Bucket', {
      BucketName: 'citadel-dev-records-111111111111-eu-west-1',
      LoggingConfiguration: { LogFilePrefix: 'ChangeRecords/' },
    });
  });

  it('acknowledges the missing replica with the reason it is given', () => {
    const reason = 'This bucket is the replica itself; every version is under Object Lock for its retention.';
    const { stack } = build({ expirationDays: 90, withoutReplicaBecause: reason });
    const replication = collectAcknowledgments(stack).filter((record) =>
      record.ruleId.endsWith('S3BucketReplicationEnabled'),
    );
    expect(replication.map((record) => record.reason)).toEqual([reason, reason, reason]);
  });

  it.each([
    [{ expirationDays: 89 }, 'expirationDays'],
    [{ expirationDays: Number.NaN }, 'expirationDays'],
    [{ noncurrentVersionExpirationDays: 30 }, 'noncurrentVersionExpirationDays'],
    [{ objectLock: { mode: 'GOVERNANCE', retentionDays: 0 } }, 'objectLock.retentionDays'],
    [{ objectLock: { mode: 'COMPLIANCE', retentionDays: 1.5 } }, 'objectLock.retentionDays'],
    [
      { objectLock: { mode: 'COMPLIANCE', retentionDays: Number.POSITIVE_INFINITY } },
      'objectLock.retentionDays',
    ],
  ] as const)('fails when given %j, naming %s', (props, prop) => {
    const act = () => build(props as SecureBucketProps);
    expect(act).toThrow(InvalidPropError);
    expect(act).toThrow(new RegExp(`Evidence/Records: ${prop.replace('.', '\\.')} = `));
  });
});
