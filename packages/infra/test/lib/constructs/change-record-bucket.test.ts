import { App, Stack } from 'aws-cdk-lib';
import { Template } from 'aws-cdk-lib/assertions';
import { describe, expect, it } from 'vitest';
import { loadEnvironmentConfig } from '../../../config/index.js';
import { changeRecordSettings } from '../../../config/change-records.js';
import {
  ChangeRecordBucket,
  type ChangeRecordBucketProps,
} from '../../../lib/constructs/change-record-bucket.js';

function synth(props: Partial<ChangeRecordBucketProps> = {}): Template {
  const stack = new Stack(
    new App({ context: { '@aws-cdk/aws-s3:serverAccessLogsUseBucketPolicy': true } }),
    'Shared',
    { env: { account: '111111111111', region: 'eu-west-1' } },
  );
  new ChangeRecordBucket(stack, 'ChangeRecords', {
    environmentName: 'dev',
    objectLockMode: 'GOVERNANCE',
    retentionDays: 365,
    logRetentionDays: 90,
    ...props,
  });
  return Template.fromStack(stack);
}

describe('ChangeRecordBucket', () => {
  it.each([
    ['prod', 'COMPLIANCE', 365],
    ['dev', 'GOVERNANCE', 365],
  ] as const)('%s locks every record in %s mode for %i days', (environment, mode, days) => {
    const settings = changeRecordSettings(loadEnvironmentConfig(environment));
    expect(settings).toEqual({ objectLockMode: mode, retentionDays: days });

    synth({ environmentName: environment, ...settings }).hasResourceProperties('AWS::S3::Bucket', {
      BucketName: `citadel-${environment}-records-111111111111-eu-west-1`,
      ObjectLockEnabled: true,
      ObjectLockConfiguration: {
        ObjectLockEnabled: 'Enabled',
        Rule: { DefaultRetention: { Mode: mode, Days: days } },
      },
      VersioningConfiguration: { Status: 'Enabled' },
    });
  });

  it.each([
    [
      { retentionDays: 30, logRetentionDays: 90 },
      /retentionDays = 30; lock records at least as long as logs/,
    ],
    [
      { objectLockMode: 'COMPLIANCE' as const, retentionDays: 200, logRetentionDays: 90 },
      /COMPLIANCE mode locks records at least 365 days/,
    ],
    [{ environmentName: 'Prod/../x' }, /environmentName = "Prod\/..\/x"/],
  ])('fails when %j', (props, message) => {
    expect(() => synth(props)).toThrow(message);
  });

  it('fails config that would lock records for less than the logs are kept', () => {
    const config = {
      ...loadEnvironmentConfig('prod'),
      changeRecords: { objectLockMode: 'GOVERNANCE' as const, retentionDays: 100 },
    };
    expect(() => changeRecordSettings(config)).toThrow(
      'Invalid config for environment "prod": changeRecords.retentionDays = 100: is shorter than logRetentionDays (365)',
    );
  });
});
