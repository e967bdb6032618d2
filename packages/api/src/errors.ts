/** A configuration value is missing or invalid; the message names the variable. */
export class ConfigError extends Error {
  override readonly name = 'ConfigError';
}

/**
 * An error meant for the client: a stable `code`, an HTTP status and a message safe to
 * show. Anything else that reaches the error handler becomes a generic 500.
 */
export class ApiError extends Error {
  override readonly name: string = 'ApiError';

  constructor(
    readonly statusCode: number,
    readonly code: string,
    message: string,
    options?: { cause?: unknown; headers?: Record<string, string> },
  ) {
    super(message, options?.cause === undefined ? undefined : { cause: options.cause });
    this.headers = options?.headers ?? {};
  }

  readonly headers: Record<string, string>;
}

export class AuthenticationError extends ApiError {
  override readonly name = 'AuthenticationError';

  constructor(
    readonly reason: string,
    message: string,
    cause?: unknown,
  ) {
    super(401, 'unauthenticated', message, {
      cause,
      headers: {
        'www-authenticate':
          reason === 'missing_token'
            ? 'Bearer realm="citadel"'
            : `Bearer realm="citadel", error="invalid_token", error_description="${message}"`,
      },
    });
  }
}

export class ForbiddenError extends ApiError {
  override readonly name = 'ForbiddenError';

  constructor(requiredScope: string) {
    super(403, 'insufficient_scope', `this operation needs the scope ${requiredScope}`, {
      headers: {
        'www-authenticate': `Bearer realm="citadel", error="insufficient_scope", scope="${requiredScope}"`,
      },
    });
  }
}
