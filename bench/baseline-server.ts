import { createHash, randomUUID } from 'node:crypto';
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import pg from 'pg';
import { IDEMPOTENCY_WINDOW_HOURS } from '../packages/db/src/jobs/idempotency-retention.js';
import { PAYMENT_STATEMENTS } from '../packages/db/src/repositories/payment-statements.js';

/**
 * The benchmark's floor: a bare node:http + pg server that sends PaymentRepository's own
 * SQL text (PAYMENT_STATEMENTS, imported, never copied) in the same order, with no framework, no authentication, no validation, no logging
 * and no queue (the API's SendMessage has no counterpart here). Configured by DATABASE_URL,
 * PORT and DB_POOL_MAX.
 */
const pool = new pg.Pool({
  connectionString: process.env.DATABASE_URL,
  max: Number(process.env.DB_POOL_MAX ?? 20),
  statement_timeout: 5000,
});
pool.on('error', () => undefined);

const SUBJECT = 'baseline';
const PAYMENT_PATH = /^\/v1\/payments\/([0-9a-f-]{36})$/;

const server = createServer((request, response) => {
  handle(request, response).catch((error: unknown) => {
    send(response, 500, { error: String(error) });
  });
});
server.keepAliveTimeout = 65_000;
server.listen(Number(process.env.PORT ?? 8081), '127.0.0.1');
process.once('SIGTERM', () => {
  server.close();
  server.closeAllConnections();
  void pool.end().then(() => process.exit(0));
});

async function handle(request: IncomingMessage, response: ServerResponse): Promise<void> {
  const url = request.url ?? '/';
  if (request.method === 'GET' && (url === '/health' || url === '/ready')) {
    send(response, 200, { status: url === '/health' ? 'ok' : 'ready' });
    return;
  }
  const read = PAYMENT_PATH.exec(url);
  if (request.method === 'GET' && read) {
    const { rows } = await pool.query(PAYMENT_STATEMENTS.findByIdAudited, [
      read[1],
      SUBJECT,
      randomUUID(),
      request.socket.remoteAddress,
      'payment',
      'read',
    ]);
    if (rows[0]) send(response, 200, rows[0]);
    else send(response, 404, { error: 'not found' });
    return;
  }
  if (request.method === 'POST' && url === '/v1/payments') {
    const raw = await readBody(request);
    const payment = JSON.parse(raw) as {
      patientId: string;
      amount: number;
      currency: string;
      description: string;
    };
    const key = String(request.headers['idempotency-key']);
    const outcome = await createPayment(
      payment,
      key,
      createHash('sha256').update(raw).digest('hex'),
      request,
    );
    send(response, outcome.status, outcome.body);
    return;
  }
  send(response, 404, { error: 'not found' });
}

async function createPayment(
  payment: { patientId: string; amount: number; currency: string; description: string },
  key: string,
  requestHash: string,
  request: IncomingMessage,
): Promise<{ status: number; body: unknown }> {
  const stored = await pool.query(PAYMENT_STATEMENTS.findStoredResponse, [
    SUBJECT,
    key,
    false,
    IDEMPOTENCY_WINDOW_HOURS,
  ]);
  if (stored.rows[0]) return { status: stored.rows[0].status, body: stored.rows[0].body };
  const client = await pool.connect();
  try {
    await client.query('BEGIN');
    const inserted = await client.query(PAYMENT_STATEMENTS.insertPayment, [
      payment.patientId,
      payment.amount,
      payment.currency,
      payment.description,
      SUBJECT,
    ]);
    const row = inserted.rows[0] as { id: string };
    const claimed = await client.query(PAYMENT_STATEMENTS.claimKey, [
      SUBJECT,
      key,
      requestHash,
      row.id,
      201,
      JSON.stringify(row),
      IDEMPOTENCY_WINDOW_HOURS,
    ]);
    if (claimed.rowCount !== 1) {
      // Every benchmark request carries a fresh key; a refused claim is the harness's fault.
      await client.query('ROLLBACK');
      return { status: 409, body: { error: 'idempotency key already claimed' } };
    }
    await client.query(PAYMENT_STATEMENTS.auditCreate, [
      SUBJECT,
      row.id,
      randomUUID(),
      request.socket.remoteAddress,
    ]);
    await client.query('COMMIT');
    return { status: 201, body: row };
  } catch (error) {
    await client.query('ROLLBACK').catch(() => undefined);
    throw error;
  } finally {
    client.release();
  }
}

function readBody(request: IncomingMessage): Promise<string> {
  return new Promise((resolve, reject) => {
    let body = '';
    request.setEncoding('utf8');
    request.on('data', (chunk: string) => (body += chunk));
    request.on('end', () => resolve(body));
    request.on('error', reject);
  });
}

function send(response: ServerResponse, status: number, body: unknown): void {
  const text = JSON.stringify(body);
  response.writeHead(status, {
    'content-type': 'application/json',
    'content-length': Buffer.byteLength(text),
  });
  response.end(text);
}
