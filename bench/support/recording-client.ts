import { randomUUID } from 'node:crypto';
import { paymentBody } from './seed.js';

/** One request as the client saw it. Times are performance.now() in the client process. */
export interface RequestRecord {
  readonly kind: 'read' | 'create';
  readonly requestId: string;
  /** The Idempotency-Key sent with a create. */
  readonly key?: string;
  readonly startedAt: number;
  readonly endedAt: number;
  /** HTTP status, or 0 when no response arrived (connection refused or reset, timeout). */
  readonly status: number;
  /** The payment id of a 200 or 201. */
  readonly paymentId?: string;
  readonly error?: string;
}

export interface RecordingLoadOptions {
  readonly url: string;
  readonly token: string;
  readonly patientId: string;
  readonly paymentId: string;
  readonly concurrency: number;
  /** Which request each loop sends next. */
  readonly mix: 'read' | 'create' | 'mixed';
  /** A request without an answer after this long is aborted and recorded as status 0. @default 10_000 */
  readonly timeoutMs?: number;
  /** Pause after a request that got no response, so a refused connection does not spin. @default 50 */
  readonly pauseAfterFailureMs?: number;
}

export interface RecordingLoad {
  readonly records: RequestRecord[];
  /** Stops sending and resolves once every request has been answered or has failed. */
  stop(): Promise<RequestRecord[]>;
}

/**
 * A closed-loop client that records every request it makes (id, idempotency key, timing,
 * status), for fault tests that compare what the client was told with what the server did.
 */
export function startRecordingLoad(options: RecordingLoadOptions): RecordingLoad {
  const records: RequestRecord[] = [];
  let running = true;
  const loops = Array.from({ length: options.concurrency }, async (_, index) => {
    let sent = 0;
    while (running) {
      const kind = options.mix === 'mixed' ? (sent % 2 === index % 2 ? 'read' : 'create') : options.mix;
      sent += 1;
      const record = await send(options, kind);
      records.push(record);
      if (record.status === 0)
        await new Promise((wait) => setTimeout(wait, options.pauseAfterFailureMs ?? 50));
    }
  });
  return {
    records,
    stop: async () => {
      running = false;
      await Promise.all(loops);
      return records;
    },
  };
}

/** Sends one create with the given Idempotency-Key (a retry when the key was used before). */
export async function createPayment(
  options: Pick<RecordingLoadOptions, 'url' | 'token' | 'patientId' | 'timeoutMs'>,
  key: string,
): Promise<RequestRecord> {
  return request(options, 'create', key);
}

function send(options: RecordingLoadOptions, kind: 'read' | 'create'): Promise<RequestRecord> {
  return request(options, kind, kind === 'create' ? randomUUID() : undefined, options.paymentId);
}

async function request(
  options: Pick<RecordingLoadOptions, 'url' | 'token' | 'patientId' | 'timeoutMs'>,
  kind: 'read' | 'create',
  key?: string,
  paymentId?: string,
): Promise<RequestRecord> {
  const requestId = randomUUID();
  const headers: Record<string, string> = {
    authorization: `Bearer ${options.token}`,
    'x-request-id': requestId,
  };
  const startedAt = performance.now();
  try {
    const response =
      kind === 'create'
        ? await fetch(`${options.url}/v1/payments`, {
            method: 'POST',
            headers: { ...headers, 'content-type': 'application/json', 'idempotency-key': key as string },
            body: paymentBody(options.patientId),
            signal: AbortSignal.timeout(options.timeoutMs ?? 10_000),
          })
        : await fetch(`${options.url}/v1/payments/${paymentId}`, {
            headers,
            signal: AbortSignal.timeout(options.timeoutMs ?? 10_000),
          });
    const body = (await response.json()) as { id?: string };
    return {
      kind,
      requestId,
      ...(key ? { key } : {}),
      startedAt,
      endedAt: performance.now(),
      status: response.status,
      ...(response.ok && body.id ? { paymentId: body.id } : {}),
    };
  } catch (error) {
    return {
      kind,
      requestId,
      ...(key ? { key } : {}),
      startedAt,
      endedAt: performance.now(),
      status: 0,
      error: error instanceof Error ? `${error.name}: ${error.message}` : String(error),
    };
  }
}

/** Polls a URL every intervalMs and records each status (0: no answer) with the time it arrived. */
export function startPolling(
  url: string,
  intervalMs = 100,
): { samples: { at: number; status: number }[]; stop(): Promise<void> } {
  const samples: { at: number; status: number }[] = [];
  let running = true;
  const loop = (async () => {
    while (running) {
      const status = await fetch(url, { signal: AbortSignal.timeout(3000) })
        .then(async (response) => {
          await response.arrayBuffer();
          return response.status;
        })
        .catch(() => 0);
      samples.push({ at: performance.now(), status });
      await new Promise((wait) => setTimeout(wait, intervalMs));
    }
  })();
  return {
    samples,
    stop: async () => {
      running = false;
      await loop;
    },
  };
}
