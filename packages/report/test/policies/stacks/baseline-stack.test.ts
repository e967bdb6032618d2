import { ENVIRONMENT_NAMES, loadEnvironmentConfig } from '@citadel/infra/config';
import { beforeAll, describe, expect, it } from 'vitest';
import { decide, resolveIntrinsics } from '../../support/policy-simulation.js';
import { synthesizedApp, type SynthesizedApp } from '../../support/synthesized-app.js';
import { onlyResource, resourcesOf } from '../../support/template-queries.js';

let citadel: SynthesizedApp;

beforeAll(() => {
  citadel = synthesizedApp();
});

const TRAIL_OWNERS = ENVIRONMENT_NAMES.filter(
  (name) => loadEnvironmentConfig(name).baseline.account?.cloudTrail,
);

describe('an environment owns the account trail', () => {
  it('is at least one, so the key policy below is evaluated', () => {
    expect(TRAIL_OWNERS.length).toBeGreaterThan(0);
  });
});

describe.each(TRAIL_OWNERS)('trail key policy of %s, evaluated', (environment) => {
  const config = loadEnvironmentConfig(environment);

  it.each(['kms:DescribeKey', 'kms:Decrypt'])(
    'lets CloudTrail call %s on the trail key for this trail, without an encryption context, so the trail can be created',
    async (action) => {
      // Prepare
      const template = citadel.template(environment, 'baseline');
      const [, trail] = onlyResource(template, 'AWS::CloudTrail::Trail');
      const key = resourcesOf(template, 'AWS::KMS::Key').BaselineTrailKeyD45D460F;
      const trailName = String(trail.Properties?.TrailName ?? 'unnamed');
      const trailArn = `arn:aws:cloudtrail:${config.region}:${config.account}:trail/${trailName}`;

      // Act
      const decision = await decide({
        policy: resolveIntrinsics(key?.Properties?.KeyPolicy, {
          account: config.account,
          region: config.region,
        }),
        action,
        principal: 'cloudtrail.amazonaws.com',
        resource: `arn:aws:kms:${config.region}:${config.account}:key/1234abcd-trail`,
        resourceAccount: config.account,
        context: { 'aws:SourceArn': trailArn, 'aws:SourceAccount': config.account },
      });

      // Assess
      expect(trail.Properties?.TrailName).toBe(`citadel-${environment}`);
      expect(decision).toBe('Allowed');
    },
  );
});
