import { createHash } from 'node:crypto';
import { readdirSync, readFileSync } from 'node:fs';
import { App, Stack } from 'aws-cdk-lib';
import { Template } from 'aws-cdk-lib/assertions';
import { ManagedRuleIdentifiers } from 'aws-cdk-lib/aws-config';
import { Bucket } from 'aws-cdk-lib/aws-s3';
import { describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { readCdkContext } from '../../../lib/citadel-app.js';
import { AccountBaseline, type AccountBaselineProps } from '../../../lib/constructs/account-baseline.js';
import {
  CONFORMANCE_PACK_DIRECTORY,
  ConformancePacks,
  MAX_TEMPLATE_BODY_BYTES,
} from '../../../lib/constructs/conformance-packs.js';
import { ConfigRecorder } from '../../../lib/constructs/config-recorder.js';
import { onlyResource, resourcesOf } from '../../support/template-queries.js';
import knownRules from './fixtures/aws-config-managed-rule-identifiers.json' with { type: 'json' };

interface VendoredSource {
  readonly commit: string;
  readonly files: Record<string, { path: string; sha256: string; bytes: number }>;
}
interface PackTemplate {
  Parameters?: Record<string, { Default?: unknown; Type: string }>;
  Resources: Record<
    string,
    {
      Type: string;
      Properties: { ConfigRuleName: string; Source: { Owner: string; SourceIdentifier: string } };
    }
  >;
}

const source = JSON.parse(
  readFileSync(new URL('SOURCE.json', CONFORMANCE_PACK_DIRECTORY), 'utf8'),
) as VendoredSource;
const PACK_FILES = readdirSync(CONFORMANCE_PACK_DIRECTORY).filter((file) => file.endsWith('.yaml'));
const read = (file: string) => readFileSync(new URL(file, CONFORMANCE_PACK_DIRECTORY));
const MANAGED_RULES = new Set<string>([
  ...knownRules.developerGuide,
  ...knownRules.documentedSince,
  ...Object.values(ManagedRuleIdentifiers),
]);

describe('vendored conformance pack templates', () => {
  it('records the source commit and a hash for exactly the files in the folder', () => {
    expect(source.commit).toMatch(/^[0-9a-f]{40}$/);
    expect(Object.keys(source.files).sort()).toEqual([...PACK_FILES].sort());
  });

  it.each(PACK_FILES)('%s is byte for byte the recorded file', (file) => {
    // Act
    const bytes = read(file);

    // Assess
    expect(createHash('sha256').update(bytes).digest('hex')).toBe(source.files[file]?.sha256);
    expect(bytes.length).toBe(source.files[file]?.bytes);
  });

  it.each(PACK_FILES)('%s fits the TemplateBody limit of 51,200 bytes', (file) => {
    expect(read(file).length).toBeLessThanOrEqual(MAX_TEMPLATE_BODY_BYTES);
  });

  it.each(PACK_FILES)('%s is YAML holding only AWS managed Config rules that exist', (file) => {
    // Act
    const template = parse(read(file).toString('utf8')) as PackTemplate;
    const rules = Object.values(template.Resources);
    const unknown = rules
      .map((rule) => rule.Properties.Source.SourceIdentifier)
      .filter((identifier) => !MANAGED_RULES.has(identifier));

    // Assess
    expect(rules.length).toBeGreaterThan(90);
    expect(new Set(rules.map((rule) => rule.Type))).toEqual(new Set(['AWS::Config::ConfigRule']));
    expect(new Set(rules.map((rule) => rule.Properties.Source.Owner))).toEqual(new Set(['AWS']));
    expect(unknown).toEqual([]);
    expect(new Set(rules.map((rule) => rule.Properties.ConfigRuleName)).size).toBe(rules.length);
  });

  it('fails the identifier check for a rule AWS does not manage', () => {
    // The check above would pass anything if the known list were empty or matched loosely.
    expect(MANAGED_RULES.has('S3_BUCKET_SSL_REQUESTS_ONLY')).toBe(true);
    expect(MANAGED_RULES.has('S3_BUCKET_SSL_REQUEST_ONLY')).toBe(false);
    expect(MANAGED_RULES.has('s3_bucket_ssl_requests_only')).toBe(false);
  });
});

describe('ConformancePacks', () => {
  function synthesize(props: Partial<AccountBaselineProps>): Template {
    const app = new App({ context: readCdkContext() });
    const stack = new Stack(app, 'Baseline', { env: { account: '123456789012', region: 'eu-west-1' } });
    new AccountBaseline(stack, 'Baseline', {
      config: { recordGlobalResources: true },
      logRetentionDays: 90,
      serverAccessLogsBucket: new Bucket(stack, 'AccessLogs'),
      ...props,
    });
    return Template.fromStack(stack);
  }

  function withPacks(parameters: ConstructorParameters<typeof ConformancePacks>[2]['parameters']) {
    const app = new App({ context: readCdkContext() });
    const stack = new Stack(app, 'Packs', { env: { account: '123456789012', region: 'eu-west-1' } });
    const config = new ConfigRecorder(stack, 'Config', {
      recordGlobalResources: false,
      retentionDays: 90,
      serverAccessLogsBucket: new Bucket(stack, 'AccessLogs'),
    });
    new ConformancePacks(stack, 'Packs', {
      recorder: config.recorder,
      deliveryChannel: config.deliveryChannel,
      includeGlobalResourceTypes: false,
      parameters,
    });
    return Template.fromStack(stack);
  }

  it('deploys the vendored templates unchanged, after the recorder and its delivery channel', () => {
    // Act
    const template = synthesize({});
    const [recorderId] = onlyResource(template, 'AWS::Config::ConfigurationRecorder');
    const [channelId] = onlyResource(template, 'AWS::Config::DeliveryChannel');
    const packs = Object.values(resourcesOf(template, 'AWS::Config::ConformancePack'));

    // Assess
    expect(packs).toHaveLength(2);
    for (const pack of packs) {
      expect(pack.DependsOn).toEqual(expect.arrayContaining([recorderId, channelId]));
      expect(pack.Properties?.DeliveryS3Bucket).toBeUndefined();
    }
    const bodies = packs.map((pack) => pack.Properties?.TemplateBody);
    expect(bodies).toContain(read('Operational-Best-Practices-for-HIPAA-Security.yaml').toString('utf8'));
    expect(bodies).toContain(
      read('Operational-Best-Practices-for-PCI-DSS-v4.0-including-global-resourcetypes.yaml').toString(
        'utf8',
      ),
    );
  });

  it('evaluates IAM and other global resources with the PCI DSS pack only where the recorder records them', () => {
    // Act
    const template = synthesize({ config: { recordGlobalResources: false } });
    const bodies = Object.values(resourcesOf(template, 'AWS::Config::ConformancePack')).map(
      (pack) => pack.Properties?.TemplateBody,
    );

    // Assess
    expect(bodies).toContain(
      read('Operational-Best-Practices-for-PCI-DSS-v4.0-excluding-global-resourcetypes.yaml').toString(
        'utf8',
      ),
    );
    expect(bodies).not.toContain(
      read('Operational-Best-Practices-for-PCI-DSS-v4.0-including-global-resourcetypes.yaml').toString(
        'utf8',
      ),
    );
  });

  it.each([
    ['no recorder in this region', { config: undefined, guardDuty: true }],
    ['the packs switched off', { config: { recordGlobalResources: true, conformancePacks: false } }],
  ] as const)('deploys no pack with %s', (_case, props) => {
    synthesize(props).resourceCountIs('AWS::Config::ConformancePack', 0);
  });

  it('passes a parameter the template declares', () => {
    // Act
    const template = withPacks({
      'citadel-hipaa-security': {
        ElbPredefinedSecurityPolicySslCheckParamPredefinedPolicyName: 'ELBSecurityPolicy-TLS13-1-2-2021-06',
      },
    });

    // Assess
    template.hasResourceProperties('AWS::Config::ConformancePack', {
      ConformancePackName: 'citadel-hipaa-security',
      ConformancePackInputParameters: [
        {
          ParameterName: 'ElbPredefinedSecurityPolicySslCheckParamPredefinedPolicyName',
          ParameterValue: 'ELBSecurityPolicy-TLS13-1-2-2021-06',
        },
      ],
    });
  });

  it.each([
    [
      'a pack it does not deploy',
      { 'citadel-pci-dss-v3': { A: 'b' } },
      'parameters = "citadel-pci-dss-v3"; name one of the packs',
    ],
    [
      'a parameter the template does not declare',
      { 'citadel-pci-dss-v4': { LogRetentionDays: '365' } },
      'parameters.citadel-pci-dss-v4 = "LogRetentionDays"',
    ],
    [
      'a rule name instead of a parameter',
      { 'citadel-hipaa-security': { ElbPredefinedSecurityPolicySslCheck: 'x' } },
      '= "ElbPredefinedSecurityPolicySslCheck"',
    ],
    ['a pattern', { 'citadel-hipaa-security': { '.*': 'x' } }, '= ".*"; name a parameter declared'],
    [
      'a name with a line break',
      { 'citadel-hipaa-security': { 'Resources:\n  X': 'x' } },
      'name a parameter declared',
    ],
    [
      'a name in another script',
      { 'citadel-hipaa-security': { ΑccessKeysRotatedParamMaxAccessKeyAge: '90' } },
      'name a parameter declared',
    ],
  ] as const)('fails when a parameter names %s', (_case, parameters, message) => {
    expect(() => withPacks(parameters)).toThrow(message);
  });
});
