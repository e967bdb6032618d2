import { UsageError } from './errors.js';

/** An image tag a workload may be pinned to: immutable-looking, never `latest`, or a digest. */
export const IMAGE_TAG = /^([A-Za-z0-9_][A-Za-z0-9_.-]{0,127}|sha256:[a-f0-9]{64})$/;
const HTTPS_URL = /^https:\/\/[A-Za-z0-9.-]+(:[0-9]{1,5})?(\/[A-Za-z0-9._~/%-]*)?$/;
const AUDIENCE = /^[A-Za-z0-9._:/-]{1,256}$/;
const WORKLOAD_KEY = /^image:([a-z][a-z0-9-]{0,62})$/;

/** A `--context key=value` the deploy and diff commands pass on to the CDK CLI. */
export interface ContextEntry {
  readonly key: string;
  readonly value: string;
}

/**
 * The deploy-time keys the app stack reads, with the values each accepts. `authJwks` (a JSON
 * key set) is not among them: it comes from AUTH_JWKS in the environment, never a command line.
 */
const DEPLOY_TIME_KEYS: Readonly<Record<string, { readonly pattern: RegExp; readonly expected: string }>> = {
  imageTag: { pattern: IMAGE_TAG, expected: 'an immutable tag or a sha256: digest, not "latest"' },
  authIssuer: { pattern: HTTPS_URL, expected: 'an https:// URL' },
  authAudience: { pattern: AUDIENCE, expected: 'letters, digits and . _ : / - (at most 256)' },
  authJwksUrl: { pattern: HTTPS_URL, expected: 'an https:// URL' },
};

/** The keys a `--context` may set, for messages. */
export const CONTEXT_KEYS = ['image:<workload>', ...Object.keys(DEPLOY_TIME_KEYS)] as const;

/**
 * Parses `--context key=value` arguments: `image:<workload>=<tag>` for a workload the
 * application declares, or one of the deploy-time keys. Anything else, or a value outside the
 * key's pattern (so no space, `;`, newline, `$()` or non-ASCII character reaches the CDK CLI),
 * throws UsageError naming the key, before anything is called.
 */
export function parseContextArgs(raw: readonly string[], workloadNames: readonly string[]): ContextEntry[] {
  const entries: ContextEntry[] = [];
  for (const argument of raw) {
    const equals = argument.indexOf('=');
    if (equals <= 0) {
      throw new UsageError(`--context ${JSON.stringify(argument)} is not key=value.`);
    }
    const key = argument.slice(0, equals);
    const value = argument.slice(equals + 1);
    checkEntry(key, value, workloadNames);
    if (entries.some((entry) => entry.key === key)) {
      throw new UsageError(`--context ${JSON.stringify(key)} is given twice; give each key once.`);
    }
    entries.push({ key, value });
  }
  return entries;
}

function checkEntry(key: string, value: string, workloadNames: readonly string[]): void {
  const workload = WORKLOAD_KEY.exec(key)?.[1];
  if (workload !== undefined) {
    if (!workloadNames.includes(workload)) {
      throw new UsageError(
        `--context ${JSON.stringify(key)}: the application declares no workload "${workload}"; expected one of ${workloadNames.join(', ')}.`,
      );
    }
    if (!IMAGE_TAG.test(value) || value === 'latest') {
      throw new UsageError(
        `--context ${JSON.stringify(key)}: ${JSON.stringify(value)} is not an immutable tag or a sha256: digest (and not "latest").`,
      );
    }
    return;
  }
  const rule = Object.hasOwn(DEPLOY_TIME_KEYS, key) ? DEPLOY_TIME_KEYS[key] : undefined;
  if (!rule) {
    throw new UsageError(
      `--context ${JSON.stringify(key)} is not a key Citadel reads at deploy; expected one of ${CONTEXT_KEYS.join(', ')}.`,
    );
  }
  if (!rule.pattern.test(value) || (rule.pattern === IMAGE_TAG && value === 'latest')) {
    throw new UsageError(
      `--context ${JSON.stringify(key)}: ${JSON.stringify(value)} is not ${rule.expected}.`,
    );
  }
}

/** The entries as CDK CLI arguments, one argv element per flag and per `key=value`. */
export function contextArguments(entries: readonly ContextEntry[]): string[] {
  return entries.flatMap(({ key, value }) => ['--context', `${key}=${value}`]);
}
