import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Template } from 'aws-cdk-lib/assertions';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadEnvironmentConfig, type EnvironmentConfig } from '../../../config/index.js';
import { buildCitadelApp, type CitadelApp } from '../../../lib/citadel-app.js';

/** The loosened side of every switch the shipped configs keep secure, in one environment. */
const loosened: EnvironmentConfig = {
  ...loadEnvironmentConfig('dev'),
  edge: { ...loadEnvironmentConfig('dev').edge, albDeletionProtection: true },
  baseline: { region: { guardDuty: true } },
  features: { waf: false, containerInsights: false, ecsExec: true },
};

let built: CitadelApp;
let outdir: string;

beforeAll(() => {
  outdir = mkdtempSync(join(tmpdir(), 'citadel-switches-'));
  built = buildCitadelApp({ outdir, configs: [loosened] });
});

afterAll(() => rmSync(outdir, { recursive: true, force: true }));

describe('an environment with every switch loosened', () => {
  it('still synthesizes with zero unacknowledged rule-pack findings', () => {
    expect(() => built.app.synth()).not.toThrow();
  });

  it('leaves out the web ACL, Container Insights, CloudTrail and Security Hub, and turns ECS Exec on', () => {
    // Prepare
    const stage = built.stages[0];
    if (!stage?.baseline) throw new Error('the loosened environment has no baseline stack');

    // Act
    const app = Template.fromStack(stage.app);
    const baseline = Template.fromStack(stage.baseline);
    const monitoring = Template.fromStack(stage.monitoring);

    // Assess
    app.resourceCountIs('AWS::WAFv2::WebACL', 0);
    app.hasResourceProperties('AWS::ECS::Cluster', {
      ClusterSettings: [{ Name: 'containerInsights', Value: 'disabled' }],
    });
    app.hasResourceProperties('AWS::ECS::Service', { EnableExecuteCommand: true });
    baseline.resourceCountIs('AWS::CloudTrail::Trail', 0);
    baseline.resourceCountIs('AWS::SecurityHub::Hub', 0);
    baseline.resourceCountIs('AWS::Config::ConformancePack', 0);
    baseline.resourceCountIs('AWS::GuardDuty::Detector', 1);
    expect(JSON.stringify(monitoring.toJSON())).not.toContain('AWS/WAFV2');
  });
});
