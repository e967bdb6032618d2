/** A command-line value the collector refuses; nothing has been called or written. */
export class EvidenceArgumentError extends Error {
  constructor(
    readonly argument: string,
    readonly value: unknown,
    fix: string,
  ) {
    super(`${argument}: ${JSON.stringify(value)} is refused: ${fix}`);
    this.name = 'EvidenceArgumentError';
  }
}

/**
 * An AWS call was refused for lack of a permission or a service that is not enabled. The
 * bundle is not written.
 */
export class MissingPermissionError extends Error {
  constructor(
    readonly call: string,
    readonly action: string,
    readonly region: string,
    readonly errorName: string,
    fix: string,
    options?: ErrorOptions,
  ) {
    super(`${call} in ${region} was refused (${errorName}): ${fix}`, options);
    this.name = 'MissingPermissionError';
  }
}

/** The account the credentials reach is not the environment's, or a response cannot be used. */
export class EvidenceCollectionError extends Error {
  constructor(message: string, options?: ErrorOptions) {
    super(message, options);
    this.name = 'EvidenceCollectionError';
  }
}

/** A bundle does not match its manifest: names the first file that differs. */
export class BundleVerificationError extends Error {
  constructor(
    readonly path: string,
    reason: string,
  ) {
    super(`${path}: ${reason}`);
    this.name = 'BundleVerificationError';
  }
}
