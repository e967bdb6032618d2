import { JwksFetchError } from '../errors.js';

/** The subset of the global `fetch` the mirror uses; tests inject their own. */
export type Fetch = (url: string, init: RequestInit) => Promise<Response>;

export interface FetchLimits {
  /** Time for the whole fetch, redirects and body included. */
  readonly timeoutMs: number;
  /** Largest body accepted, in bytes. */
  readonly maxBytes: number;
  /** Redirects followed, each only to another https URL. */
  readonly maxRedirects: number;
}

export const DEFAULT_FETCH_LIMITS: FetchLimits = { timeoutMs: 5_000, maxBytes: 128 * 1024, maxRedirects: 3 };

const JSON_MEDIA_TYPES = ['application/json', 'application/jwk-set+json'];

/**
 * Fetches the identity provider's key set as text: https only (redirects included), a
 * JSON content type, a body no larger than `maxBytes`, all within `timeoutMs`.
 */
export async function fetchKeySetText(
  url: URL,
  fetchFn: Fetch = fetch,
  limits: FetchLimits = DEFAULT_FETCH_LIMITS,
): Promise<string> {
  const signal = AbortSignal.timeout(limits.timeoutMs);
  let current = url;
  for (let redirects = 0; ; redirects += 1) {
    if (current.protocol !== 'https:') {
      throw new JwksFetchError(
        `refusing ${current.protocol} URL ${current.href}; the key set is fetched over https only`,
      );
    }
    const response = await request(current, fetchFn, signal, limits);
    if (response.status >= 300 && response.status < 400) {
      await response.body?.cancel();
      const location = response.headers.get('location');
      if (!location)
        throw new JwksFetchError(`${current.href} answered HTTP ${response.status} without a Location`);
      if (redirects >= limits.maxRedirects) {
        throw new JwksFetchError(`${url.href} redirected more than ${limits.maxRedirects} times`);
      }
      current = resolveLocation(location, current);
      continue;
    }
    if (!response.ok) {
      await response.body?.cancel();
      throw new JwksFetchError(`${current.href} answered HTTP ${response.status}`);
    }
    const mediaType = (response.headers.get('content-type') ?? '').split(';')[0]?.trim().toLowerCase() ?? '';
    if (!JSON_MEDIA_TYPES.includes(mediaType)) {
      await response.body?.cancel();
      throw new JwksFetchError(
        `${current.href} answered with content type '${mediaType}', not ${JSON_MEDIA_TYPES.join(' or ')}`,
      );
    }
    return readLimited(response, current, signal, limits);
  }
}

async function request(
  url: URL,
  fetchFn: Fetch,
  signal: AbortSignal,
  limits: FetchLimits,
): Promise<Response> {
  try {
    return await fetchFn(url.href, {
      method: 'GET',
      redirect: 'manual',
      signal,
      headers: { accept: JSON_MEDIA_TYPES.join(', ') },
    });
  } catch (error) {
    throw new JwksFetchError(
      signal.aborted
        ? `${url.href} did not answer within ${limits.timeoutMs} ms`
        : `cannot fetch ${url.href}`,
      { cause: error },
    );
  }
}

function resolveLocation(location: string, base: URL): URL {
  try {
    return new URL(location, base);
  } catch (error) {
    throw new JwksFetchError(`${base.href} redirected to an invalid location`, { cause: error });
  }
}

async function readLimited(
  response: Response,
  url: URL,
  signal: AbortSignal,
  limits: FetchLimits,
): Promise<string> {
  const declared = Number(response.headers.get('content-length'));
  if (Number.isFinite(declared) && declared > limits.maxBytes) {
    await response.body?.cancel();
    throw new JwksFetchError(`${url.href} declares ${declared} bytes; at most ${limits.maxBytes} are read`);
  }
  if (!response.body) return '';
  const reader = response.body.getReader();
  const chunks: Uint8Array[] = [];
  let total = 0;
  try {
    for (;;) {
      const { done, value } = await reader.read();
      if (done) break;
      total += value.byteLength;
      if (total > limits.maxBytes) {
        await reader.cancel();
        throw new JwksFetchError(`${url.href} sent more than ${limits.maxBytes} bytes`);
      }
      chunks.push(value);
    }
  } catch (error) {
    if (error instanceof JwksFetchError) throw error;
    throw new JwksFetchError(
      signal.aborted
        ? `${url.href} did not finish sending within ${limits.timeoutMs} ms`
        : `${url.href} broke off while sending`,
      { cause: error },
    );
  }
  try {
    return new TextDecoder('utf-8', { fatal: true }).decode(Buffer.concat(chunks));
  } catch (error) {
    throw new JwksFetchError(`${url.href} sent a body that is not UTF-8`, { cause: error });
  }
}
