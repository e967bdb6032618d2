import { describe, expect, it } from 'vitest';
import { buildContinuousSection } from '../../src/report/continuous-section.js';
import type { TemplateResource } from '../../src/report/template-index.js';

function resource(type: string, properties: Record<string, unknown>, path: string): TemplateResource {
  return { key: `baseline/${path}`, stackName: 'dev-baseline', logicalId: path, type, properties, path };
}

const standard = (tail: string, path: string) =>
  resource(
    'AWS::SecurityHub::Standard',
    {
      StandardsArn: {
        'Fn::Join': ['', ['arn:', { Ref: 'AWS::Partition' }, `:securityhub:eu-central-1::standards/${tail}`]],
      },
    },
    path,
  );

describe('buildContinuousSection', () => {
  it('lists the packs and standards the templates deploy, with the controls they map to', () => {
    // Act
    const section = buildContinuousSection([
      resource(
        'AWS::Config::ConformancePack',
        { ConformancePackName: 'citadel-pci-dss-v4' },
        'dev/baseline/Pci',
      ),
      standard('pci-dss/v/4.0.1', 'dev/baseline/PciDssV4'),
      resource('AWS::S3::Bucket', {}, 'dev/baseline/Bucket'),
    ]);

    // Assess
    expect(section.deployed.map(({ check, path }) => [check.title, path])).toEqual([
      ['Operational Best Practices for PCI DSS 4.0', 'dev/baseline/Pci'],
      ['PCI DSS v4.0.1', 'dev/baseline/PciDssV4'],
    ]);
    expect(section.deployed[1]?.check.controls).toContain('PCI DSS v4.0.1 4.2.1');
    expect(section.absent.map((check) => check.title)).toEqual([
      'Operational Best Practices for HIPAA Security',
      'NIST SP 800-53 Rev. 5',
      'AWS Foundational Security Best Practices v1.0.0',
    ]);
  });

  it.each([
    ['a retired standard', standard('pci-dss/v/3.2.1', 'x')],
    ['a standard path inside a longer one', standard('pci-dss/v/4.0.1/extra', 'x')],
    [
      'a pack of another name',
      resource('AWS::Config::ConformancePack', { ConformancePackName: 'citadel-pci-dss-v4 ' }, 'x'),
    ],
    ['a pack name given as a standard', standard('citadel-hipaa-security', 'x')],
    [
      'a standard path given as a pack name',
      resource('AWS::Config::ConformancePack', { ConformancePackName: 'pci-dss/v/4.0.1' }, 'x'),
    ],
    [
      'a pack name that is not a string',
      resource('AWS::Config::ConformancePack', { ConformancePackName: { Ref: 'Name' } }, 'x'),
    ],
  ])('does not count %s', (_case, entry) => {
    expect(buildContinuousSection([entry]).deployed).toEqual([]);
  });
});
