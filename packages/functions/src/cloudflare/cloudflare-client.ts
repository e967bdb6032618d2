import { CloudflareApiError } from '../errors.js';

export const CLOUDFLARE_API_BASE_URL = 'https://api.cloudflare.com/client/v4';

/** The fields of a Cloudflare DNS record this resource reads and writes. */
export interface DnsRecord {
  readonly id: string;
  readonly type: string;
  readonly name: string;
  readonly content: string;
  readonly ttl: number;
  readonly proxied: boolean;
  readonly comment: string | null;
}

export type DnsRecordInput = Omit<DnsRecord, 'id'>;

export interface CloudflareDnsClientOptions {
  /** API token with DNS edit permission on the zone. */
  readonly token: string;
  /** @default https://api.cloudflare.com/client/v4 */
  readonly baseUrl?: string;
  /** Attempts for a request answered 429 or 5xx (or, for idempotent methods, lost on the network). @default 3 */
  readonly maxAttempts?: number;
  /** Wait before retry n is n times this. @default 500 */
  readonly retryDelayMs?: number;
  /** Give up on one request after this long. @default 10000 */
  readonly timeoutMs?: number;
}

interface Envelope<T> {
  success?: boolean;
  errors?: { code?: number; message?: string }[];
  result?: T;
}

/** The four DNS record calls of Cloudflare's v4 API, with retries and errors that name what failed. */
export class CloudflareDnsClient {
  private readonly baseUrl: string;
  private readonly maxAttempts: number;
  private readonly retryDelayMs: number;
  private readonly timeoutMs: number;

  constructor(private readonly options: CloudflareDnsClientOptions) {
    this.baseUrl = (options.baseUrl ?? CLOUDFLARE_API_BASE_URL).replace(/\/+$/, '');
    this.maxAttempts = options.maxAttempts ?? 3;
    this.retryDelayMs = options.retryDelayMs ?? 500;
    this.timeoutMs = options.timeoutMs ?? 10_000;
  }

  /** Records of one type with exactly this name. */
  async list(zoneId: string, type: string, name: string): Promise<DnsRecord[]> {
    const query = new URLSearchParams({ type, name, per_page: '100' });
    return (await this.request<DnsRecord[]>('GET', `/zones/${zoneId}/dns_records?${query}`)) ?? [];
  }

  async create(zoneId: string, record: DnsRecordInput): Promise<DnsRecord> {
    return this.request<DnsRecord>('POST', `/zones/${zoneId}/dns_records`, record);
  }

  /** Replaces a record's content, TTL, proxying and comment. */
  async update(zoneId: string, id: string, record: DnsRecordInput): Promise<DnsRecord> {
    return this.request<DnsRecord>('PUT', `/zones/${zoneId}/dns_records/${id}`, record);
  }

  /** Deletes a record; one already gone counts as deleted. */
  async delete(zoneId: string, id: string): Promise<void> {
    try {
      await this.request('DELETE', `/zones/${zoneId}/dns_records/${id}`);
    } catch (error) {
      if (error instanceof CloudflareApiError && error.status === 404) return;
      throw error;
    }
  }

  private async request<T>(method: string, path: string, body?: unknown): Promise<T> {
    const idempotent = method !== 'POST';
    const what = `Cloudflare ${method} ${path.split('?')[0]}`;
    for (let attempt = 1; ; attempt += 1) {
      let response: Response;
      try {
        response = await fetch(`${this.baseUrl}${path}`, {
          method,
          headers: { authorization: `Bearer ${this.options.token}`, 'content-type': 'application/json' },
          ...(body === undefined ? {} : { body: JSON.stringify(body) }),
          signal: AbortSignal.timeout(this.timeoutMs),
        });
      } catch (error) {
        if (idempotent && attempt < this.maxAttempts) {
          await this.pause(attempt);
          continue;
        }
        throw new CloudflareApiError(`${what} failed: no response (${(error as Error).message})`, 0, [], {
          cause: error,
        });
      }
      const retryable = response.status === 429 || (response.status >= 500 && idempotent);
      if (retryable && attempt < this.maxAttempts) {
        await response.body?.cancel();
        await this.pause(attempt);
        continue;
      }
      return this.read<T>(response, what);
    }
  }

  private async read<T>(response: Response, what: string): Promise<T> {
    const text = await response.text();
    let envelope: Envelope<T> | undefined;
    try {
      envelope = JSON.parse(text) as Envelope<T>;
    } catch {
      envelope = undefined;
    }
    if (response.ok && envelope?.success === true) return envelope.result as T;
    const errors = envelope?.errors ?? [];
    const detail =
      errors.length > 0
        ? errors.map((error) => `${error.code ?? '?'} ${error.message ?? ''}`.trim()).join('; ')
        : envelope
          ? 'success is not true'
          : `non-JSON response (${response.headers.get('content-type') ?? 'no content type'})`;
    throw new CloudflareApiError(
      `${what} failed with HTTP ${response.status}: ${detail}`,
      response.status,
      errors.map((error) => error.code ?? 0),
    );
  }

  private pause(attempt: number): Promise<void> {
    return new Promise((resolve) => setTimeout(resolve, this.retryDelayMs * attempt));
  }
}
