import { describe, expect, it } from 'vitest';
import {
  ConfigError,
  ENVIRONMENT_NAMES,
  loadEnvironmentConfig,
  validateEnvironmentConfig,
  type EnvironmentConfig,
} from '../../config/index.js';
import { recoveryObjectiveProblems, VAULT_WORST_CASE_RPO_MINUTES } from '../../config/recovery.js';

const prod = loadEnvironmentConfig('prod');

function withDatabase(base: EnvironmentConfig, change: (database: Record<string, unknown>) => void): unknown {
  const copy = structuredClone(base) as unknown as { database: Record<string, unknown> };
  change(copy.database);
  return copy;
}

function configErrorOf(candidate: unknown): ConfigError {
  try {
    validateEnvironmentConfig(candidate);
  } catch (error) {
    if (error instanceof ConfigError) return error;
    throw error;
  }
  throw new Error('expected a ConfigError, but the config was accepted');
}

const objectives = (database: Record<string, unknown>) =>
  database.recoveryObjectives as Record<string, unknown>;
const testing = (database: Record<string, unknown>) => database.restoreTesting as Record<string, unknown>;

describe('recovery objectives', () => {
  it.each(ENVIRONMENT_NAMES)('%s promises only what its backup plan and last drill can keep', (name) => {
    expect(recoveryObjectiveProblems(loadEnvironmentConfig(name).database)).toEqual([]);
  });

  it('counts the daily plan’s start and completion windows into the worst-case loss', () => {
    expect(VAULT_WORST_CASE_RPO_MINUTES).toBe((24 + 1 + 3) * 60);
  });

  it.each<[string, (database: Record<string, unknown>) => void, string, unknown, RegExp]>([
    [
      'an RPO tighter than the daily backup plan',
      (database) => (objectives(database).rpoMinutes = 60),
      'database.recoveryObjectives.rpoMinutes',
      60,
      /can lose up to 1680 minutes.*at least 1680/,
    ],
    [
      'an RPO one minute under the plan’s worst case',
      (database) => (objectives(database).rpoMinutes = VAULT_WORST_CASE_RPO_MINUTES - 1),
      'database.recoveryObjectives.rpoMinutes',
      VAULT_WORST_CASE_RPO_MINUTES - 1,
      /at least 1680/,
    ],
    [
      'an RTO shorter than the last measured restore',
      (database) => (objectives(database).measuredRestoreMinutes = 241),
      'database.recoveryObjectives.rtoMinutes',
      240,
      /latest restore drill took 241 minutes.*at least 241/,
    ],
    [
      'drills further apart than the environment allows',
      (database) => (testing(database).everyDays = 8),
      'database.restoreTesting.everyDays',
      8,
      /at most 7 days apart.*7 or less/,
    ],
    [
      'drills less often than monthly',
      (database) => (objectives(database).maxDaysBetweenDrills = 60),
      'database.recoveryObjectives.maxDaysBetweenDrills',
      60,
      /from 1 to 31/,
    ],
    [
      'a restored copy kept longer than a week',
      (database) => (testing(database).validationWindowHours = 169),
      'database.restoreTesting.validationWindowHours',
      169,
      /from 1 to 168/,
    ],
    [
      'a restore instance class without the db. prefix',
      (database) => (testing(database).instanceClass = 't4g.micro'),
      'database.restoreTesting.instanceClass',
      't4g.micro',
      /db\.t4g\.medium/,
    ],
    [
      'a misspelt objective',
      (database) => (objectives(database).rpoMinute = 1680),
      'database.recoveryObjectives.rpoMinute',
      1680,
      /unknown setting/,
    ],
    [
      'no recovery objectives',
      (database) => delete database.recoveryObjectives,
      'database.recoveryObjectives',
      undefined,
      /./,
    ],
  ])('fails on %s, naming the field, the value and the fix', (_, change, field, value, problem) => {
    const candidate = withDatabase(prod, change);
    const before = structuredClone(candidate);

    const error = configErrorOf(candidate);

    expect(error.field).toBe(field);
    expect(error.value).toEqual(value);
    expect(error.message).toMatch(problem);
    expect(candidate).toEqual(before);
  });
});
