import { App, Stack } from 'aws-cdk-lib';
import { Template } from 'aws-cdk-lib/assertions';
import { Bucket } from 'aws-cdk-lib/aws-s3';
import { describe, expect, it } from 'vitest';
import { readCdkContext } from '../../../lib/citadel-app.js';
import { AccountBaseline, type AccountBaselineProps } from '../../../lib/constructs/account-baseline.js';
import { resolveIntrinsics } from '../../support/resolve-intrinsics.js';
import { onlyResource, resourcesOf } from '../../support/template-queries.js';

describe('AccountBaseline', () => {
  function synthesize(props: Partial<AccountBaselineProps>, region = 'eu-west-1'): Template {
    const app = new App({ context: readCdkContext() });
    const stack = new Stack(app, 'Baseline', { env: { account: '123456789012', region } });
    const accessLogs = new Bucket(stack, 'AccessLogs');
    new AccountBaseline(stack, 'Baseline', {
      trailName: 'citadel-test',
      config: { recordGlobalResources: true },
      guardDuty: true,
      securityHub: true,
      logRetentionDays: 90,
      serverAccessLogsBucket: accessLogs,
      ...props,
    });
    return Template.fromStack(stack);
  }

  it.each([
    ['trailName', 'AWS::CloudTrail::Trail', { trailName: undefined }],
    ['config', 'AWS::Config::ConfigurationRecorder', { config: undefined, securityHub: false }],
    ['guardDuty', 'AWS::GuardDuty::Detector', { guardDuty: false }],
    ['securityHub', 'AWS::SecurityHub::Hub', { securityHub: false }],
  ] as const)('leaves out %s when it is not given', (_name, type, props) => {
    // Act
    const template = synthesize(props);

    // Assess
    template.resourceCountIs(type, 0);
  });

  it('subscribes only the standards that are switched on', () => {
    // Act
    const template = synthesize({
      securityHubStandards: { foundationalBestPractices: false, pciDss: true, nist80053: false },
    });

    // Assess
    const standards = Object.values(resourcesOf(template, 'AWS::SecurityHub::Standard'));
    expect(standards).toHaveLength(1);
    expect(JSON.stringify(standards[0]?.Properties?.StandardsArn)).toContain('standards/pci-dss/v/4.0.1');
  });

  it.each([
    ['aws', 'eu-west-1'],
    ['aws-us-gov', 'us-gov-west-1'],
    ['aws-cn', 'cn-north-1'],
  ])('subscribes the current standards by their ARNs in partition %s, region %s', (partition, region) => {
    // Act
    const template = synthesize({}, region);
    const arns = Object.values(resourcesOf(template, 'AWS::SecurityHub::Standard')).map((standard) =>
      resolveIntrinsics(standard.Properties?.StandardsArn, { account: '123456789012', region, partition }),
    );

    // Assess
    expect(arns.sort()).toEqual(
      [
        `arn:${partition}:securityhub:${region}::standards/aws-foundational-security-best-practices/v/1.0.0`,
        `arn:${partition}:securityhub:${region}::standards/nist-800-53/v/5.0.0`,
        `arn:${partition}:securityhub:${region}::standards/pci-dss/v/4.0.1`,
      ].sort(),
    );
  });

  it('subscribes each standard only after the hub exists', () => {
    // Act
    const template = synthesize({});

    // Assess
    const [hubId] = onlyResource(template, 'AWS::SecurityHub::Hub');
    const standards = Object.values(resourcesOf(template, 'AWS::SecurityHub::Standard'));
    expect(standards).toHaveLength(3);
    for (const standard of standards) expect(standard.DependsOn).toEqual(expect.arrayContaining([hubId]));
  });

  it('fails when every control is switched off', () => {
    expect(() =>
      synthesize({ trailName: undefined, config: undefined, guardDuty: false, securityHub: false }),
    ).toThrow(
      'Baseline/Baseline: trailName/config/guardDuty/securityHub = [null,null,false,false]; turn at least one control on',
    );
  });

  it('fails when Security Hub is on without AWS Config', () => {
    expect(() => synthesize({ config: undefined })).toThrow(
      'Baseline/Baseline: config = undefined; Security Hub evaluates',
    );
  });

  it('subscribes the standards only after the Config recorder exists', () => {
    // Act
    const template = synthesize({});

    // Assess
    const [recorderId] = Object.keys(resourcesOf(template, 'AWS::Config::ConfigurationRecorder'));
    for (const standard of Object.values(resourcesOf(template, 'AWS::SecurityHub::Standard'))) {
      expect(standard.DependsOn).toEqual(expect.arrayContaining([recorderId]));
    }
  });
});
