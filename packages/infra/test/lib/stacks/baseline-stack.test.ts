import { App, Stack } from 'aws-cdk-lib';
import { Template } from 'aws-cdk-lib/assertions';
import { Bucket } from 'aws-cdk-lib/aws-s3';
import { beforeAll, describe, expect, it } from 'vitest';
import { ENVIRONMENT_NAMES, loadEnvironmentConfig } from '../../../config/index.js';
import { readCdkContext } from '../../../lib/citadel-app.js';
import { AccountBaseline, type AccountBaselineProps } from '../../../lib/constructs/account-baseline.js';
import { synthesizedApp, type SynthesizedApp } from '../../support/synthesized-app.js';
import { onlyResource, resourcesOf } from '../../support/template-queries.js';

let citadel: SynthesizedApp;

beforeAll(() => {
  citadel = synthesizedApp();
});

const WITH_BASELINE = ENVIRONMENT_NAMES.filter((name) => loadEnvironmentConfig(name).baseline.enabled);
const WITHOUT_BASELINE = ENVIRONMENT_NAMES.filter((name) => !loadEnvironmentConfig(name).baseline.enabled);

describe.each(WITH_BASELINE)('baseline stack of %s', (environment) => {
  const baseline = () => citadel.template(environment, 'baseline');

  it('records every region with log file validation into a KMS-encrypted trail and log group', () => {
    // Prepare
    const template = baseline();

    // Act
    const [, trail] = onlyResource(template, 'AWS::CloudTrail::Trail');

    // Assess
    expect(trail.Properties).toMatchObject({
      IsMultiRegionTrail: true,
      IncludeGlobalServiceEvents: true,
      EnableLogFileValidation: true,
      IsLogging: true,
      KMSKeyId: { 'Fn::GetAtt': [expect.stringMatching(/^BaselineTrailKey/), 'Arn'] },
      CloudWatchLogsLogGroupArn: expect.anything(),
    });
    for (const group of Object.values(resourcesOf(template, 'AWS::Logs::LogGroup'))) {
      expect(group.Properties?.KmsKeyId).toBeDefined();
    }
  });

  it('keeps trail files in a versioned, KMS-encrypted, TLS-only bucket with public access blocked', () => {
    // Prepare
    const template = baseline();

    // Act
    const [bucketId, bucket] = onlyResource(template, 'AWS::S3::Bucket');
    const [, policy] = onlyResource(template, 'AWS::S3::BucketPolicy');

    // Assess
    expect(bucket.Properties).toMatchObject({
      VersioningConfiguration: { Status: 'Enabled' },
      BucketEncryption: {
        ServerSideEncryptionConfiguration: [{ ServerSideEncryptionByDefault: { SSEAlgorithm: 'aws:kms' } }],
      },
      PublicAccessBlockConfiguration: {
        BlockPublicAcls: true,
        BlockPublicPolicy: true,
        IgnorePublicAcls: true,
        RestrictPublicBuckets: true,
      },
    });
    expect(policy.Properties?.Bucket).toEqual({ Ref: bucketId });
    expect(JSON.stringify(policy.Properties?.PolicyDocument)).toContain('"aws:SecureTransport":"false"');
    expect(JSON.stringify(policy.Properties?.PolicyDocument)).toContain('cloudtrail.amazonaws.com');
  });

  it('turns on GuardDuty and Security Hub with the Foundational Best Practices and PCI DSS standards', () => {
    // Prepare
    const template = baseline();

    // Act
    const standards = Object.values(resourcesOf(template, 'AWS::SecurityHub::Standard')).map((standard) =>
      JSON.stringify(standard.Properties?.StandardsArn),
    );

    // Assess
    template.hasResourceProperties('AWS::GuardDuty::Detector', { Enable: true });
    template.hasResourceProperties('AWS::SecurityHub::Hub', { EnableDefaultStandards: false });
    expect(standards).toHaveLength(2);
    expect(
      standards.some((arn) => arn.includes('standards/aws-foundational-security-best-practices/v/1.0.0')),
    ).toBe(true);
    expect(standards.some((arn) => arn.includes('standards/pci-dss/v/3.2.1'))).toBe(true);
  });
});

describe.each(WITHOUT_BASELINE)('environment %s without the baseline', (environment) => {
  it('has no baseline stack', () => {
    expect(citadel.stage(environment).baseline).toBeUndefined();
    expect(citadel.stage(environment).node.tryFindChild('baseline')).toBeUndefined();
  });
});

describe('AccountBaseline switches', () => {
  function synthesize(props: Partial<AccountBaselineProps>): Template {
    const app = new App({ context: readCdkContext() });
    const stack = new Stack(app, 'Baseline', { env: { account: '123456789012', region: 'eu-west-1' } });
    const accessLogs = new Bucket(stack, 'AccessLogs');
    new AccountBaseline(stack, 'Baseline', {
      cloudTrail: true,
      guardDuty: true,
      securityHub: true,
      logRetentionDays: 90,
      serverAccessLogsBucket: accessLogs,
      ...props,
    });
    return Template.fromStack(stack);
  }

  it.each([
    ['cloudTrail', 'AWS::CloudTrail::Trail'],
    ['guardDuty', 'AWS::GuardDuty::Detector'],
    ['securityHub', 'AWS::SecurityHub::Hub'],
  ] as const)('leaves out %s when it is switched off', (switchName, type) => {
    // Prepare
    const props = { [switchName]: false };

    // Act
    const template = synthesize(props);

    // Assess
    template.resourceCountIs(type, 0);
  });

  it('subscribes only the standards that are switched on', () => {
    // Act
    const template = synthesize({ securityHubStandards: { foundationalBestPractices: false, pciDss: true } });

    // Assess
    const standards = Object.values(resourcesOf(template, 'AWS::SecurityHub::Standard'));
    expect(standards).toHaveLength(1);
    expect(JSON.stringify(standards[0]?.Properties?.StandardsArn)).toContain('standards/pci-dss/v/3.2.1');
  });

  it('fails when every control is switched off', () => {
    expect(() => synthesize({ cloudTrail: false, guardDuty: false, securityHub: false })).toThrow(
      'Baseline/Baseline: cloudTrail/guardDuty/securityHub = [false,false,false]; turn at least one control on',
    );
  });
});
