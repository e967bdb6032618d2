import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { decodeCursor, encodeCursor } from '../../src/domain/page-cursor.js';

const ID = '0f8fad5b-d9cb-469f-a165-70867728950e';
const forge = (createdAt: string, id = ID) => Buffer.from(`${createdAt}|${id}`, 'utf8').toString('base64url');

describe('page cursors', () => {
  it('round-trips every position the database can produce', () => {
    // Prepare
    const position = fc.record({
      createdAt: fc
        .date({
          min: new Date('0001-01-01T00:00:00Z'),
          max: new Date('9999-12-31T23:59:59Z'),
          noInvalidDate: true,
        })
        .chain((date) =>
          fc
            .integer({ min: 0, max: 999 })
            .map((micros) => `${date.toISOString().slice(0, 23)}${String(micros).padStart(3, '0')}Z`),
        ),
      id: fc.uuid(),
    });

    // Act / Assess
    fc.assert(
      fc.property(position, (value) => {
        expect(decodeCursor(encodeCursor(value))).toEqual(value);
      }),
      { seed: 12, numRuns: 500 },
    );
  });

  it.each([
    ['30 February', '2025-02-30T00:00:00.000000Z'],
    ['31 April', '2025-04-31T10:00:00.000000Z'],
    ['year 0', '0000-01-01T00:00:00.000000Z'],
    ['month 13', '2025-13-01T00:00:00.000000Z'],
    ['hour 24', '2025-01-01T24:00:00.000000Z'],
    ['minute 60', '2025-01-01T23:60:00.000000Z'],
    ['a leap second', '2025-06-30T23:59:60.000000Z'],
    ['an expanded year', '+275760-09-13T00:00:00.000000Z'],
  ])('fails when the cursor time is %s', (_label, createdAt) => {
    // Act / Assess
    expect(decodeCursor(forge(createdAt))).toBeNull();
  });

  it.each([
    ['a NUL byte in the id', forge('2025-01-01T00:00:00.000000Z', `${ID.slice(0, 35)}\u0000`)],
    ['a NUL byte after the id', forge('2025-01-01T00:00:00.000000Z', `${ID}\u0000`)],
    ['a literal NUL', 'abc\u0000'],
    ['standard base64 padding', `${forge('2025-01-01T00:00:00.000000Z')}=`],
    ['an empty string', ''],
    ['a cursor longer than any this API returns', 'A'.repeat(201)],
  ])('fails when the cursor holds %s', (_label, cursor) => {
    // Act / Assess
    expect(decodeCursor(cursor)).toBeNull();
  });
});
