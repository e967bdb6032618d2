import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  ACTIVE_CURRENCIES,
  amountCapMinorUnits,
  amountProblem,
  checkAmountCaps,
  DEFAULT_AMOUNT_CAP_MAJOR_UNITS,
  isIso4217Currency,
  minorUnitExponent,
  parseAmountCaps,
} from '../../src/domain/currency.js';

describe('currency table', () => {
  it.each([
    ['JPY', 0],
    ['KRW', 0],
    ['CLP', 0],
    ['ISK', 0],
    ['XOF', 0],
    ['EUR', 2],
    ['USD', 2],
    ['GBP', 2],
    ['HUF', 2],
    ['IDR', 2],
    ['BHD', 3],
    ['KWD', 3],
    ['JOD', 3],
    ['OMR', 3],
    ['TND', 3],
    ['LYD', 3],
    ['IQD', 3],
  ] as const)('gives %s %i decimal places', (code, exponent) => {
    expect(minorUnitExponent(code)).toBe(exponent);
    expect(isIso4217Currency(code)).toBe(true);
  });

  it.each([
    ['HRK', 'withdrawn 2023 (euro)'],
    ['BGN', 'withdrawn 2026 (euro)'],
    ['SLL', 'withdrawn (replaced by SLE)'],
    ['ANG', 'withdrawn (replaced by XCG)'],
    ['VEF', 'withdrawn'],
    ['CUC', 'withdrawn'],
    ['ZWL', 'withdrawn (replaced by ZWG)'],
    ['XDR', 'special drawing right'],
    ['XAU', 'gold'],
    ['XAG', 'silver'],
    ['XPT', 'platinum'],
    ['XPD', 'palladium'],
    ['XTS', 'testing code'],
    ['XXX', 'no currency'],
    ['XBA', 'bond market unit'],
    ['XSU', 'sucre'],
    ['XUA', 'ADB unit of account'],
    ['CLF', 'fund code'],
    ['USN', 'fund code'],
    ['BOV', 'fund code'],
    ['CHE', 'fund code'],
    ['MXV', 'fund code'],
    ['UYW', 'fund code'],
    ['eur', 'lowercase'],
    ['EURO', 'four letters'],
    ['', 'empty'],
    ['__proto__', 'object key'],
  ])('refuses %s (%s)', (code) => {
    expect(isIso4217Currency(code)).toBe(false);
    expect(amountProblem(100, code)).toMatchObject({ kind: 'unsupported_currency' });
  });

  it('holds only three-letter uppercase codes with an exponent of 0, 2 or 3', () => {
    for (const [code, exponent] of ACTIVE_CURRENCIES) {
      expect(code).toMatch(/^[A-Z]{3}$/);
      expect([0, 2, 3]).toContain(exponent);
    }
    expect(ACTIVE_CURRENCIES.size).toBeGreaterThan(150);
  });
});

describe('amount caps', () => {
  it.each([
    ['JPY', {}, 1_000_000],
    ['EUR', {}, 100_000_000],
    ['KWD', {}, 1_000_000_000],
    ['EUR', { EUR: 5_000 }, 500_000],
    ['JPY', { EUR: 5_000 }, 1_000_000],
    ['BHD', { BHD: 2 }, 2_000],
  ] as const)('caps %s with %j at %i minor units', (code, caps, expected) => {
    expect(amountCapMinorUnits(code, caps)).toBe(expected);
  });

  it.each([
    ['EUR', 1, null],
    ['EUR', 100_000_000, null],
    ['EUR', 100_000_001, 'amount_over_cap'],
    ['JPY', 1_000_000, null],
    ['JPY', 1_000_001, 'amount_over_cap'],
    ['KWD', 1_000_000_000, null],
    ['KWD', 1_000_000_001, 'amount_over_cap'],
    ['EUR', 0, 'invalid_amount'],
    ['EUR', -5, 'invalid_amount'],
    ['EUR', 10.5, 'invalid_amount'],
    ['EUR', Number.NaN, 'invalid_amount'],
    ['EUR', Number.POSITIVE_INFINITY, 'invalid_amount'],
    ['EUR', 2 ** 53, 'invalid_amount'],
    ['EUR', '100', 'invalid_amount'],
    ['EUR', null, 'invalid_amount'],
  ] as const)('judges %s %s as %s', (code, amount, kind) => {
    const problem = amountProblem(amount, code);

    expect(problem?.kind ?? null).toBe(kind);
  });

  it('names the cap in major units and in minor units when an amount is over it', () => {
    expect(amountProblem(600_000, 'EUR', { EUR: 5_000 })?.message).toBe(
      'amount is above the cap of 5000 EUR (500000 minor units)',
    );
  });

  it.each([
    [{ HRK: 10 }, /"HRK": not an active ISO 4217 currency/],
    [{ EUR: 0 }, /EUR: 0 is not a whole number of major units/],
    [{ EUR: 1.5 }, /EUR: 1.5 is not/],
    [{ KWD: Number.MAX_SAFE_INTEGER }, /KWD: .* between 1 and 9007199254740/],
  ])('fails when a cap table holds %j', (caps, message) => {
    expect(() => checkAmountCaps(caps)).toThrow(message);
  });

  it('accepts every integer from 1 to the cap and nothing above it, in every currency', () => {
    const currencies = fc.constantFrom(...ACTIVE_CURRENCIES.keys());
    fc.assert(
      fc.property(
        currencies,
        fc.integer({ min: 1, max: 10_000_000 }),
        fc.integer({ min: 1, max: Number.MAX_SAFE_INTEGER }),
        (code, capMajor, amount) => {
          const caps = checkAmountCaps({ [code]: capMajor });
          const capMinor = capMajor * 10 ** (minorUnitExponent(code) as number);
          const problem = amountProblem(amount, code, caps);
          expect(problem === null).toBe(amount <= capMinor);
          if (problem) expect(problem.kind).toBe('amount_over_cap');
        },
      ),
    );
  });

  it('refuses every non-integer or non-positive amount, whatever the currency', () => {
    const notAnAmount = fc.oneof(
      fc.double().filter((value) => !Number.isSafeInteger(value) || value < 1),
      fc.integer({ max: 0 }),
      fc.string(),
      fc.constant(null),
      fc.boolean(),
    );
    fc.assert(
      fc.property(fc.constantFrom(...ACTIVE_CURRENCIES.keys()), notAnAmount, (code, amount) => {
        expect(amountProblem(amount, code)?.kind).toBe('invalid_amount');
      }),
    );
  });

  it('refuses every code outside the table', () => {
    fc.assert(
      fc.property(
        fc.string({ minLength: 0, maxLength: 5 }).filter((code) => !ACTIVE_CURRENCIES.has(code)),
        (code) => {
          expect(amountProblem(1, code)?.kind).toBe('unsupported_currency');
        },
      ),
    );
  });

  it('defaults to a cap of one million major units', () => {
    expect(DEFAULT_AMOUNT_CAP_MAJOR_UNITS).toBe(1_000_000);
  });
});

describe('amount caps written as text', () => {
  it('reads CODE=major units pairs, ignoring spaces and empty entries', () => {
    expect(parseAmountCaps(' EUR=250000, JPY = 30000000,,')).toEqual({ EUR: 250_000, JPY: 30_000_000 });
  });

  it.each([
    ['EUR', /"EUR" is not CODE=amount/],
    ['EUR=2.5', /"EUR=2.5" is not CODE=amount/],
    ['eur=100', /"eur=100" is not CODE=amount/],
    ['EUR=-1', /"EUR=-1" is not CODE=amount/],
    ['EUR=1,EUR=2', /EUR is given more than once/],
    ['XAU=10', /"XAU": not an active ISO 4217 currency/],
    ['EUR=0', /EUR: 0 is not a whole number/],
    ['__proto__=1', /is not CODE=amount/],
  ])('fails when the text is %j', (text, message) => {
    expect(() => parseAmountCaps(text)).toThrow(message);
  });
});
