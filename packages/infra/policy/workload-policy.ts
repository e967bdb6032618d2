/**
 * Facts the environment config, the workload declarations and the constructs all check
 * against, owned here so that config/ and lib/ can both import them without importing
 * each other.
 */

/** Audit logs (HIPAA, PCI DSS 10.7) are kept at least this long, in days. */
export const MIN_LOG_RETENTION_DAYS = 90;

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
