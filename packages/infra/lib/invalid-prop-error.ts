/** A construct prop Citadel refuses: names the construct, the prop and the value, and says how to fix it. */
export class InvalidPropError extends Error {
  override readonly name = 'InvalidPropError';
  readonly constructPath: string;
  readonly prop: string;
  readonly value: unknown;

  constructor(constructPath: string, prop: string, value: unknown, fix: string, options?: ErrorOptions) {
    super(`${constructPath}: ${prop} = ${JSON.stringify(value) ?? 'undefined'}; ${fix}`, options);
    this.constructPath = constructPath;
    this.prop = prop;
    this.value = value;
  }
}
