import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  ConfigError,
  deploymentOf,
  loadAllEnvironmentConfigs,
  loadEnvironmentConfig,
  validateEnvironmentConfig,
  type EnvironmentConfig,
} from '../../config/index.js';

const prod = loadEnvironmentConfig('prod');

/** A copy of prod with `deployment` changed by `edit`. */
function prodWith(edit: (deployment: Record<string, unknown>) => void): EnvironmentConfig {
  const copy = structuredClone(prod);
  edit(copy.deployment as unknown as Record<string, unknown>);
  return copy;
}

function configErrorOf(candidate: unknown): ConfigError {
  const before = structuredClone(candidate);
  try {
    validateEnvironmentConfig(candidate);
  } catch (error) {
    // Bad input changes nothing.
    expect(candidate).toEqual(before);
    if (error instanceof ConfigError) return error;
    throw error;
  }
  throw new Error('expected a ConfigError, but the config was accepted');
}

describe('deployment config', () => {
  it('releases dev and courses blue-green with no bake and qa and prod as canaries, prod with 10 % for 5 minutes then a bake', () => {
    // Act
    const byName = new Map(loadAllEnvironmentConfigs().map((config) => [config.name, deploymentOf(config)]));

    // Assess
    for (const name of ['dev', 'courses']) {
      expect(byName.get(name)).toMatchObject({ strategy: 'blue-green', bakeMinutes: 0, testPort: 9443 });
    }
    expect(byName.get('qa')?.strategy).toBe('canary');
    expect(byName.get('prod')).toMatchObject({ strategy: 'canary', canaryPercent: 10, stepMinutes: 5 });
    expect(byName.get('prod')?.bakeMinutes).toBeGreaterThan(0);
  });

  it('pins in every environment its own public probe key, never a private one, and names its own secret', () => {
    // Act
    const probes = loadAllEnvironmentConfigs().map((config) => ({
      name: config.name,
      probe: deploymentOf(config).probe,
    }));

    // Assess
    for (const { name, probe } of probes) {
      expect(probe, `${name} pins a probe key`).toBeDefined();
      expect(Object.keys(probe?.publicJwk ?? {})).not.toContain('d');
      expect(probe?.publicJwk.kid).toBe(`deployment-check-${name}-1`);
      expect(probe?.privateKeySecretName).toBe(`citadel/${name}/deployment-check-key`);
    }
    const points = probes.map(({ probe }) => `${probe?.publicJwk.x}.${probe?.publicJwk.y}`);
    expect(new Set(points).size).toBe(probes.length);
  });

  it('falls back to a rolling release with alarms when an environment names no deployment', () => {
    // Prepare
    const { deployment: _omitted, ...withoutDeployment } = structuredClone(prod);

    // Act
    const config = validateEnvironmentConfig(withoutDeployment);

    // Assess
    expect(deploymentOf(config)).toMatchObject({ strategy: 'rolling', alarms: expect.any(Object) });
  });

  it.each([
    ['a canary share of 0', 'canaryPercent', 0, /0\.1 to 99\.9/],
    ['a canary share of 100', 'canaryPercent', 100, /0\.1 to 99\.9/],
    ['a canary share finer than 0.1', 'canaryPercent', 10.05, /steps of 0\.1/],
    ['a canary share as text', 'canaryPercent', '10', /number|0\.1 to 99\.9/],
    ['a canary share that is not a number', 'canaryPercent', Number.NaN, /number|0\.1 to 99\.9/],
    ['step minutes beyond what ECS allows', 'stepMinutes', 1441, /1 to 1440/],
    ['a bake time beyond what ECS allows', 'bakeMinutes', 1441, /0 to 1440/],
    ['a negative bake time', 'bakeMinutes', -1, /0 to 1440/],
    ['a step shorter than the alarms need to fire', 'stepMinutes', 2, /evaluationMinutes \+ 1/],
    ['a production port as the test port', 'testPort', 443, /1024 to 65535/],
    ['a strategy in other case', 'strategy', 'Canary', /rolling, blue-green, canary, linear/],
    ['a strategy with a NUL byte', 'strategy', 'canary\u0000', /rolling, blue-green, canary, linear/],
    ['a strategy in look-alike letters', 'strategy', 'сanary', /rolling, blue-green, canary, linear/],
    ['a linear step share on a canary', 'stepPercent', 10, /only used by the linear/],
    ['an unknown setting', 'canaryPercentage', 10, /unknown setting/],
  ])('fails on %s, naming the field and the value', (_case, field, value, problem) => {
    // Act
    const error = configErrorOf(
      prodWith((deployment) => {
        deployment[field] = value;
      }),
    );

    // Assess
    expect(error.environment).toBe('prod');
    expect(error.field).toBe(`deployment.${field}`);
    expect(error.message).toMatch(problem);
    expect(error.message).toContain(`deployment.${field} = ${JSON.stringify(value)}`);
  });

  it('fails on a linear step below the 3 % ECS takes', () => {
    // Act
    const error = configErrorOf(
      prodWith((deployment) => {
        deployment.strategy = 'linear';
        delete deployment.canaryPercent;
        deployment.stepPercent = 2;
      }),
    );

    // Assess
    expect(error.field).toBe('deployment.stepPercent');
    expect(error.message).toMatch(/from 3 to 99\.9/);
  });

  it.each([
    ['a test port', 'testPort', 9443],
    ['a bake time', 'bakeMinutes', 10],
  ])('fails on %s for a rolling release, which has none', (_case, field, value) => {
    // Act
    const error = configErrorOf(
      prodWith((deployment) => {
        for (const key of ['canaryPercent', 'stepMinutes', 'bakeMinutes', 'testPort', 'probe'])
          delete deployment[key];
        deployment.strategy = 'rolling';
        deployment[field] = value;
      }),
    );

    // Assess
    expect(error.field).toBe(`deployment.${field}`);
    expect(error.message).toMatch(/rolling update has no/);
  });

  it('fails on a private key pasted as the probe key without repeating it', () => {
    // Prepare
    const privatePart = 'SECRETPRIVATEPARTabcdefghijklmnopqrstuvwxyz0';

    // Act
    const error = configErrorOf(
      prodWith((deployment) => {
        (deployment.probe as { publicJwk: Record<string, unknown> }).publicJwk.d = privatePart;
      }),
    );

    // Assess
    expect(error.field).toBe('deployment.probe.publicJwk.d');
    expect(error.message).not.toContain(privatePart);
    expect(error.message).toMatch(/private key/);
  });

  it.each([
    ['a key id with a path separator', 'kid', 'check/1'],
    ['a key id with a line break', 'kid', 'check-1\nadmin'],
    ['a key id in non-ASCII letters', 'kid', 'chéck-1'],
    ['a coordinate of the wrong length', 'x', 'abc'],
    ['another curve', 'crv', 'P-384'],
    ['a symmetric key', 'kty', 'oct'],
  ])('fails on a probe key with %s', (_case, member, value) => {
    // Act
    const error = configErrorOf(
      prodWith((deployment) => {
        (deployment.probe as { publicJwk: Record<string, unknown> }).publicJwk[member] = value;
      }),
    );

    // Assess
    expect(error.field).toBe(`deployment.probe.publicJwk.${member}`);
  });

  it('accepts exactly the canary shares ECS takes that are a canary: 0.1 to 99.9 in steps of 0.1', () => {
    fc.assert(
      fc.property(
        fc.oneof(
          fc.integer({ min: -2000, max: 2000 }).map((tenths) => tenths / 10),
          fc.double(),
        ),
        (share) => {
          const candidate = prodWith((deployment) => {
            deployment.canaryPercent = share;
          });
          const valid = share >= 0.1 && share <= 99.9 && Math.abs(share * 10 - Math.round(share * 10)) < 1e-9;
          if (valid) expect(() => validateEnvironmentConfig(candidate)).not.toThrow();
          else expect(configErrorOf(candidate).field).toBe('deployment.canaryPercent');
        },
      ),
      { numRuns: 300 },
    );
  });
});
