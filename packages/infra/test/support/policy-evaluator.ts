/**
 * A small IAM evaluator for resolved policy statements (intrinsics already replaced with
 * strings): an explicit Deny wins, otherwise an Allow that matches the principal, action,
 * resource and every condition. Enough for the condition operators Citadel writes
 * (String*, Arn*, Bool, NumericLessThan, ForAnyValue:StringEquals); an unknown operator fails the test
 * instead of being skipped, so a policy cannot pass by using one this file does not know.
 */
export type Statement = Record<string, unknown>;

export interface Request {
  /** ARN of the calling principal (role, account root), or a service principal name. */
  readonly principal: string;
  readonly action: string;
  readonly resource: string;
  /** Condition keys of the request; a list for multi-valued keys. */
  readonly context?: Readonly<Record<string, string | readonly string[]>>;
}

const list = (value: unknown): unknown[] =>
  Array.isArray(value) ? value : value === undefined ? [] : [value];

function glob(pattern: string, value: string, caseInsensitive = false): boolean {
  const expression = pattern
    .split('')
    .map((char) => (char === '*' ? '.*' : char === '?' ? '.' : char.replace(/[.+^${}()|[\]\\]/g, '\\$&')))
    .join('');
  return new RegExp(`^${expression}$`, caseInsensitive ? 'i' : '').test(value);
}

function principalMatches(statement: Statement, principal: string): boolean {
  const declared = statement.Principal;
  if (declared === undefined) return true; // identity policy: attached to the caller
  if (declared === '*') return true;
  const record = declared as Record<string, unknown>;
  for (const aws of list(record.AWS).map(String)) {
    if (aws === '*' || aws === principal) return true;
    const root = /^arn:[^:]+:iam::(\d{12}):root$/.exec(aws);
    if (root && new RegExp(`^arn:[^:]+:(iam|sts)::${root[1]}:`).test(principal)) return true;
  }
  return list(record.Service).map(String).includes(principal);
}

function conditionsHold(statement: Statement, context: Request['context'] = {}): boolean {
  const conditions = (statement.Condition ?? {}) as Record<string, Record<string, unknown>>;
  return Object.entries(conditions).every(([operator, entries]) =>
    Object.entries(entries).every(([key, expected]) => {
      const actual = context[key];
      const actualValues = list(actual).map(String);
      const expectedValues = list(expected).map(String);
      const anyMatch = (match: (pattern: string, value: string) => boolean) =>
        actualValues.some((value) => expectedValues.some((pattern) => match(pattern, value)));
      switch (operator) {
        case 'StringEquals':
        case 'ArnEquals':
        case 'ForAnyValue:StringEquals':
          return anyMatch((pattern, value) => pattern === value);
        case 'StringLike':
        case 'ArnLike':
          return anyMatch(glob);
        case 'StringNotEquals':
        case 'ArnNotEquals':
          // A missing key makes a negated operator true, as in IAM.
          return actual === undefined || !anyMatch((pattern, value) => pattern === value);
        case 'ArnNotLike':
        case 'StringNotLike':
          return actual === undefined || !anyMatch(glob);
        case 'NumericLessThan':
          return actual !== undefined && anyMatch((limit, value) => Number(value) < Number(limit));
        case 'NumericGreaterThanEquals':
          return actual !== undefined && anyMatch((limit, value) => Number(value) >= Number(limit));
        case 'Bool':
          return actual !== undefined && anyMatch((pattern, value) => pattern === value);
        default:
          throw new Error(`policy-evaluator does not know the condition operator ${operator}`);
      }
    }),
  );
}

function matches(statement: Statement, request: Request): boolean {
  const actions = list(statement.Action).map(String);
  const resources = list(statement.Resource).map(String);
  return (
    principalMatches(statement, request.principal) &&
    actions.some((pattern) => glob(pattern, request.action, true)) &&
    (resources.length === 0 || resources.some((pattern) => glob(pattern, request.resource))) &&
    conditionsHold(statement, request.context)
  );
}

/** 'Allowed', 'ExplicitlyDenied' or 'ImplicitlyDenied' for one request against the statements given. */
export function decide(
  statements: readonly Statement[],
  request: Request,
): 'Allowed' | 'ExplicitlyDenied' | 'ImplicitlyDenied' {
  const applicable = statements.filter((statement) => matches(statement, request));
  if (applicable.some((statement) => statement.Effect === 'Deny')) return 'ExplicitlyDenied';
  return applicable.some((statement) => statement.Effect === 'Allow') ? 'Allowed' : 'ImplicitlyDenied';
}

/** The statements of a policy document. */
export function statementsOf(document: unknown): Statement[] {
  return list((document as { Statement?: unknown } | undefined)?.Statement) as Statement[];
}
