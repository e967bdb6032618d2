import { EvidenceCollectionError, MissingPermissionError } from './errors.js';

/** Where the collector's read-only policy is written down. */
export const POLICY_DOC = 'docs/compliance.md, "Evidence over a period"';

/** Error names AWS services use when the caller lacks a permission. */
const DENIED = new Set([
  'AccessDenied',
  'AccessDeniedException',
  'UnauthorizedOperation',
  'UnauthorizedAccess',
  'AuthorizationError',
  'Forbidden',
]);

/** One AWS call as the bundle names it: the API call, its IAM action and region. */
export interface AwsCall {
  /** `Service.Operation`, as in the API reference. */
  readonly call: string;
  /** The IAM action the caller needs, `service:Operation`. */
  readonly action: string;
  readonly region: string;
}

function errorName(error: unknown): string | undefined {
  if (typeof error !== 'object' || error === null) return undefined;
  const { name, Code } = error as { name?: unknown; Code?: unknown };
  return typeof Code === 'string' ? Code : typeof name === 'string' ? name : undefined;
}

/**
 * The permission error for a refused call, or undefined for any other failure. Security
 * Hub answers InvalidAccessException when the account is not subscribed.
 */
export function permissionError(target: AwsCall, error: unknown): MissingPermissionError | undefined {
  const name = errorName(error);
  const status = (error as { $metadata?: { httpStatusCode?: number } } | null)?.$metadata?.httpStatusCode;
  if (name === 'InvalidAccessException' || name === 'SubscriptionRequiredException') {
    return new MissingPermissionError(
      target.call,
      target.action,
      target.region,
      name,
      `the service is not enabled (not subscribed) in this account and region; enable it ` +
        `(the environment's baseline.region settings) or collect from the account that runs it`,
      { cause: error },
    );
  }
  if ((name !== undefined && DENIED.has(name)) || status === 403) {
    return new MissingPermissionError(
      target.call,
      target.action,
      target.region,
      name ?? 'HTTP 403',
      `grant ${target.action} to the collector's read-only role (the policy is in ${POLICY_DOC})`,
      { cause: error },
    );
  }
  return undefined;
}

/** Runs one call, turning a refusal into MissingPermissionError that names it. */
export async function callAws<T>(target: AwsCall, run: () => Promise<T>): Promise<T> {
  try {
    return await run();
  } catch (error) {
    throw permissionError(target, error) ?? error;
  }
}

/** A safety stop: a service that hands back tokens forever would otherwise never end. */
const MAX_PAGES = 100_000;

/** Every page of a paginated call, as returned, following the token until there is none. */
export async function allPages<Response>(
  target: AwsCall,
  send: (token: string | undefined) => Promise<Response>,
  nextToken: (response: Response) => string | undefined,
): Promise<Response[]> {
  const pages: Response[] = [];
  const seen = new Set<string>();
  let token: string | undefined;
  do {
    const page = await callAws(target, () => send(token));
    pages.push(page);
    token = nextToken(page) || undefined;
    if (token !== undefined) {
      if (seen.has(token) || pages.length >= MAX_PAGES) {
        throw new EvidenceCollectionError(
          `${target.call} in ${target.region} returned the page token ${JSON.stringify(token.slice(0, 40))} twice; ` +
            'the listing would never end, so nothing was written',
        );
      }
      seen.add(token);
    }
  } while (token !== undefined);
  return pages;
}
