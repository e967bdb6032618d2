import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { MigrationMetadataError, readChange } from '../../src/migration-safety/index.js';

describe('readChange', () => {
  it.each([
    [{}, undefined],
    [{ change: undefined }, undefined],
    [{ change: { step: 'expand' } }, { step: 'expand' }],
    [{ change: { step: 'contract', expands: '0005_add_x' } }, { step: 'contract', expands: '0005_add_x' }],
  ])('reads %j as %j', (module, expected) => {
    expect(readChange('0006_x', module)).toEqual(expected);
  });

  it('either returns a well-formed mark or throws a MigrationMetadataError naming the migration, for any value', () => {
    fc.assert(
      fc.property(fc.anything({ withNullPrototype: true, withBoxedValues: true }), (change) => {
        try {
          const mark = readChange('0006_x', { change });
          expect(
            mark === undefined ||
              mark.step === 'expand' ||
              (mark.step === 'contract' && /^\d{4}_[a-z0-9_]+$/.test(mark.expands)),
          ).toBe(true);
        } catch (error) {
          expect(error).toBeInstanceOf(MigrationMetadataError);
          expect((error as Error).message).toMatch(/^migration 0006_x: .*docs\/migrations\.md/s);
        }
      }),
      { numRuns: 500 },
    );
  });

  it('fails when expands carries a separator, a newline or an oversize name', () => {
    for (const expands of [
      '0005_add_x\n',
      '0005_add_x/../0001',
      '0005_add-x',
      `0005_${'a'.repeat(10_000)}x`.toUpperCase(),
    ]) {
      expect(() => readChange('0006_x', { change: { step: 'contract', expands } })).toThrow(
        MigrationMetadataError,
      );
    }
  });

  it('shortens an oversize value in its message', () => {
    expect(() => readChange('0006_x', { change: { step: 'x'.repeat(10_000) } })).toThrow(/"x{80}…"/);
  });
});
