import { describe, expect, it } from 'vitest';
import {
  containsPrimaryAccountNumber,
  passesLuhn,
  valueContainsPrimaryAccountNumber,
} from '../../src/domain/card-data.js';

describe('card data detection', () => {
  it.each([
    ['16 digits together', '4111111111111111'],
    ['grouped by spaces', '4111 1111 1111 1111'],
    ['grouped by dashes', '5500-0000-0000-0004'],
    ['mixed separators', '3782 822463-10005'],
    ['inside a sentence', 'please charge card 6011000990139424 today'],
    ['13 digits', '4222222222222'],
    ['19 digits', '6304000000000000000'],
  ])('finds a PAN written as %s', (_case, text) => {
    expect(containsPrimaryAccountNumber(text)).toBe(true);
  });

  it.each([
    ['a number failing Luhn', '4111111111111112'],
    ['12 digits', '411111111111'],
    ['20 digits', '41111111111111111110'],
    ['a date and an amount', 'visit on 2024-05-06 for 125.00'],
    ['a phone number', '+1 (555) 010-9999'],
  ])('ignores %s', (_case, text) => {
    expect(containsPrimaryAccountNumber(text)).toBe(false);
  });

  it('checks Luhn on known values', () => {
    expect(passesLuhn('79927398713')).toBe(true);
    expect(passesLuhn('79927398710')).toBe(false);
  });

  it('looks into nested objects, arrays and keys', () => {
    expect(valueContainsPrimaryAccountNumber({ a: [{ b: 'x 4111111111111111' }] })).toBe(true);
    expect(valueContainsPrimaryAccountNumber({ '4111111111111111': 1 })).toBe(true);
    expect(valueContainsPrimaryAccountNumber({ a: [1, 2, { b: 'fine' }] })).toBe(false);
  });
});
