import fc from 'fast-check';
import { RegionInfo } from 'aws-cdk-lib/region-info';
import { describe, expect, it } from 'vitest';
import { ConfigError, loadEnvironmentConfig, validateEnvironmentConfig } from '../../config/index.js';

const qa = loadEnvironmentConfig('qa');
const KNOWN_REGIONS = new Set(RegionInfo.regions.map((region) => region.name));

/** qa with its recovery block replaced (or removed, for undefined). */
function qaWithRecovery(recovery: unknown): Record<string, unknown> {
  const copy = structuredClone(qa) as Record<string, unknown>;
  if (recovery === undefined) delete copy.recovery;
  else copy.recovery = recovery;
  return copy;
}

function refusal(candidate: unknown): ConfigError {
  const before = JSON.stringify(candidate);
  try {
    validateEnvironmentConfig(candidate);
  } catch (error) {
    expect(error).toBeInstanceOf(ConfigError);
    // Checking changes nothing.
    expect(JSON.stringify(candidate)).toBe(before);
    return error as ConfigError;
  }
  throw new Error(`accepted ${before.slice(0, 200)}`);
}

const valid = { region: 'eu-central-1', copyRetentionDays: 35, vaultMinRetentionDays: 14 };

describe('recovery config', () => {
  it.each([
    [
      'the primary region itself',
      { ...valid, region: 'eu-west-1' },
      'recovery.region',
      /is the primary region.*another region than eu-west-1/,
    ],
    ['a region AWS does not have', { ...valid, region: 'eu-west-9' }, 'recovery.region', /not an AWS region/],
    [
      'a region of another partition',
      { ...valid, region: 'cn-north-1' },
      'recovery.region',
      /partition aws-cn.*eu-west-1 in aws/,
    ],
    [
      'a Unicode look-alike hyphen',
      { ...valid, region: 'eu\u2010central-1' },
      'recovery.region',
      /expected a region/,
    ],
    [
      'a zero-width space',
      { ...valid, region: 'eu-central-1\u200b' },
      'recovery.region',
      /expected a region/,
    ],
    [
      'a shell injection',
      { ...valid, region: 'eu-central-1;rm -rf /' },
      'recovery.region',
      /expected a region/,
    ],
    ['a separator', { ...valid, region: 'eu-central-1/eu-west-2' }, 'recovery.region', /expected a region/],
    [
      'an oversize name',
      { ...valid, region: `eu-${'central'.repeat(200)}-1` },
      'recovery.region',
      /not an AWS region/,
    ],
    ['an empty name', { ...valid, region: '' }, 'recovery.region', /non-empty string/],
    [
      'upper-case lock mode',
      { ...valid, vaultLockMode: 'COMPLIANCE' },
      'recovery.vaultLockMode',
      /"governance" or "compliance"/,
    ],
    [
      'a lock mode AWS does not have',
      { ...valid, vaultLockMode: 'legal-hold' },
      'recovery.vaultLockMode',
      /"governance" or "compliance"/,
    ],
    [
      'a copy kept shorter than the lock',
      { ...valid, copyRetentionDays: 10, vaultMinRetentionDays: 14 },
      'recovery.copyRetentionDays',
      /refuse every copy; use at least 14/,
    ],
    [
      'a fractional retention',
      { ...valid, copyRetentionDays: 35.5 },
      'recovery.copyRetentionDays',
      /integer/,
    ],
    [
      'a lock of no days',
      { ...valid, vaultMinRetentionDays: 0 },
      'recovery.vaultMinRetentionDays',
      /from 1 to 36500/,
    ],
    [
      'a misspelt setting',
      { ...valid, vaultLockmode: 'compliance' },
      'recovery.vaultLockmode',
      /unknown setting/,
    ],
    [
      'no region',
      { copyRetentionDays: 35, vaultMinRetentionDays: 14 },
      'recovery.region',
      /non-empty string/,
    ],
    ['a list instead of an object', [valid], 'recovery', /expected an object|does not match/],
  ])('refuses %s, naming the field, the value and the fix', (_case, recovery, field, problem) => {
    const error = refusal(qaWithRecovery(recovery));
    expect(error.field).toBe(field);
    expect(error.environment).toBe('qa');
    expect(error.message).toMatch(problem);
  });

  it('accepts a recovery block in another region of the partition, with or without a lock mode', () => {
    expect(validateEnvironmentConfig(qaWithRecovery(valid)).recovery?.region).toBe('eu-central-1');
    expect(
      validateEnvironmentConfig(qaWithRecovery({ ...valid, vaultLockMode: 'compliance' })).recovery
        ?.vaultLockMode,
    ).toBe('compliance');
    expect(validateEnvironmentConfig(qaWithRecovery(undefined)).recovery).toBeUndefined();
  });

  it('accepts any known region of the partition other than the primary, and refuses every other string', () => {
    fc.assert(
      fc.property(
        fc.oneof(
          fc.constantFrom(...KNOWN_REGIONS),
          fc.string(),
          fc.stringMatching(/^[a-z]{2}-[a-z]{2,9}-\d$/),
        ),
        (region) => {
          const candidate = qaWithRecovery({ ...valid, region });
          const partition = KNOWN_REGIONS.has(region) ? RegionInfo.get(region).partition : undefined;
          if (partition === 'aws' && region !== qa.region) {
            expect(validateEnvironmentConfig(candidate).recovery?.region).toBe(region);
          } else {
            expect(refusal(candidate).field).toBe('recovery.region');
          }
        },
      ),
      { numRuns: 500, seed: 20261130 },
    );
  });

  it('never accepts a copy retention shorter than the vault lock', () => {
    fc.assert(
      fc.property(fc.integer({ min: 7, max: 36_500 }), fc.integer({ min: 1, max: 36_500 }), (copy, lock) => {
        const candidate = qaWithRecovery({ ...valid, copyRetentionDays: copy, vaultMinRetentionDays: lock });
        if (copy >= lock) expect(validateEnvironmentConfig(candidate).recovery?.copyRetentionDays).toBe(copy);
        else expect(refusal(candidate).field).toBe('recovery.copyRetentionDays');
      }),
      { numRuns: 300, seed: 20261130 },
    );
  });
});

describe("Citadel's own environments", () => {
  // Prod holds the real data: its backups and evidence must survive the loss of its region,
  // and no one, an administrator included, may shorten what the recovery region keeps.
  it('prod recovers into another region, locked in compliance mode', () => {
    const prod = loadEnvironmentConfig('prod');
    expect(prod.recovery?.region).toBeDefined();
    expect(prod.recovery?.region).not.toBe(prod.region);
    expect(prod.recovery?.vaultLockMode).toBe('compliance');
  });

  it('qa and courses recover into the other region in governance mode; dev has no recovery region', () => {
    expect(loadEnvironmentConfig('qa').recovery).toMatchObject({ region: 'eu-central-1' });
    expect(loadEnvironmentConfig('courses').recovery).toMatchObject({ region: 'eu-west-1' });
    for (const name of ['qa', 'courses']) {
      expect(loadEnvironmentConfig(name).recovery?.vaultLockMode ?? 'governance').toBe('governance');
    }
    expect(loadEnvironmentConfig('dev').recovery).toBeUndefined();
  });
});
