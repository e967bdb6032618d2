import { beforeAll, describe, expect, it } from 'vitest';
import { ENVIRONMENT_NAMES, loadEnvironmentConfig, ownsBaselineControls } from '../../../config/index.js';
import { synthesizedApp, type SynthesizedApp } from '../../support/synthesized-app.js';
import { onlyResource, resourcesOf } from '../../support/template-queries.js';

let citadel: SynthesizedApp;

beforeAll(() => {
  citadel = synthesizedApp();
});

const owns = (name: string) => ownsBaselineControls(loadEnvironmentConfig(name).baseline);
const WITH_BASELINE = ENVIRONMENT_NAMES.filter(owns);
const WITHOUT_BASELINE = ENVIRONMENT_NAMES.filter((name) => !owns(name));
const TRAIL_OWNERS = ENVIRONMENT_NAMES.filter(
  (name) => loadEnvironmentConfig(name).baseline.account?.cloudTrail,
);

/** The trail's bucket among the stack's buckets (the other holds Config deliveries). */
function trailBucketOf(template: ReturnType<SynthesizedApp['template']>) {
  const entry = Object.entries(resourcesOf(template, 'AWS::S3::Bucket')).find(([id]) =>
    id.startsWith('BaselineTrailBucket'),
  );
  if (!entry) throw new Error('no trail bucket');
  return entry;
}

describe.each(TRAIL_OWNERS)('baseline stack of %s, which owns the account trail', (environment) => {
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
    const [bucketId, bucket] = trailBucketOf(template);
    const [, policy] = Object.entries(resourcesOf(template, 'AWS::S3::BucketPolicy')).find(
      ([, candidate]) => JSON.stringify(candidate.Properties?.Bucket) === JSON.stringify({ Ref: bucketId }),
    ) ?? [undefined, undefined];

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
    expect(JSON.stringify(policy?.Properties?.PolicyDocument)).toContain('"aws:SecureTransport":"false"');
    expect(JSON.stringify(policy?.Properties?.PolicyDocument)).toContain('cloudtrail.amazonaws.com');
  });

  it('keeps the logical ids of the trail key, bucket, log group, detector, hub and Foundational Best Practices subscription that deployed environments hold', () => {
    // Act
    const ids = Object.keys(baseline().toJSON().Resources as object);

    // Assess
    expect(ids).toEqual(
      expect.arrayContaining([
        'BaselineTrailKeyD45D460F',
        'BaselineTrailBucket83DFCF3B',
        'BaselineTrailLogsLogGroup9FEBE9A0',
        'BaselineTrail4AFB0F3E',
        'BaselineGuardDutyA6767589',
        'BaselineSecurityHubA477A7CA',
        'BaselineFoundationalBestPracticesE8F1AE62',
      ]),
    );
  });

  it('replaces the PCI DSS v3.2.1 subscription with PCI DSS v4.0.1, a new resource CloudFormation creates before it removes the old one', () => {
    // Act
    const ids = Object.keys(baseline().toJSON().Resources as object);

    // Assess
    expect(ids).not.toContain('BaselinePciDss7976773E');
    expect(ids).toEqual(expect.arrayContaining(['BaselinePciDssV41FC59C06', 'BaselineNist800531F751F79']));
  });
});

describe.each(WITH_BASELINE)('baseline stack of %s', (environment) => {
  const baseline = () => citadel.template(environment, 'baseline');

  it('turns on GuardDuty and Security Hub with the Foundational Best Practices, PCI DSS v4.0.1 and NIST 800-53 standards', () => {
    // Prepare
    const template = baseline();

    // Act
    const standards = Object.values(resourcesOf(template, 'AWS::SecurityHub::Standard')).map((standard) =>
      JSON.stringify(standard.Properties?.StandardsArn),
    );

    // Assess
    template.hasResourceProperties('AWS::GuardDuty::Detector', { Enable: true });
    template.hasResourceProperties('AWS::SecurityHub::Hub', { EnableDefaultStandards: false });
    expect(standards).toHaveLength(3);
    expect(
      standards.some((arn) => arn.includes('standards/aws-foundational-security-best-practices/v/1.0.0')),
    ).toBe(true);
    expect(standards.some((arn) => arn.includes('standards/pci-dss/v/4.0.1'))).toBe(true);
    expect(standards.some((arn) => arn.includes('standards/nist-800-53/v/5.0.0'))).toBe(true);
    expect(standards.some((arn) => arn.includes('standards/pci-dss/v/3.2.1'))).toBe(false);
  });

  it('subscribes the Security Hub standards only after the Config recorder and its delivery channel exist', () => {
    // Prepare
    const template = baseline();

    // Act
    const [recorderId] = onlyResource(template, 'AWS::Config::ConfigurationRecorder');
    const [channelId] = onlyResource(template, 'AWS::Config::DeliveryChannel');
    const standards = Object.values(resourcesOf(template, 'AWS::SecurityHub::Standard'));

    // Assess
    expect(standards.length).toBeGreaterThan(0);
    for (const standard of standards) {
      expect(standard.DependsOn).toEqual(expect.arrayContaining([recorderId, channelId]));
    }
  });

  it('deploys the conformance packs only after the Config recorder and its delivery channel exist, and only beside them', () => {
    // Prepare
    const template = baseline();

    // Act
    const [recorderId] = onlyResource(template, 'AWS::Config::ConfigurationRecorder');
    const [channelId] = onlyResource(template, 'AWS::Config::DeliveryChannel');
    const packs = Object.values(resourcesOf(template, 'AWS::Config::ConformancePack'));

    // Assess
    expect(packs.map((pack) => pack.Properties?.ConformancePackName).sort()).toEqual([
      'citadel-hipaa-security',
      'citadel-pci-dss-v4',
    ]);
    for (const pack of packs) {
      expect(pack.DependsOn).toEqual(expect.arrayContaining([recorderId, channelId]));
    }
  });

  it('records every supported resource type with AWS Config, delivering to an encrypted bucket', () => {
    // Prepare
    const template = baseline();

    // Act
    const [, recorder] = onlyResource(template, 'AWS::Config::ConfigurationRecorder');
    const [, channel] = onlyResource(template, 'AWS::Config::DeliveryChannel');

    // Assess
    expect(recorder.Properties?.RecordingGroup).toMatchObject({
      AllSupported: true,
      RecordingStrategy: { UseOnly: 'ALL_SUPPORTED_RESOURCE_TYPES' },
    });
    expect(channel.Properties?.S3KmsKeyArn).toBeDefined();
  });
});

describe('detective controls across every environment', () => {
  const configs = ENVIRONMENT_NAMES.map((name) => loadEnvironmentConfig(name));
  const countIn = (names: readonly string[], type: string) =>
    names
      .filter(owns)
      .reduce(
        (sum, name) => sum + Object.keys(resourcesOf(citadel.template(name, 'baseline'), type)).length,
        0,
      );

  it('gives every (account, region) an environment uses one Config recorder with its two conformance packs, one GuardDuty detector and one Security Hub', () => {
    // Prepare
    const places = [...new Set(configs.map((config) => `${config.account}/${config.region}`))];

    // Act
    const counts = places.map((place) => {
      const here = configs
        .filter((config) => `${config.account}/${config.region}` === place)
        .map((c) => c.name);
      return [
        countIn(here, 'AWS::Config::ConfigurationRecorder'),
        countIn(here, 'AWS::GuardDuty::Detector'),
        countIn(here, 'AWS::SecurityHub::Hub'),
        countIn(here, 'AWS::Config::ConformancePack'),
      ];
    });

    // Assess
    expect(places).toContain('111111111111/eu-central-1');
    expect(counts).toEqual(places.map(() => [1, 1, 1, 2]));
  });

  it('gives every account one multi-region trail and records its global resources in exactly one region', () => {
    // Prepare
    const accounts = [...new Set(configs.map((config) => config.account))];

    // Act
    const counts = accounts.map((account) => {
      const here = configs.filter((config) => config.account === account).map((config) => config.name);
      const globalRegions = here.filter(owns).flatMap((name) =>
        Object.values(resourcesOf(citadel.template(name, 'baseline'), 'AWS::Config::ConfigurationRecorder'))
          .filter((recorder) =>
            JSON.stringify(recorder.Properties?.RecordingGroup).includes('"IncludeGlobalResourceTypes":true'),
          )
          .map(() => loadEnvironmentConfig(name).region),
      );
      return [countIn(here, 'AWS::CloudTrail::Trail'), globalRegions.length];
    });

    // Assess
    expect(counts).toEqual(accounts.map(() => [1, 1]));
  });
});

describe.each(WITHOUT_BASELINE)('environment %s without the baseline', (environment) => {
  it('has no baseline stack', () => {
    expect(citadel.stage(environment).baseline).toBeUndefined();
    expect(citadel.stage(environment).node.tryFindChild('baseline')).toBeUndefined();
  });
});
