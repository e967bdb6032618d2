/** Active ISO 4217 currency codes, as known to the runtime's ICU data. */
const ISO_4217 = new Set(Intl.supportedValuesOf('currency'));

export function isIso4217Currency(code: string): boolean {
  return ISO_4217.has(code);
}
