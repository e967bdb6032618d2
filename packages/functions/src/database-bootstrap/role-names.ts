/**
 * Which names a workload's database role may have. One rule for the bootstrap function
 * and for the infrastructure that passes it the names, so a name refused at deploy time
 * is refused at synth time first. No imports: the CDK app loads this file as it is.
 */

/** PostgreSQL truncates identifiers longer than this (NAMEDATALEN - 1), bytes not characters. */
export const MAX_ROLE_NAME_BYTES = 63;

const ROLE_NAME = /^[a-z_][a-z0-9_]*$/;

/** Prefixes PostgreSQL (`pg_`) and RDS (`rds_superuser`, `rds_iam`, `rdsadmin`, …) keep for their own roles. */
const RESERVED_PREFIXES = ['pg_', 'rds'] as const;

/**
 * The cluster's own roles, the names PostgreSQL's grammar gives a meaning in `GRANT … TO`
 * (`public`, `none`, `current_user`, …) and its reserved key words, which a workload's own
 * migrations could not write unquoted.
 */
const RESERVED_NAMES: ReadonlySet<string> = new Set([
  'postgres',
  'public',
  'none',
  'all',
  'analyse',
  'analyze',
  'and',
  'any',
  'array',
  'as',
  'asc',
  'asymmetric',
  'both',
  'case',
  'cast',
  'check',
  'collate',
  'column',
  'constraint',
  'create',
  'current_catalog',
  'current_date',
  'current_role',
  'current_time',
  'current_timestamp',
  'current_user',
  'default',
  'deferrable',
  'desc',
  'distinct',
  'do',
  'else',
  'end',
  'except',
  'false',
  'fetch',
  'for',
  'foreign',
  'from',
  'grant',
  'group',
  'having',
  'in',
  'initially',
  'intersect',
  'into',
  'lateral',
  'leading',
  'limit',
  'localtime',
  'localtimestamp',
  'not',
  'null',
  'offset',
  'on',
  'only',
  'or',
  'order',
  'placing',
  'primary',
  'references',
  'returning',
  'select',
  'session_user',
  'some',
  'symmetric',
  'system_user',
  'table',
  'then',
  'to',
  'trailing',
  'true',
  'union',
  'unique',
  'user',
  'using',
  'variadic',
  'when',
  'where',
  'window',
  'with',
]);

/** Why `value` cannot name a workload's login role, or `undefined` when it can. */
export function roleNameProblem(value: unknown): string | undefined {
  if (typeof value !== 'string') return `must be a string, got ${describe(value)}`;
  if (value === '') return 'must not be empty';
  if (Buffer.byteLength(value, 'utf8') > MAX_ROLE_NAME_BYTES) {
    return `must be at most ${MAX_ROLE_NAME_BYTES} bytes (PostgreSQL would truncate it), got ${describe(value)}`;
  }
  if (!ROLE_NAME.test(value)) {
    return `must be a lower-case PostgreSQL identifier (a-z, 0-9 and _, not starting with a digit), got ${describe(value)}`;
  }
  const prefix = RESERVED_PREFIXES.find((reserved) => value.startsWith(reserved));
  if (prefix)
    return `must not begin with "${prefix}", kept for PostgreSQL's and RDS's own roles, got ${describe(value)}`;
  if (RESERVED_NAMES.has(value)) return `must not be a PostgreSQL reserved name, got ${describe(value)}`;
  return undefined;
}

/**
 * Why `roles` cannot be the workloads' login roles, or `undefined` when they can: every name
 * valid, none twice, and the roles the bootstrap proves specific rules for (`required`) present.
 */
export function loginRolesProblem(
  roles: readonly unknown[],
  required: readonly string[],
): string | undefined {
  for (const [index, role] of roles.entries()) {
    const problem = roleNameProblem(role);
    if (problem) return `entry ${index} ${problem}`;
  }
  const seen = new Set<unknown>();
  for (const role of roles) {
    if (seen.has(role)) return `lists ${describe(role)} twice`;
    seen.add(role);
  }
  const missing = required.filter((role) => !seen.has(role));
  if (missing.length > 0) {
    return `must list ${missing.map(describe).join(' and ')}: the bootstrap proves their own rules and lets them sign in`;
  }
  return undefined;
}

function describe(value: unknown): string {
  return JSON.stringify(value) ?? String(value);
}
