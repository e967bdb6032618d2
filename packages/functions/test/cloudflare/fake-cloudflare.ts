import { randomBytes } from 'node:crypto';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { DnsRecord } from '../../src/cloudflare/cloudflare-client.js';

interface ForcedResponse {
  readonly status: number;
  readonly body: string;
  readonly contentType: string;
}

/**
 * The part of Cloudflare's v4 DNS records API the custom resource uses, on 127.0.0.1 with
 * records in memory: list by type and exact name, create, replace (PUT) or patch, delete;
 * Cloudflare's envelope and error codes, and forced failures for the next requests.
 */
type StoredRecord = DnsRecord & { readonly zone_id: string };

export class FakeCloudflare {
  readonly records = new Map<string, StoredRecord>();
  readonly requests: string[] = [];
  private readonly forced: ForcedResponse[] = [];
  private server: Server | undefined;

  constructor(
    /** Zones the token may edit; the first is where `seed` puts records. */
    readonly zoneIds: readonly string[],
    private readonly token: string,
  ) {}

  get baseUrl(): string {
    const { port } = this.server?.address() as AddressInfo;
    return `http://127.0.0.1:${port}/client/v4`;
  }

  /** Requests other than GET, as `METHOD /path`. */
  get writes(): string[] {
    return this.requests.filter((request) => !request.startsWith('GET '));
  }

  async start(): Promise<void> {
    this.server = createServer((request, response) => {
      this.handle(request, response).catch((error: unknown) => {
        this.send(response, 500, { success: false, errors: [{ code: 0, message: String(error) }] });
      });
    });
    await new Promise<void>((resolve) => this.server?.listen(0, '127.0.0.1', resolve));
  }

  async stop(): Promise<void> {
    await new Promise<void>((resolve, reject) =>
      this.server?.close((error) => (error ? reject(error) : resolve())),
    );
  }

  /** Answers the next request with this status and body (JSON unless `contentType` says otherwise). */
  failNext(status: number, body: unknown, contentType = 'application/json'): void {
    this.forced.push({ status, body: typeof body === 'string' ? body : JSON.stringify(body), contentType });
  }

  seed(record: Omit<DnsRecord, 'id'>, zoneId = this.zoneIds[0] as string): DnsRecord {
    const stored = { ...record, id: randomBytes(16).toString('hex'), zone_id: zoneId };
    this.records.set(stored.id, stored);
    return stored;
  }

  reset(): void {
    this.records.clear();
    this.requests.length = 0;
    this.forced.length = 0;
  }

  private async handle(request: IncomingMessage, response: ServerResponse): Promise<void> {
    const url = new URL(request.url ?? '/', 'http://127.0.0.1');
    this.requests.push(`${request.method} ${url.pathname}`);
    const forced = this.forced.shift();
    if (forced) {
      response.writeHead(forced.status, { 'content-type': forced.contentType }).end(forced.body);
      return;
    }
    if (request.headers.authorization !== `Bearer ${this.token}`) {
      return this.fail(response, 403, 9109, 'Invalid access token');
    }
    const match = /^\/client\/v4\/zones\/([^/]+)\/dns_records(?:\/([^/]+))?$/.exec(url.pathname);
    if (!match) return this.fail(response, 404, 7000, 'No route for that URI');
    const zoneId = match[1] as string;
    if (!this.zoneIds.includes(zoneId)) {
      return this.fail(
        response,
        400,
        7003,
        'Could not route to /zones, perhaps your object identifier is invalid?',
      );
    }
    const id = match[2];
    const body = await readJson(request);
    if (request.method === 'GET' && !id) return this.list(zoneId, url, response);
    if (request.method === 'POST' && !id) return this.create(zoneId, body, response);
    if (!id) return this.fail(response, 405, 10000, 'Method not allowed');
    const existing = this.records.get(id);
    if (existing?.zone_id !== zoneId) return this.fail(response, 404, 81044, 'Record does not exist.');
    if (request.method === 'PUT' || request.method === 'PATCH') {
      const next = (
        request.method === 'PUT'
          ? { ...(body as object), id, zone_id: zoneId }
          : { ...existing, ...(body as object), id, zone_id: zoneId }
      ) as StoredRecord;
      const problem = this.invalid(next, id);
      if (problem) return this.fail(response, 400, problem.code, problem.message);
      this.records.set(id, next);
      return this.send(response, 200, { success: true, errors: [], messages: [], result: next });
    }
    if (request.method === 'DELETE') {
      this.records.delete(id);
      return this.send(response, 200, { success: true, errors: [], messages: [], result: { id } });
    }
    return this.fail(response, 405, 10000, 'Method not allowed');
  }

  private list(zoneId: string, url: URL, response: ServerResponse): void {
    const type = url.searchParams.get('type');
    const name = url.searchParams.get('name');
    const result = [...this.records.values()].filter(
      (record) =>
        record.zone_id === zoneId && (!type || record.type === type) && (!name || record.name === name),
    );
    this.send(response, 200, {
      success: true,
      errors: [],
      messages: [],
      result,
      result_info: { page: 1, per_page: 100, count: result.length, total_count: result.length },
    });
  }

  private create(zoneId: string, body: unknown, response: ServerResponse): void {
    const record = {
      ...(body as object),
      id: randomBytes(16).toString('hex'),
      zone_id: zoneId,
    } as StoredRecord;
    const problem = this.invalid(record);
    if (problem) return this.fail(response, 400, problem.code, problem.message);
    this.records.set(record.id, record);
    this.send(response, 200, { success: true, errors: [], messages: [], result: record });
  }

  private invalid(record: StoredRecord, id?: string): { code: number; message: string } | undefined {
    if (!record.type || !record.name || !record.content)
      return { code: 9005, message: 'Content for CNAME record is invalid.' };
    if ((record.comment ?? '').length > 100) return { code: 9100, message: 'DNS record comment too long.' };
    const clash = [...this.records.values()].some(
      (other) => other.id !== id && other.zone_id === record.zone_id && other.name === record.name,
    );
    if (record.type === 'CNAME' && clash) {
      return { code: 81053, message: 'An A, AAAA, or CNAME record with that host already exists.' };
    }
    return undefined;
  }

  private fail(response: ServerResponse, status: number, code: number, message: string): void {
    this.send(response, status, { success: false, errors: [{ code, message }], messages: [], result: null });
  }

  private send(response: ServerResponse, status: number, body: unknown): void {
    response.writeHead(status, { 'content-type': 'application/json' }).end(JSON.stringify(body));
  }
}

async function readJson(request: IncomingMessage): Promise<unknown> {
  const chunks: Buffer[] = [];
  for await (const chunk of request) chunks.push(chunk as Buffer);
  return chunks.length === 0 ? undefined : JSON.parse(Buffer.concat(chunks).toString('utf8'));
}
