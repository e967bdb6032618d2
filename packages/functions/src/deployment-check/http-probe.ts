/** The subset of the global `fetch` the check uses; tests may inject their own. */
export type Fetch = (url: string, init: RequestInit) => Promise<Response>;

/** What one request through the test listener came to. */
export type ProbeOutcome =
  | {
      readonly kind: 'answered';
      readonly status: number;
      readonly location: string | null;
      readonly errorCode: string | null;
    }
  | { readonly kind: 'timeout' }
  | { readonly kind: 'tls'; readonly code: string }
  | { readonly kind: 'unreachable'; readonly code: string };

/** Bodies larger than this are not read: the API's error bodies are a few hundred bytes. */
const MAX_BODY_CHARACTERS = 16 * 1024;
const TLS_CODE = /CERT|TLS|SSL|SIGNATURE|ISSUER|HANDSHAKE/i;

/**
 * One GET, redirects not followed, the whole exchange (body included) within `timeoutMs`.
 * Never throws: every failure becomes an outcome. The API's error code (`error.code` of its
 * JSON error body) is read when there is one, so a 404 from the API can be told from a 404
 * of the load balancer.
 */
export async function probe(
  url: URL,
  headers: Readonly<Record<string, string>>,
  timeoutMs: number,
  fetchFn: Fetch = fetch,
): Promise<ProbeOutcome> {
  const signal = AbortSignal.timeout(timeoutMs);
  try {
    const response = await fetchFn(url.href, {
      method: 'GET',
      redirect: 'manual',
      signal,
      headers: { accept: 'application/json', ...headers },
    });
    const declared = Number(response.headers.get('content-length'));
    const tooLarge = Number.isFinite(declared) && declared > MAX_BODY_CHARACTERS;
    if (tooLarge) await response.body?.cancel();
    const text = tooLarge ? '' : await response.text();
    return {
      kind: 'answered',
      status: response.status,
      location: response.headers.get('location'),
      errorCode: errorCodeOf(text),
    };
  } catch (error) {
    if (signal.aborted) return { kind: 'timeout' };
    const code = causeCode(error);
    return TLS_CODE.test(code) ? { kind: 'tls', code } : { kind: 'unreachable', code };
  }
}

/** A readable description of an outcome, for the log and the FAILED reason. */
export function describeOutcome(outcome: ProbeOutcome, timeoutMs: number): string {
  switch (outcome.kind) {
    case 'answered':
      return [
        `HTTP ${outcome.status}`,
        outcome.location === null ? '' : ` redirecting to ${outcome.location.slice(0, 200)}`,
        outcome.errorCode === null ? '' : ` (${outcome.errorCode})`,
      ].join('');
    case 'timeout':
      return `no answer within ${timeoutMs} ms`;
    case 'tls':
      return `TLS failure (${outcome.code})`;
    case 'unreachable':
      return `unreachable (${outcome.code})`;
  }
}

function errorCodeOf(text: string): string | null {
  if (text.length > MAX_BODY_CHARACTERS) return null;
  try {
    const code = (JSON.parse(text) as { error?: { code?: unknown } } | null)?.error?.code;
    return typeof code === 'string' && /^[a-z_]{1,64}$/.test(code) ? code : null;
  } catch {
    return null;
  }
}

function causeCode(error: unknown): string {
  let current: unknown = error;
  for (let depth = 0; depth < 4 && current; depth += 1) {
    const code = (current as { code?: unknown }).code;
    if (typeof code === 'string') return code.slice(0, 64);
    current = (current as { cause?: unknown }).cause;
  }
  return error instanceof Error ? error.name : 'unknown';
}
