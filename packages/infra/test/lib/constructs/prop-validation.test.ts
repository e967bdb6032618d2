import { App, Stack } from 'aws-cdk-lib';
import { Match, Template } from 'aws-cdk-lib/assertions';
import { Key } from 'aws-cdk-lib/aws-kms';
import { describe, expect, it } from 'vitest';
import { EncryptedLogGroup } from '../../../lib/constructs/encrypted-log-group.js';
import { SecureBucket } from '../../../lib/constructs/secure-bucket.js';
import { ServiceKey } from '../../../lib/constructs/service-key.js';
import { InvalidPropError } from '../../../lib/invalid-prop-error.js';

function newStack(): Stack {
  return new Stack(new App({ builtinCloudFormationValidation: false }), 'Props', {
    env: { account: '111111111111', region: 'eu-west-1' },
  });
}

function errorOf(action: () => unknown): InvalidPropError {
  try {
    action();
  } catch (error) {
    if (error instanceof InvalidPropError) return error;
    throw error;
  }
  throw new Error('expected an InvalidPropError, but nothing was thrown');
}

describe('construct prop validation', () => {
  it('fails when a log group would keep events fewer than 90 days', () => {
    // Prepare
    const stack = newStack();

    // Act
    const error = errorOf(
      () =>
        new EncryptedLogGroup(stack, 'Short', { encryptionKey: new Key(stack, 'Key'), retentionDays: 30 }),
    );

    // Assess
    expect(error).toMatchObject({ name: 'InvalidPropError', prop: 'retentionDays', value: 30 });
    expect(error.message).toContain('Props/Short');
  });

  it('fails when a log bucket would expire objects before 90 days', () => {
    const error = errorOf(() => new SecureBucket(newStack(), 'Short', { expirationDays: 30 }));

    expect(error).toMatchObject({ prop: 'expirationDays', value: 30 });
  });

  it('fails when a key names no service that may use it', () => {
    const error = errorOf(
      () =>
        new ServiceKey(newStack(), 'Unusable', {
          aliasName: 'citadel/dev/x',
          description: 'x',
          viaServices: [],
        }),
    );

    expect(error).toMatchObject({ prop: 'viaServices', value: [] });
  });

  it('keeps a log bucket 90 days or longer, versioned and TLS-only', () => {
    // Prepare
    const stack = newStack();

    // Act
    new SecureBucket(stack, 'Logs', { expirationDays: 90 });

    // Assess
    const template = Template.fromStack(stack);
    template.hasResourceProperties('AWS::S3::Bucket', {
      VersioningConfiguration: { Status: 'Enabled' },
      LifecycleConfiguration: {
        Rules: [
          Match.objectLike({
            ExpirationInDays: 90,
            AbortIncompleteMultipartUpload: { DaysAfterInitiation: 7 },
          }),
        ],
      },
    });
    template.hasResourceProperties('AWS::S3::BucketPolicy', {
      PolicyDocument: {
        Statement: Match.arrayWith([
          Match.objectLike({ Effect: 'Deny', Condition: { Bool: { 'aws:SecureTransport': 'false' } } }),
        ]),
      },
    });
  });
});
