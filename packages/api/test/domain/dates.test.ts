import { describe, expect, it } from 'vitest';
import { isCalendarDate, isPlausibleDateOfBirth } from '../../src/domain/dates.js';

describe('isCalendarDate', () => {
  it.each(['0001-01-01', '1990-02-28', '2024-02-29', '2000-02-29', '9999-12-31'])(
    'accepts the real date %s',
    (value) => {
      // Act / Assess
      expect(isCalendarDate(value)).toBe(true);
    },
  );

  it.each([
    ['30 February', '2025-02-30'],
    ['29 February outside a leap year', '2025-02-29'],
    ['29 February of a century that is not a leap year', '1900-02-29'],
    ['31 April', '2025-04-31'],
    ['month 13', '2025-13-01'],
    ['month 0', '2025-00-10'],
    ['day 0', '2025-01-00'],
    ['year 0, which PostgreSQL refuses', '0000-01-01'],
    ['year 10000', '10000-01-01'],
    ['an expanded year', '+275760-09-13'],
    ['a negative year', '-000001-01-01'],
    ['a time suffix', '2025-01-01T00:00:00Z'],
    ['full-width digits', '２０２５-01-01'],
    ['a NUL byte', '2025-01-01\u0000'],
    ['an empty string', ''],
  ])('fails when given %s', (_label, value) => {
    // Act / Assess
    expect(isCalendarDate(value)).toBe(false);
  });
});

describe('isPlausibleDateOfBirth', () => {
  const today = new Date('2026-06-15T12:00:00Z');

  it('accepts today and 1900-01-01', () => {
    // Act / Assess
    expect(isPlausibleDateOfBirth('2026-06-15', today)).toBe(true);
    expect(isPlausibleDateOfBirth('1900-01-01', today)).toBe(true);
  });

  it.each([
    ['a date in the future', '2026-06-16'],
    ['a date before 1900', '1899-12-31'],
    ['an impossible date', '2025-02-30'],
    ['year 0', '0000-01-01'],
  ])('fails when given %s', (_label, value) => {
    // Act / Assess
    expect(isPlausibleDateOfBirth(value, today)).toBe(false);
  });
});
