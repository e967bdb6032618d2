import { execFile } from 'node:child_process';
import { createHash, randomUUID } from 'node:crypto';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { createServer, type Server } from 'node:https';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import type { JSONWebKeySet } from 'jose';

export interface LoopbackServices {
  /** PEM of the self-signed certificate; give it to the API as NODE_EXTRA_CA_CERTS. */
  readonly caFile: string;
  readonly jwksUrl: string;
  readonly queueUrl: string;
  /** Payment ids received through SendMessage or SendMessageBatch, in order. */
  readonly queuedPaymentIds: readonly string[];
  /** TLS connections accepted so far: with keep-alive, far fewer than requests. */
  tlsConnections(): number;
  /** SendMessage and SendMessageBatch requests answered so far (payment ids ÷ this = messages per request). */
  queueRequests(): number;
  close(): Promise<void>;
}

/**
 * The two AWS-side services the API calls, stood in for on loopback HTTPS so the API can
 * run in `aws` mode unchanged: the identity provider's JWKS, and the SQS SendMessage
 * action (AWS JSON protocol, with the MD5 the SDK checks). The TLS certificate is
 * self-signed for 127.0.0.1 and made per run.
 */
export async function startLoopbackServices(jwks: JSONWebKeySet): Promise<LoopbackServices> {
  const dir = await mkdtemp(join(tmpdir(), 'citadel-loopback-'));
  const keyFile = join(dir, 'key.pem');
  const caFile = join(dir, 'cert.pem');
  await promisify(execFile)('openssl', [
    'req',
    '-x509',
    '-newkey',
    'ec',
    '-pkeyopt',
    'ec_paramgen_curve:prime256v1',
    '-nodes',
    '-keyout',
    keyFile,
    '-out',
    caFile,
    '-days',
    '1',
    '-subj',
    '/CN=127.0.0.1',
    '-addext',
    'subjectAltName=IP:127.0.0.1',
  ]);
  const jwksBody = JSON.stringify(jwks);
  const queuedPaymentIds: string[] = [];
  let queueRequests = 0;
  const server: Server = createServer(
    { key: await readFile(keyFile), cert: await readFile(caFile) },
    (request, response) => {
      if (request.method === 'GET' && request.url === '/.well-known/jwks.json') {
        response.writeHead(200, { 'content-type': 'application/json' }).end(jwksBody);
        return;
      }
      let raw = '';
      request.setEncoding('utf8');
      request.on('data', (chunk: string) => (raw += chunk));
      request.on('end', () => {
        const target = request.headers['x-amz-target'];
        const receive = (body: string) => {
          queuedPaymentIds.push((JSON.parse(body) as { paymentId: string }).paymentId);
          return { MessageId: randomUUID(), MD5OfMessageBody: createHash('md5').update(body).digest('hex') };
        };
        let answer: unknown;
        if (target === 'AmazonSQS.SendMessage' || target === 'AmazonSQS.SendMessageBatch') queueRequests += 1;
        if (target === 'AmazonSQS.SendMessage') {
          answer = receive((JSON.parse(raw) as { MessageBody: string }).MessageBody);
        } else if (target === 'AmazonSQS.SendMessageBatch') {
          const { Entries } = JSON.parse(raw) as { Entries: Array<{ Id: string; MessageBody: string }> };
          answer = {
            Successful: Entries.map((entry) => ({ Id: entry.Id, ...receive(entry.MessageBody) })),
            Failed: [],
          };
        } else {
          response
            .writeHead(400, { 'content-type': 'application/x-amz-json-1.0' })
            .end('{"__type":"InvalidAction"}');
          return;
        }
        response.writeHead(200, { 'content-type': 'application/x-amz-json-1.0' }).end(JSON.stringify(answer));
      });
    },
  );
  let tlsConnections = 0;
  server.on('secureConnection', () => (tlsConnections += 1));
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    caFile,
    jwksUrl: `https://127.0.0.1:${port}/.well-known/jwks.json`,
    queueUrl: `https://127.0.0.1:${port}/000000000000/citadel-payments`,
    queuedPaymentIds,
    tlsConnections: () => tlsConnections,
    queueRequests: () => queueRequests,
    close: async () => {
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
      await rm(dir, { recursive: true, force: true });
    },
  };
}
