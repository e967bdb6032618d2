import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { App, Stack, Validations } from 'aws-cdk-lib';
import { Bucket } from 'aws-cdk-lib/aws-s3';
import { afterEach, describe, expect, it } from 'vitest';
import { loadEnvironmentConfig } from '../../config/index.js';
import { acknowledge } from '../../lib/acknowledge.js';
import { buildCitadelApp } from '../../lib/citadel-app.js';
import { createRulePacks } from '../../lib/rule-packs.js';

const outdirs: string[] = [];
afterEach(() => {
  for (const dir of outdirs.splice(0)) rmSync(dir, { recursive: true, force: true });
});

/** An app under the Citadel rule packs holding one bucket that breaks many rules. */
function appWithPlainBucket(): { app: App; bucket: Bucket } {
  const outdir = mkdtempSync(join(tmpdir(), 'citadel-gate-'));
  outdirs.push(outdir);
  // Only the rule packs are under test: CDK's built-in template validation stays out of it.
  const app = new App({ outdir, builtinCloudFormationValidation: false });
  const stack = new Stack(app, 'Gate', { env: { account: '111111111111', region: 'eu-west-1' } });
  const bucket = new Bucket(stack, 'Plain');
  Validations.of(app).addPlugins(...createRulePacks(app));
  return { app, bucket };
}

describe('rule packs', () => {
  it('registers the AwsSolutions, HIPAA Security, NIST 800-53 rev 5 and PCI DSS 3.2.1 packs', () => {
    const names = createRulePacks(new App()).map((pack) => pack.name);

    expect(names).toEqual(
      expect.arrayContaining(['AwsSolutions', 'HIPAA.Security', 'NIST.800.53.R5', 'PCI.DSS.321']),
    );
  });

  it('fails synth when a finding is not acknowledged', () => {
    // Prepare
    const { app } = appWithPlainBucket();

    // Act
    const synth = () => app.synth();

    // Assess
    expect(synth).toThrow(/AwsSolutions-S1/);
  });

  it('keeps failing synth on findings when the CDK CLI asks to handle the report itself', () => {
    // Prepare
    const cliContext = process.env.CDK_CONTEXT_JSON;
    process.env.CDK_CONTEXT_JSON = JSON.stringify({ '@aws-cdk/core:failSynthOnValidationErrors': false });

    try {
      // Act
      const { app } = buildCitadelApp({ configs: [loadEnvironmentConfig('dev')], rulePacks: () => [] });

      // Assess
      expect(app.node.tryGetContext('@aws-cdk/core:failSynthOnValidationErrors')).toBe(true);
    } finally {
      if (cliContext === undefined) delete process.env.CDK_CONTEXT_JSON;
      else process.env.CDK_CONTEXT_JSON = cliContext;
    }
  });

  it('fails when an acknowledgment reason is too short to be specific', () => {
    const { bucket } = appWithPlainBucket();

    expect(() => acknowledge(bucket, ['AwsSolutions-S1'], 'not needed')).toThrow(/at least 40 characters/);
  });
});
