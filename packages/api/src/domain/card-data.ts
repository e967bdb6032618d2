/**
 * Card data is out of scope by design: Citadel never stores or logs a primary account
 * number (PAN). A PAN is a run of 13–19 digits that passes the Luhn check, written
 * together or grouped with single spaces or dashes. Runs longer than 19 digits are not PANs.
 */
const DIGIT_RUN = /\d(?:[ -]?\d)*/g;

export function containsPrimaryAccountNumber(text: string): boolean {
  if (text.length < 13) return false;
  for (const match of text.matchAll(DIGIT_RUN)) {
    const digits = match[0].replace(/[ -]/g, '');
    if (digits.length >= 13 && digits.length <= 19 && passesLuhn(digits)) return true;
  }
  return false;
}

export function passesLuhn(digits: string): boolean {
  let sum = 0;
  let double = false;
  for (let index = digits.length - 1; index >= 0; index--) {
    let digit = digits.charCodeAt(index) - 48;
    if (double) {
      digit *= 2;
      if (digit > 9) digit -= 9;
    }
    sum += digit;
    double = !double;
  }
  return sum % 10 === 0;
}

/** True when any string anywhere in a parsed JSON value contains a PAN. */
export function valueContainsPrimaryAccountNumber(value: unknown, depth = 0): boolean {
  if (depth > 32) return false;
  if (typeof value === 'string') return containsPrimaryAccountNumber(value);
  if (Array.isArray(value)) return value.some((item) => valueContainsPrimaryAccountNumber(item, depth + 1));
  if (value !== null && typeof value === 'object') {
    return Object.entries(value).some(
      ([key, item]) =>
        containsPrimaryAccountNumber(key) || valueContainsPrimaryAccountNumber(item, depth + 1),
    );
  }
  return false;
}
