interface PgLikeError {
  code?: string;
  constraint?: string;
  message?: string;
  severity?: string;
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

/** How to answer a statement PostgreSQL refused because of a value the client sent. */
export interface ClientDataProblem {
  readonly status: 400 | 409;
  readonly code: 'invalid_value' | 'conflict';
  /** Safe to show: names the kind of value, never the value or the SQL. */
  readonly message: string;
  readonly sqlState: string;
}

const DATA_EXCEPTION_MESSAGES: Readonly<Record<string, string>> = {
  '22001': 'a text value is longer than the field allows',
  '22003': 'a number is out of the range the field allows',
  '22007': 'a date or time is not in a valid form',
  '22008': 'a date or time is out of range',
  '22021': 'a text value holds a character that cannot be stored',
  '22P02': 'a value is not in the form the field expects',
  '22P05': 'a text value holds a character that cannot be stored',
};

/**
 * Classifies a PostgreSQL error raised by a client's value: any data exception (SQLSTATE
 * class 22, e.g. 22001 string too long, 22003 numeric out of range, 22007/22008 datetime,
 * 22P02 invalid text representation, 22021 bad encoding) is the client's bad request, and a
 * unique violation (23505) the repositories did not already translate is a conflict with
 * existing data. Returns null for everything else, which stays a server error. Only errors
 * PostgreSQL itself sent count: they carry a severity and a five-character SQLSTATE.
 */
export function clientDataProblem(error: unknown): ClientDataProblem | null {
  const { code, severity } = asPgError(error);
  if (typeof severity !== 'string' || typeof code !== 'string' || !/^[0-9A-Z]{5}$/.test(code)) return null;
  if (code.startsWith('22')) {
    const message = DATA_EXCEPTION_MESSAGES[code] ?? 'a value cannot be stored in the field it was sent for';
    return { status: 400, code: 'invalid_value', message, sqlState: code };
  }
  if (code === '23505') {
    return {
      status: 409,
      code: 'conflict',
      message: 'the request conflicts with data that already exists',
      sqlState: code,
    };
  }
  return null;
}
