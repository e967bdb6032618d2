/** An environment variable a function needs is missing or invalid. */
export class FunctionConfigError extends Error {
  override readonly name = 'FunctionConfigError';
}

/** A custom resource was given properties it cannot act on; nothing was changed. */
export class ResourcePropertiesError extends Error {
  override readonly name = 'ResourcePropertiesError';
}

/** A Secrets Manager secret could not be read or does not have the expected shape. */
export class SecretValueError extends Error {
  override readonly name = 'SecretValueError';
}

/** A queued payment id has no payment row; retrying cannot help, so the message goes to the DLQ. */
export class PaymentNotFoundError extends Error {
  override readonly name = 'PaymentNotFoundError';
}

/** The database is not in the state the bootstrap promises (for example, the audit trail is writable). */
export class DatabaseBootstrapError extends Error {
  override readonly name = 'DatabaseBootstrapError';
}

/** Cloudflare answered with an HTTP error or `{ success: false }`. */
export class CloudflareApiError extends Error {
  override readonly name = 'CloudflareApiError';

  constructor(
    message: string,
    /** HTTP status, or 0 when no response arrived. */
    readonly status: number,
    /** Cloudflare's error codes, e.g. 9109 for an invalid token. */
    readonly codes: readonly number[],
    options?: ErrorOptions,
  ) {
    super(message, options);
  }
}

/** A DNS record exists that this resource does not own and would have to change. */
export class DnsRecordConflictError extends Error {
  override readonly name = 'DnsRecordConflictError';
}

/** An ACM call failed; the message names the call and the certificate. */
export class CertificateManagerError extends Error {
  override readonly name = 'CertificateManagerError';
}

/** ACM cannot issue the certificate: it failed, timed out waiting for validation, or was revoked. */
export class CertificateValidationError extends Error {
  override readonly name = 'CertificateValidationError';
}

/** The certificate is still attached to a load balancer (or another service) after every retry. */
export class CertificateInUseError extends Error {
  override readonly name = 'CertificateInUseError';
}

/** The identity provider's key set could not be fetched: network, timeout, status, redirect or size. */
export class JwksFetchError extends Error {
  override readonly name = 'JwksFetchError';
}

/** The fetched key set is not a JSON Web Key Set of public signing keys the API can use. */
export class JwksValidationError extends Error {
  override readonly name = 'JwksValidationError';
}

/** An SSM Parameter Store call failed; the message names the call and the parameter. */
export class ParameterStoreError extends Error {
  override readonly name = 'ParameterStoreError';
}

/** An event the function was invoked with is not the AWS event it handles; nothing was reported or changed. */
export class MalformedEventError extends Error {
  override readonly name = 'MalformedEventError';
}
