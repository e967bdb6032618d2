import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { ConfigError, loadEnvironmentConfig, validateEnvironmentConfig } from '../../config/index.js';

const dev = loadEnvironmentConfig('dev');
const courses = loadEnvironmentConfig('courses');

/** Every dotted path of a config object, leaves and branches. */
function paths(value: unknown, prefix = ''): string[] {
  if (value === null || typeof value !== 'object' || Array.isArray(value)) return [];
  return Object.entries(value).flatMap(([key, child]) => {
    const path = prefix ? `${prefix}.${key}` : key;
    return [path, ...paths(child, path)];
  });
}

function withValue(base: unknown, path: string, value: unknown): unknown {
  const copy = structuredClone(base) as Record<string, unknown>;
  const parts = path.split('.');
  let target = copy;
  for (const part of parts.slice(0, -1)) target = target[part] as Record<string, unknown>;
  target[parts.at(-1) as string] = value;
  return copy;
}

const hostileValue = fc.oneof(
  fc.jsonValue(),
  fc.string({ unit: 'grapheme' }),
  fc.constantFrom(
    undefined,
    null,
    Number.NaN,
    Number.POSITIVE_INFINITY,
    -0,
    2 ** 53,
    '',
    ' ',
    '\u0000',
    '../../etc',
    '10.0.0.0/16\n',
    'eu-west-1a\u200b',
    { __proto__: { polluted: true } },
    ['eu-west-1a', 'eu-west-1a', 'eu-west-1a', 'eu-west-1a'],
  ),
);

describe('a hostile value anywhere in an environment config', () => {
  it.each([
    ['dev', dev],
    ['courses', courses],
  ])(
    '%s: is refused with a ConfigError naming a field, or accepted unchanged, never anything else',
    (_name, base) => {
      const fields = paths(base);
      fc.assert(
        fc.property(fc.constantFrom(...fields), hostileValue, (field, value) => {
          const candidate = withValue(base, field, value);
          const before = JSON.stringify(candidate);
          try {
            const accepted = validateEnvironmentConfig(candidate);
            expect(accepted).toBe(candidate);
          } catch (error) {
            expect(error).toBeInstanceOf(ConfigError);
            expect((error as ConfigError).field.length).toBeGreaterThan(0);
            expect((error as ConfigError).message).toMatch(/^Invalid config for environment "/);
          }
          // Checking changes nothing.
          expect(JSON.stringify(candidate)).toBe(before);
        }),
        { numRuns: 2000, seed: 20261130 },
      );
    },
  );

  it('refuses a top-level value that is not an object', () => {
    for (const value of [null, 1, 'dev', [], undefined]) {
      expect(() => validateEnvironmentConfig(value)).toThrow(ConfigError);
    }
  });
});
