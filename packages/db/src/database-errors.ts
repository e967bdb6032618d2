interface PgLikeError {
  code?: string;
  constraint?: string;
  message?: string;
}

function asPgError(error: unknown): PgLikeError {
  return typeof error === 'object' && error !== null ? (error as PgLikeError) : {};
}

export function isUniqueViolation(error: unknown, constraint?: string): boolean {
  const pgError = asPgError(error);
  return pgError.code === '23505' && (constraint === undefined || pgError.constraint === constraint);
}

export function isForeignKeyViolation(error: unknown, constraint?: string): boolean {
  const pgError = asPgError(error);
  return pgError.code === '23503' && (constraint === undefined || pgError.constraint === constraint);
}

const UNAVAILABLE_NODE_CODES = new Set([
  'ECONNREFUSED',
  'ECONNRESET',
  'ETIMEDOUT',
  'EPIPE',
  'ENOTFOUND',
  'EAI_AGAIN',
]);

/**
 * True when the database cannot be reached or is shutting down, as opposed to a bad
 * statement: connection refused or reset, pool connect timeout, admin or crash shutdown
 * (57P01–57P03), connection exceptions (class 08), or a statement cancelled by timeout (57014).
 */
export function isDatabaseUnavailable(error: unknown): boolean {
  const { code, message = '' } = asPgError(error);
  if (code && (UNAVAILABLE_NODE_CODES.has(code) || code.startsWith('08') || /^57P0[1-3]$/.test(code)))
    return true;
  if (code === '57014') return true;
  return /timeout exceeded when trying to connect|Connection terminated|Client has encountered a connection error|connect ECONNREFUSED/i.test(
    message,
  );
}
