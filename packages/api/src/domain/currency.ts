/** Digits after the decimal point in a currency's minor unit (ISO 4217 "minor unit"). */
export type MinorUnitExponent = 0 | 2 | 3;

const ZERO_DECIMAL = [
  'BIF',
  'CLP',
  'DJF',
  'GNF',
  'ISK',
  'JPY',
  'KMF',
  'KRW',
  'PYG',
  'RWF',
  'UGX',
  'VND',
  'VUV',
  'XAF',
  'XOF',
  'XPF',
] as const;

const THREE_DECIMAL = ['BHD', 'IQD', 'JOD', 'KWD', 'LYD', 'OMR', 'TND'] as const;

const TWO_DECIMAL = [
  'AED', 'AFN', 'ALL', 'AMD', 'AOA', 'ARS', 'AUD', 'AWG', 'AZN', 'BAM', 'BBD', 'BDT', 'BMD',
  'BND', 'BOB', 'BRL', 'BSD', 'BTN', 'BWP', 'BYN', 'BZD', 'CAD', 'CDF', 'CHF', 'CNY', 'COP',
  'CRC', 'CUP', 'CVE', 'CZK', 'DKK', 'DOP', 'DZD', 'EGP', 'ERN', 'ETB', 'EUR', 'FJD', 'FKP',
  'GBP', 'GEL', 'GHS', 'GIP', 'GMD', 'GTQ', 'GYD', 'HKD', 'HNL', 'HTG', 'HUF', 'IDR', 'ILS',
  'INR', 'IRR', 'JMD', 'KES', 'KGS', 'KHR', 'KPW', 'KYD', 'KZT', 'LAK', 'LBP', 'LKR', 'LRD',
  'LSL', 'MAD', 'MDL', 'MGA', 'MKD', 'MMK', 'MNT', 'MOP', 'MRU', 'MUR', 'MVR', 'MWK', 'MXN',
  'MYR', 'MZN', 'NAD', 'NGN', 'NIO', 'NOK', 'NPR', 'NZD', 'PAB', 'PEN', 'PGK', 'PHP', 'PKR',
  'PLN', 'QAR', 'RON', 'RSD', 'RUB', 'SAR', 'SBD', 'SCR', 'SDG', 'SEK', 'SGD', 'SHP', 'SLE',
  'SOS', 'SRD', 'SSP', 'STN', 'SVC', 'SYP', 'SZL', 'THB', 'TJS', 'TMT', 'TOP', 'TRY', 'TTD',
  'TWD', 'TZS', 'UAH', 'USD', 'UYU', 'UZS', 'VED', 'VES', 'WST', 'XCD', 'XCG', 'YER', 'ZAR',
  'ZMW', 'ZWG',
] as const; // prettier-ignore

/**
 * Currencies a payment may be made in: the active circulating currencies of ISO 4217
 * list one, with their minor-unit exponent. Written out rather than read from the
 * runtime's ICU data, which still lists withdrawn codes (HRK, BGN, SLL, ANG) and XDR, and
 * whose display digits are not ISO's minor unit for some (ICU shows IQD, HUF, IDR with 0).
 * Left out on purpose: withdrawn codes, fund codes (BOV, CHE, CHW, CLF, COU, MXV, USN,
 * UYI, UYW), the SDR and other supranational units (XDR, XSU, XUA, XBA-XBD), precious
 * metals (XAU, XAG, XPD, XPT) and the testing and "no currency" codes (XTS, XXX).
 */
export const ACTIVE_CURRENCIES: ReadonlyMap<string, MinorUnitExponent> = new Map<string, MinorUnitExponent>([
  ...ZERO_DECIMAL.map((code) => [code, 0] as const),
  ...TWO_DECIMAL.map((code) => [code, 2] as const),
  ...THREE_DECIMAL.map((code) => [code, 3] as const),
]);

/** Largest payment in any currency without its own cap, in major units (1,000,000 EUR, JPY, ...). */
export const DEFAULT_AMOUNT_CAP_MAJOR_UNITS = 1_000_000;

/** Largest payment per currency, in major units; a currency left out gets the default cap. */
export type AmountCapsMajorUnits = Readonly<Record<string, number>>;

export class AmountCapsError extends Error {
  override readonly name = 'AmountCapsError';
}

export function isIso4217Currency(code: string): boolean {
  return ACTIVE_CURRENCIES.has(code);
}

/** The minor-unit exponent of an active currency, or undefined for any other code. */
export function minorUnitExponent(code: string): MinorUnitExponent | undefined {
  return ACTIVE_CURRENCIES.get(code);
}

/**
 * Checks a cap table at start-up: every key an active currency, every cap a positive
 * integer number of major units that stays a safe integer in minor units.
 */
export function checkAmountCaps(caps: AmountCapsMajorUnits): AmountCapsMajorUnits {
  for (const [code, cap] of Object.entries(caps)) {
    const exponent = minorUnitExponent(code);
    if (exponent === undefined) {
      throw new AmountCapsError(
        `amount cap for ${JSON.stringify(code)}: not an active ISO 4217 currency; use a code such as EUR or JPY`,
      );
    }
    if (!Number.isSafeInteger(cap) || cap < 1 || !Number.isSafeInteger(cap * 10 ** exponent)) {
      throw new AmountCapsError(
        `amount cap for ${code}: ${String(cap)} is not a whole number of major units between 1 and ${Math.floor(Number.MAX_SAFE_INTEGER / 10 ** exponent)}`,
      );
    }
  }
  return caps;
}

/**
 * Reads caps written as `EUR=250000,JPY=30000000` (major units), as in an environment
 * variable. Throws AmountCapsError naming the first entry that is not `CODE=whole number`,
 * a repeated code, or a cap `checkAmountCaps` refuses.
 */
export function parseAmountCaps(text: string): AmountCapsMajorUnits {
  const caps: Record<string, number> = {};
  for (const entry of text.split(',').map((item) => item.trim())) {
    if (entry === '') continue;
    const match = /^([A-Z]{3})\s*=\s*([0-9]{1,16})$/.exec(entry);
    if (!match) {
      throw new AmountCapsError(
        `${JSON.stringify(entry.slice(0, 40))} is not CODE=amount in major units, e.g. EUR=250000`,
      );
    }
    const [, code, cap] = match as unknown as [string, string, string];
    if (Object.hasOwn(caps, code)) throw new AmountCapsError(`${code} is given more than once`);
    caps[code] = Number(cap);
  }
  return checkAmountCaps(caps);
}

/** The cap of `code` in its minor units (1,000,000 JPY is 1,000,000; 1,000,000 KWD is 1,000,000,000). */
export function amountCapMinorUnits(code: string, caps: AmountCapsMajorUnits = {}): number {
  const exponent = minorUnitExponent(code);
  if (exponent === undefined)
    throw new AmountCapsError(`${JSON.stringify(code)} is not an active ISO 4217 currency`);
  return (caps[code] ?? DEFAULT_AMOUNT_CAP_MAJOR_UNITS) * 10 ** exponent;
}

export type AmountProblem =
  | { readonly kind: 'unsupported_currency'; readonly message: string }
  | { readonly kind: 'invalid_amount'; readonly message: string }
  | { readonly kind: 'amount_over_cap'; readonly message: string };

/**
 * Validates an amount in minor units of `currency`: an active currency, a positive safe
 * integer, and at most the currency's cap. Returns the problem, or null when it is valid.
 */
export function amountProblem(
  amount: unknown,
  currency: string,
  caps: AmountCapsMajorUnits = {},
): AmountProblem | null {
  const exponent = minorUnitExponent(currency);
  if (exponent === undefined) {
    return { kind: 'unsupported_currency', message: 'currency is not an active ISO 4217 code' };
  }
  if (typeof amount !== 'number' || !Number.isSafeInteger(amount) || amount < 1) {
    return {
      kind: 'invalid_amount',
      message: `amount must be a positive whole number of ${currency} minor units (${exponent} decimal places)`,
    };
  }
  const capMajor = caps[currency] ?? DEFAULT_AMOUNT_CAP_MAJOR_UNITS;
  if (amount > capMajor * 10 ** exponent) {
    return {
      kind: 'amount_over_cap',
      message: `amount is above the cap of ${capMajor} ${currency} (${capMajor * 10 ** exponent} minor units)`,
    };
  }
  return null;
}
