import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { Fetch } from '../../src/jwks-mirror/fetch-key-set.js';

export interface KeySetRoute {
  readonly status?: number;
  readonly contentType?: string;
  readonly body?: string;
  readonly headers?: Record<string, string>;
  /** Bytes streamed (chunked, no content-length) instead of `body`. */
  readonly streamBytes?: number;
  /** Never answers. */
  readonly hang?: boolean;
}

/**
 * An identity provider on 127.0.0.1 serving whatever each test puts in `routes`, and a
 * fetch that reaches it: the mirror asks for `https://127.0.0.1:<port>/...` and the fetch
 * stands in for TLS by sending the request over plain HTTP to this server.
 */
export class KeySetServer {
  readonly routes = new Map<string, KeySetRoute>();
  readonly requested: string[] = [];
  private server: Server | undefined;
  private port = 0;

  async start(): Promise<void> {
    this.server = createServer((request, response) => {
      this.requested.push(request.url ?? '');
      const route = this.routes.get(request.url ?? '');
      if (!route) {
        response.writeHead(404, { 'content-type': 'text/plain' }).end('not found');
        return;
      }
      if (route.hang) return;
      response.writeHead(route.status ?? 200, {
        'content-type': route.contentType ?? 'application/json',
        ...route.headers,
      });
      if (route.streamBytes !== undefined) {
        const chunk = Buffer.alloc(16 * 1024, 0x20);
        let sent = 0;
        const pump = (): void => {
          while (sent < route.streamBytes!) {
            sent += chunk.length;
            if (!response.write(chunk)) return void response.once('drain', pump);
          }
          response.end();
        };
        response.on('error', () => undefined);
        pump();
        return;
      }
      response.end(route.body ?? '');
    });
    await new Promise<void>((resolve) => this.server!.listen(0, '127.0.0.1', resolve));
    this.port = (this.server.address() as AddressInfo).port;
  }

  async stop(): Promise<void> {
    this.server?.closeAllConnections();
    await new Promise<void>((resolve) => this.server?.close(() => resolve()));
  }

  /** The https URL the mirror is configured with. */
  url(path: string, protocol: 'https:' | 'http:' = 'https:'): string {
    return `${protocol}//127.0.0.1:${this.port}${path}`;
  }

  readonly fetch: Fetch = (url, init) => {
    const target = new URL(url);
    if (target.protocol !== 'https:' || target.hostname !== '127.0.0.1') {
      return Promise.reject(new TypeError(`the test fetch reaches only https://127.0.0.1, not ${url}`));
    }
    target.protocol = 'http:';
    return fetch(target, init);
  };
}
