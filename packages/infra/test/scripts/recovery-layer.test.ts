import { describe, expect, it } from 'vitest';
import {
  loadEnvironmentConfig,
  validateAcrossEnvironments,
  validateEnvironmentConfig,
} from '../../config/index.js';
import { parseDeliveryArgs } from '../../scripts/lib/cli-args.js';
import { layerRegion, layersFor } from '../../scripts/lib/delivery.js';

const names = { environments: ['dev', 'qa', 'prod', 'courses'], workloads: ['api'] };
const qa = loadEnvironmentConfig('qa');
const dev = loadEnvironmentConfig('dev');

describe('the recovery layer in deploy, diff and destroy', () => {
  it("accepts --stacks recovery (the runbook's command) and orders it before the stacks that copy into it", () => {
    const args = parseDeliveryArgs(['--env', 'prod', '--stacks', 'data,recovery'], 'deploy', names);
    expect(args.stacks).toEqual(['recovery', 'data']);
    expect(layersFor(loadEnvironmentConfig('prod'), args.stacks)).toEqual(['recovery', 'data']);
  });

  it('deploys the recovery stack first in a full deploy of an environment that has one', () => {
    expect(layersFor(qa, undefined)).toEqual([
      'recovery',
      'shared',
      'network',
      'data',
      'app',
      'monitoring',
      'baseline',
    ]);
    expect(layersFor(dev, undefined)).not.toContain('recovery');
  });

  it('fails for --stacks recovery in an environment without a recovery region, saying why', () => {
    expect(() => layersFor(dev, ['recovery'])).toThrow(
      'environment "dev" has no recovery stack (its config has no recovery region under recovery).',
    );
  });

  it('addresses the recovery stack in the recovery region and every other stack in the primary', () => {
    expect(layerRegion(qa, 'recovery')).toBe('eu-central-1');
    expect(layerRegion(qa, 'data')).toBe('eu-west-1');
    expect(layerRegion(loadEnvironmentConfig('courses'), 'recovery')).toBe('eu-west-1');
    expect(layerRegion(dev, 'recovery')).toBe('eu-west-1');
  });
});

describe('npm run bootstrap with a recovery region', () => {
  it('bootstraps the recovery region of the same account too, so the recovery stack can deploy', async () => {
    const { bootstrapArguments } = await import('../../scripts/bootstrap.js');
    expect(bootstrapArguments('prod').slice(0, 4)).toEqual([
      'cdk',
      'bootstrap',
      'aws://333333333333/eu-west-1',
      'aws://333333333333/eu-central-1',
    ]);
    expect(bootstrapArguments('dev')[3]).toBe('--template');
  });
});

describe("the runbook's fail-over environment", () => {
  /** `<env>dr.ts` as docs/operations.md (Fail over, step 1) tells an operator to write it for prod. */
  function failOverEnvironment(): Record<string, unknown> {
    const prod = structuredClone(loadEnvironmentConfig('prod')) as unknown as Record<string, unknown>;
    delete prod.recovery;
    return {
      ...prod,
      name: 'proddr',
      region: 'eu-central-1',
      availabilityZones: ['eu-central-1a', 'eu-central-1b', 'eu-central-1c'],
      github: {
        repository: 'example-org/citadel',
        oidcProviderArn: 'arn:aws:iam::333333333333:oidc-provider/token.actions.githubusercontent.com',
      },
      baseline: { region: { config: true, guardDuty: true, securityHub: true } },
    };
  }

  it("is a valid environment beside all of Citadel's, and its deploy commands select the stacks they name", () => {
    const proddr = validateEnvironmentConfig(failOverEnvironment());
    const all = ['dev', 'qa', 'prod', 'courses'].map((name) => loadEnvironmentConfig(name));
    expect(() => validateAcrossEnvironments([...all, proddr])).not.toThrow();

    const step2 = parseDeliveryArgs(['--env', 'proddr', '--stacks', 'shared,network'], 'deploy', {
      ...names,
      environments: [...names.environments, 'proddr'],
    });
    expect(layersFor(proddr, step2.stacks)).toEqual(['shared', 'network']);
    expect(layersFor(proddr, undefined)).toEqual([
      'shared',
      'network',
      'data',
      'app',
      'monitoring',
      'baseline',
    ]);
  });

  it("fails across environments when it keeps the primary's OIDC provider creation, naming the fix", () => {
    const candidate = failOverEnvironment();
    candidate.github = { repository: 'example-org/citadel' };
    const proddr = validateEnvironmentConfig(candidate);
    const all = ['dev', 'qa', 'prod', 'courses'].map((name) => loadEnvironmentConfig(name));
    expect(() => validateAcrossEnvironments([...all, proddr])).toThrow(/github\.oidcProviderArn/);
  });
});
