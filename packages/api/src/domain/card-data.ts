/**
 * Card data is out of scope by design: Citadel never stores or logs a primary account
 * number (PAN). Detection is written to be hard to dodge and cheap enough to run on every
 * string of every request:
 *
 * - Every decimal digit of any script (`\p{Nd}`: full-width, Arabic-Indic, Devanagari,
 *   mathematical...) counts as its ASCII value, and so does any character whose NFKC form
 *   holds digits (superscripts, circled and parenthesized numbers).
 * - Letters end a run of digits. Everything else — whitespace, control and format
 *   characters (zero-width spaces, NBSP, thin spaces), punctuation, symbols, combining
 *   marks, private-use and unassigned code points — is a separator: digits on either side
 *   of any number of separators belong to the same run.
 * - Every 13–19-digit window of a run is a candidate, wherever it starts or ends inside a
 *   longer run (`MRN-4111111111111111-A`, `4111111111111111 12/28`). A candidate is a PAN
 *   when its prefix and length belong to an issued card range (Visa, Mastercard incl. the
 *   2-series, American Express, Discover, Diners Club, JCB, UnionPay, Maestro) and it passes
 *   the Luhn check. The issuer ranges are what keeps dates, phone numbers and amounts that
 *   happen to pass Luhn from being refused.
 *
 * - Two identifiers are read as the identifiers they are, not as digits: a UUID in its
 *   canonical form (version 1–8, RFC 4122 variant) and an IBAN of its country's length that
 *   passes its mod-97 check. Both are common in requests and, read as digits, would often
 *   hold a Luhn-valid window; a card number ends up inside either only when someone computes
 *   check digits or fixes version bits around it on purpose, which is encoding, not writing.
 *
 * The scan is one pass over the UTF-16 code units with no regular expression and no
 * allocation per character or window: each digit updates two running Luhn sums held in
 * fixed ring buffers, so every window ending at that digit is checked in constant time.
 */

const MIN_PAN_DIGITS = 13;
const MAX_PAN_DIGITS = 19;
/** Ring buffers hold the last RING digits of a run; a power of two above MAX_PAN_DIGITS + 1. */
const RING = 32;
const RING_MASK = RING - 1;

/** Character classes; values 0–9 are digits. */
const SEPARATOR = 10;
const LETTER = 11;
/** A character whose NFKC form holds digits; its expansion is in COMPATIBILITY_DIGITS. */
const EXPANDS = 12;
const UNKNOWN = 255;

/** Classes of code points 0..0x3FFFF, filled in lazily; planes above hold no letters or digits. */
const CLASS_TABLE_SIZE = 0x40000;
const classes = new Uint8Array(CLASS_TABLE_SIZE).fill(UNKNOWN);
/** NFKC expansions that hold digits, as class sequences (digit values and SEPARATOR/LETTER). */
const COMPATIBILITY_DIGITS = new Map<number, Uint8Array>();

const DECIMAL_DIGIT = /^\p{Nd}$/u;
const LETTER_CHAR = /^\p{L}$/u;
const ASCII_DIGIT_IN = /[0-9]/;

function classifyWithoutNfkc(codePoint: number): number {
  const char = String.fromCodePoint(codePoint);
  if (DECIMAL_DIGIT.test(char)) {
    // Unicode encodes every decimal digit in contiguous ascending runs of ten (0–9), so a
    // digit's value is its distance from the start of its run, modulo ten.
    let start = codePoint;
    while (start > 0 && DECIMAL_DIGIT.test(String.fromCodePoint(start - 1))) start--;
    return (codePoint - start) % 10;
  }
  return LETTER_CHAR.test(char) ? LETTER : SEPARATOR;
}

function classify(codePoint: number): number {
  if (codePoint >= CLASS_TABLE_SIZE) return SEPARATOR;
  const known = classes[codePoint] as number;
  if (known !== UNKNOWN) return known;
  let result = classifyWithoutNfkc(codePoint);
  if (result > 9) {
    const normalized = String.fromCodePoint(codePoint).normalize('NFKC');
    if (ASCII_DIGIT_IN.test(normalized)) {
      const expansion: number[] = [];
      for (const char of normalized) expansion.push(classifyWithoutNfkc(char.codePointAt(0) as number));
      COMPATIBILITY_DIGITS.set(codePoint, Uint8Array.from(expansion));
      result = EXPANDS;
    }
  }
  classes[codePoint] = result;
  return result;
}

function seedAsciiClasses(): void {
  for (let code = 0; code < 128; code++) {
    if (code >= 48 && code <= 57) classes[code] = code - 48;
    else if ((code >= 65 && code <= 90) || (code >= 97 && code <= 122)) classes[code] = LETTER;
    else classes[code] = SEPARATOR;
  }
}
seedAsciiClasses();

/** Doubling step of the Luhn check: 0..9 → its doubled digit sum. */
const DOUBLED = Uint8Array.from([0, 2, 4, 6, 8, 1, 3, 5, 7, 9]);

/**
 * True when a window of `length` digits starting with `prefix6` (its first six digits as
 * a number) lies in an issued card range.
 */
export function isIssuedCardPrefix(prefix6: number, length: number): boolean {
  const d1 = (prefix6 / 100_000) | 0;
  const d2 = (prefix6 / 10_000) | 0;
  const d3 = (prefix6 / 1_000) | 0;
  const d4 = (prefix6 / 100) | 0;
  switch (d1) {
    case 2:
      // Mastercard 2-series.
      return length === 16 && d4 >= 2221 && d4 <= 2720;
    case 3:
      if (d2 === 34 || d2 === 37) return length === 15; // American Express
      if (d4 >= 3528 && d4 <= 3589) return length >= 16; // JCB
      if ((d3 >= 300 && d3 <= 305) || d4 === 3095 || d2 === 36 || d2 === 38 || d2 === 39) {
        return length >= 14; // Diners Club
      }
      return false;
    case 4:
      // Visa. Thirteen-digit Visa numbers have not been issued for decades and every one has
      // expired; accepting 13 would refuse many 13-digit international phone numbers (+49...).
      return length === 16 || length === 19;
    case 5:
      if (d2 >= 51 && d2 <= 55) return length === 16; // Mastercard
      return d4 === 5018 || d4 === 5020 || d4 === 5038 || d4 === 5893; // Maestro
    case 6:
      if (d4 === 6011 || (d3 >= 644 && d3 <= 649) || d2 === 65) return length >= 16; // Discover
      if (d2 === 62) return length >= 16; // UnionPay, including Discover co-branded 622126–622925
      return d4 === 6304 || d4 === 6759 || d4 === 6761 || d4 === 6762 || d4 === 6763; // Maestro
    default:
      return false;
  }
}

/**
 * Ring buffers of the current run: its last digits, and for each run index k the Luhn sum
 * (mod 10) of the run's first k digits as weighted for windows ending on an even index
 * (`sumsEndingEven`) or an odd one (`sumsEndingOdd`). A digit at run index j counts as-is
 * in a window ending at index e when j and e have the same parity and doubled otherwise,
 * so the Luhn sum of any window is the difference of two of these prefix sums.
 * Module-level because the scan is synchronous and allocates nothing.
 */
const digitRing = new Uint8Array(RING);
const sumsEndingEven = new Uint8Array(RING);
const sumsEndingOdd = new Uint8Array(RING);
/**
 * For the window starts that can begin a PAN ending at the current digit (13 to 19 digits
 * back) and whose first digit could begin an issued range (2–6): how many have each prefix
 * sum, per parity. A digit whose Luhn total matches none of them, the common case, costs
 * no window loop.
 */
const startsEven = new Uint8Array(10);
const startsOdd = new Uint8Array(10);
const NO_EXPANSION = new Uint8Array(0);

function countStart(start: number, change: number): void {
  const leading = digitRing[start & RING_MASK] as number;
  if (leading < 2 || leading > 6) return;
  const even = sumsEndingEven[start & RING_MASK] as number;
  const odd = sumsEndingOdd[start & RING_MASK] as number;
  startsEven[even] = (startsEven[even] as number) + change;
  startsOdd[odd] = (startsOdd[odd] as number) + change;
}

/** True when `text` holds a primary account number in any disguise described above. */
export function containsPrimaryAccountNumber(text: string): boolean {
  const length = text.length;
  if (length < MIN_PAN_DIGITS) return false;
  let runLength = 0;
  let previousAlphanumeric = false;
  for (let position = 0; position < length; position++) {
    let code = text.charCodeAt(position);
    let kind: number;
    if (code < 128) {
      kind = classes[code] as number;
      if (kind === SEPARATOR) {
        previousAlphanumeric = false;
        continue;
      }
      if (!previousAlphanumeric) {
        const skip =
          uuidLengthAt(text, position) || (code >= 65 && code <= 90 ? ibanLengthAt(text, position) : 0);
        if (skip > 0) {
          runLength = 0;
          position += skip - 1;
          continue;
        }
      }
      previousAlphanumeric = true;
      if (kind === LETTER) {
        runLength = 0;
        continue;
      }
    } else {
      previousAlphanumeric = false;
      if (code >= 0xd800 && code <= 0xdbff && position + 1 < length) {
        const low = text.charCodeAt(position + 1);
        if (low >= 0xdc00 && low <= 0xdfff) {
          code = ((code - 0xd800) << 10) + (low - 0xdc00) + 0x10000;
          position++;
        }
      }
      kind = classify(code);
      if (kind === SEPARATOR) continue;
      if (kind === LETTER) {
        runLength = 0;
        continue;
      }
    }
    // One digit, or the digits and letters of a compatibility character's NFKC form.
    const expansion = kind === EXPANDS ? (COMPATIBILITY_DIGITS.get(code) as Uint8Array) : NO_EXPANSION;
    const parts = kind === EXPANDS ? expansion.length : 1;
    for (let part = 0; part < parts; part++) {
      const digit = kind === EXPANDS ? (expansion[part] as number) : kind;
      if (digit > 9) {
        if (digit === LETTER) runLength = 0;
        continue;
      }
      if (runLength === 0) {
        sumsEndingEven[0] = 0;
        sumsEndingOdd[0] = 0;
        startsEven.fill(0);
        startsOdd.fill(0);
      }
      const evenPlain = (runLength & 1) === 0;
      const here = runLength & RING_MASK;
      const next = (runLength + 1) & RING_MASK;
      digitRing[here] = digit;
      const doubled = DOUBLED[digit] as number;
      let even = (sumsEndingEven[here] as number) + (evenPlain ? digit : doubled);
      let odd = (sumsEndingOdd[here] as number) + (evenPlain ? doubled : digit);
      if (even >= 10) even -= 10;
      if (odd >= 10) odd -= 10;
      sumsEndingEven[next] = even;
      sumsEndingOdd[next] = odd;
      runLength++;
      if (runLength < MIN_PAN_DIGITS) continue;
      countStart(runLength - MIN_PAN_DIGITS, 1);
      if (runLength > MAX_PAN_DIGITS) countStart(runLength - MAX_PAN_DIGITS - 1, -1);
      const total = evenPlain ? even : odd;
      if ((evenPlain ? startsEven : startsOdd)[total] === 0) continue;
      if (windowEndingHereIsPan(runLength, total, evenPlain)) return true;
    }
  }
  return false;
}

/** Whether a window of 13–19 digits ending at the run's last digit is a PAN. */
function windowEndingHereIsPan(runLength: number, total: number, evenPlain: boolean): boolean {
  const sums = evenPlain ? sumsEndingEven : sumsEndingOdd;
  const longest = runLength < MAX_PAN_DIGITS ? runLength : MAX_PAN_DIGITS;
  for (let length = MIN_PAN_DIGITS; length <= longest; length++) {
    const start = (runLength - length) & RING_MASK;
    if (total !== sums[start]) continue;
    const leading = digitRing[start] as number;
    if (leading < 2 || leading > 6) continue;
    let prefix6 = 0;
    for (let offset = 0; offset < 6; offset++) {
      prefix6 = prefix6 * 10 + (digitRing[(start + offset) & RING_MASK] as number);
    }
    if (isIssuedCardPrefix(prefix6, length)) return true;
  }
  return false;
}

function isAsciiAlphanumeric(code: number): boolean {
  return (code >= 48 && code <= 57) || (code >= 65 && code <= 90) || (code >= 97 && code <= 122);
}

function isHexCode(code: number): boolean {
  return (code >= 48 && code <= 57) || (code >= 65 && code <= 70) || (code >= 97 && code <= 102);
}

const UUID_LENGTH = 36;

/** 36 when a canonical UUID (version 1–8, RFC 4122 variant) starts at `start` and ends a token, else 0. */
function uuidLengthAt(text: string, start: number): number {
  const end = start + UUID_LENGTH;
  if (text.charCodeAt(start + 8) !== 0x2d) return 0;
  if (end > text.length || (end < text.length && isAsciiAlphanumeric(text.charCodeAt(end)))) return 0;
  for (let offset = 0; offset < UUID_LENGTH; offset++) {
    const code = text.charCodeAt(start + offset);
    if (offset === 8 || offset === 13 || offset === 18 || offset === 23) {
      if (code !== 0x2d) return 0;
    } else if (!isHexCode(code)) {
      return 0;
    }
  }
  const version = text.charCodeAt(start + 14);
  const variant = text.charCodeAt(start + 19) | 0x20;
  const versionOk = version >= 0x31 && version <= 0x38;
  const variantOk = variant === 0x38 || variant === 0x39 || variant === 0x61 || variant === 0x62;
  return versionOk && variantOk ? UUID_LENGTH : 0;
}

/** IBAN length by country code, indexed by (first letter - A) * 26 + (second letter - A). */
const IBAN_LENGTHS = new Uint8Array(26 * 26);
for (const entry of (
  'AD24 AE23 AL28 AT20 AZ28 BA20 BE16 BG22 BH22 BR29 CH21 CR22 CY28 CZ24 DE22 DK18 DO28 EE20 ' +
  'EG29 ES24 FI18 FO18 FR27 GB22 GE22 GI23 GL18 GR27 GT28 HR21 HU28 IE22 IL23 IQ23 IS26 IT27 ' +
  'JO30 KW30 KZ20 LB28 LC32 LI21 LT20 LU20 LV21 MC27 MD24 ME22 MK19 MR27 MT31 MU30 NL18 NO15 ' +
  'PK24 PL28 PS29 PT25 QA29 RO24 RS22 SA24 SC31 SE24 SI19 SK24 SM27 TL23 TN24 TR26 UA29 VA22 ' +
  'VG24 XK20'
).split(' ')) {
  IBAN_LENGTHS[(entry.charCodeAt(0) - 65) * 26 + (entry.charCodeAt(1) - 65)] = Number(entry.slice(2));
}

/**
 * The number of code units of a valid IBAN starting at `start` and ending a token, else 0.
 * It may be written compact or in groups of four separated by single spaces.
 */
function ibanLengthAt(text: string, start: number): number {
  const first = text.charCodeAt(start) - 65;
  const second = text.charCodeAt(start + 1) - 65;
  if (first < 0 || first > 25 || second < 0 || second > 25) return 0;
  const expected = IBAN_LENGTHS[first * 26 + second] as number;
  if (expected === 0 || start + expected > text.length) return 0;
  let position = start + 2;
  let count = 2;
  let checkDigits = 0;
  let remainder = 0;
  while (count < expected) {
    if (position >= text.length) return 0;
    const code = text.charCodeAt(position);
    if (code === 0x20 && count % 4 === 0 && count > 0) {
      position++;
      continue;
    }
    const isDigit = code >= 48 && code <= 57;
    if (count < 4) {
      if (!isDigit) return 0;
      checkDigits = checkDigits * 10 + (code - 48);
    } else if (isDigit) {
      remainder = (remainder * 10 + (code - 48)) % 97;
    } else if (code >= 65 && code <= 90) {
      remainder = (remainder * 100 + (code - 55)) % 97;
    } else {
      return 0;
    }
    count++;
    position++;
  }
  if (position < text.length && isAsciiAlphanumeric(text.charCodeAt(position))) return 0;
  // The country code's letters (A=10 ... Z=35) and the check digits follow the BBAN.
  const tail = (first + 10) * 10_000 + (second + 10) * 100 + checkDigits;
  return (remainder * 1_000_000 + tail) % 97 === 1 ? position - start : 0;
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

/** Nesting deeper than this is treated as holding card data rather than left unchecked. */
const MAX_DEPTH = 64;

/**
 * True when any string anywhere in a parsed JSON value — object keys included — holds a
 * PAN. A value nested deeper than the limit counts as holding one, so depth cannot hide it.
 */
export function valueContainsPrimaryAccountNumber(value: unknown, depth = 0): boolean {
  if (typeof value === 'string') return containsPrimaryAccountNumber(value);
  if (value === null || typeof value !== 'object') return false;
  if (depth >= MAX_DEPTH) return true;
  if (Array.isArray(value)) {
    for (const item of value) if (valueContainsPrimaryAccountNumber(item, depth + 1)) return true;
    return false;
  }
  for (const key in value) {
    if (!Object.prototype.hasOwnProperty.call(value, key)) continue;
    if (containsPrimaryAccountNumber(key)) return true;
    if (valueContainsPrimaryAccountNumber((value as Record<string, unknown>)[key], depth + 1)) return true;
  }
  return false;
}

/**
 * True when a request target (`/path?query` as received) holds a PAN: as written, in the
 * path once percent-decoded, or in the query string once percent- and `+`-decoded.
 */
export function urlContainsPrimaryAccountNumber(url: string): boolean {
  if (containsPrimaryAccountNumber(url)) return true;
  const queryStart = url.indexOf('?');
  const path = queryStart === -1 ? url : url.slice(0, queryStart);
  if (containsPrimaryAccountNumber(decodeUrlComponent(path, false))) return true;
  return (
    queryStart !== -1 && containsPrimaryAccountNumber(decodeUrlComponent(url.slice(queryStart + 1), true))
  );
}

/**
 * Decodes a URL component as a server would (percent-escapes as UTF-8, and `+` as a space
 * when `plusIsSpace`), never throwing: malformed escapes stay as written and invalid UTF-8
 * becomes U+FFFD, a separator.
 */
export function decodeUrlComponent(text: string, plusIsSpace: boolean): string {
  if (!text.includes('%')) return plusIsSpace && text.includes('+') ? text.replaceAll('+', ' ') : text;
  const bytes: number[] = [];
  for (let position = 0; position < text.length; position++) {
    const code = text.charCodeAt(position);
    if (
      code === 0x25 &&
      position + 2 < text.length &&
      isHex(text, position + 1) &&
      isHex(text, position + 2)
    ) {
      bytes.push(Number.parseInt(text.slice(position + 1, position + 3), 16));
      position += 2;
    } else if (code === 0x2b && plusIsSpace) {
      bytes.push(0x20);
    } else if (code < 128) {
      bytes.push(code);
    } else {
      const codePoint = text.codePointAt(position) as number;
      if (codePoint > 0xffff) position++;
      for (const byte of Buffer.from(String.fromCodePoint(codePoint), 'utf8')) bytes.push(byte);
    }
  }
  return Buffer.from(bytes).toString('utf8');
}

function isHex(text: string, position: number): boolean {
  const code = text.charCodeAt(position);
  return (code >= 48 && code <= 57) || (code >= 65 && code <= 70) || (code >= 97 && code <= 102);
}
