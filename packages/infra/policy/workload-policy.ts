/**
 * Facts the environment config, the workload declarations and the constructs all check
 * against, owned here so that config/ and lib/ can both import them without importing
 * each other.
 */

/** Audit logs (HIPAA, PCI DSS 10.7) are kept at least this long, in days. */
export const MIN_LOG_RETENTION_DAYS = 90;

/** Shortest lock of a change record in COMPLIANCE mode: a year of change history, as PCI DSS 10.5.1 keeps audit logs. */
export const MIN_COMPLIANCE_RETENTION_DAYS = 365;

/** Fargate memory sizes (MiB) allowed for each CPU size (CPU units). */
export const FARGATE_MEMORY_BY_CPU: Readonly<Record<number, readonly number[]>> = {
  256: [512, 1024, 2048],
  512: [1024, 2048, 3072, 4096],
  1024: [2048, 3072, 4096, 5120, 6144, 7168, 8192],
  2048: Array.from({ length: 13 }, (_, index) => 4096 + index * 1024),
  4096: Array.from({ length: 23 }, (_, index) => 8192 + index * 1024),
};

/** A workload name: 2–32 lower-case letters, digits and hyphens, starting with a letter, not ending with a hyphen. */
export const WORKLOAD_NAME_PATTERN = '^[a-z][a-z0-9-]{0,30}[a-z0-9]$';

/** An immutable image tag or a `sha256:` digest (`latest` is refused separately). */
export const IMAGE_TAG_PATTERN = '^([A-Za-z0-9_][A-Za-z0-9_.-]{0,127}|sha256:[a-f0-9]{64})$';

/** An environment variable name a workload may declare. */
export const ENVIRONMENT_VARIABLE_PATTERN = '^[A-Z][A-Z0-9_]{0,127}$';

/**
 * Variables the platform sets in every workload that uses the database (the names
 * Citadel's own API reads too); a declaration may not set them.
 */
export const PLATFORM_VARIABLES: readonly string[] = [
  'AWS_REGION',
  'DB_AUTH',
  'DB_HOST',
  'DB_PORT',
  'DB_NAME',
  'DB_USER',
  'DB_CA_BUNDLE_PATH',
];

const IMAGE_TAG = new RegExp(IMAGE_TAG_PATTERN);
/** WORKLOAD_NAME_PATTERN, compiled once. */
export const WORKLOAD_NAME = new RegExp(WORKLOAD_NAME_PATTERN);
/** ENVIRONMENT_VARIABLE_PATTERN, compiled once. */
export const ENVIRONMENT_VARIABLE = new RegExp(ENVIRONMENT_VARIABLE_PATTERN);

/** True for an immutable tag or digest that is not `latest`. */
export function isImmutableImageTag(tag: unknown): tag is string {
  return typeof tag === 'string' && tag !== 'latest' && IMAGE_TAG.test(tag);
}

/** Longest value of a load balancer host-header condition, and so of a service's host. */
export const MAX_HOST_LENGTH = 128;

/**
 * What is wrong with a host name a service is routed by, and how to fix it; undefined when
 * it is a plain lower-case ASCII name. Refused: Unicode and punycode (IDN) names, whose
 * look-alike letters make a host that reads as another; wildcards; a trailing dot;
 * upper case (a host-header rule compares what the client sent); empty or over-long labels.
 * `relative` is for a name under a zone (`orders`), checked without the zone's length.
 */
export function hostNameProblem(name: string, relative = false): string | undefined {
  if (name.length === 0) return 'give a host name, such as orders';
  if (/[^\u0020-\u007e]/.test(name))
    return 'use ASCII letters, digits, hyphens and dots only; internationalized (Unicode) host names are not supported';
  if (name.includes('*')) return 'wildcards are not supported; route each host by its own name';
  if (name.endsWith('.')) return `remove the trailing dot: ${name.replace(/\.+$/, '')}`;
  if (/[A-Z]/.test(name)) return `write the host in lower case: ${name.toLowerCase()}`;
  if (/[^a-z0-9.-]/.test(name)) return 'use lower-case letters, digits, hyphens and dots only';
  const labels = name.split('.');
  if (labels.some((label) => label.length === 0))
    return 'a host has no empty label (no leading dot, no "..")';
  const long = labels.find((label) => label.length > 63);
  if (long) return `each label is at most 63 characters; ${long.slice(0, 16)}… has ${long.length}`;
  if (labels.some((label) => label.startsWith('-') || label.endsWith('-')))
    return 'a label neither starts nor ends with a hyphen';
  if (labels.some((label) => label.slice(2, 4) === '--'))
    return 'labels with "--" in the third and fourth place are reserved for punycode (IDN) names, which are not supported';
  if (!relative && name.length > MAX_HOST_LENGTH)
    return `a load balancer matches hosts of at most ${MAX_HOST_LENGTH} characters; this one has ${name.length}`;
  return undefined;
}

/** True when `host` is `zoneName` or a name under it. */
export function isInZone(host: string, zoneName: string): boolean {
  return host === zoneName || host.endsWith(`.${zoneName}`);
}
