import { randomUUID } from 'node:crypto';
import { createServer, type AddressInfo } from 'node:net';
import { SendMessageBatchCommand, type SendMessageBatchCommandOutput } from '@aws-sdk/client-sqs';
import { createTestDatabase, type TestDatabase } from '@citadel/db/testing';
import pg from 'pg';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { EXIT_FAILURE, EXIT_SUCCESS, EXIT_USAGE, runJobCommand } from '../../src/jobs/job-command.js';

const QUEUE_URL = 'https://sqs.eu-west-1.amazonaws.com/111111111111/citadel-payments';

interface Entry {
  Id: string;
  MessageBody: string;
}

/** The SQS client at the AWS API boundary: records each SendMessageBatch and answers in SQS's own shape. */
function fakeSqs(refuse: (entry: Entry) => boolean = () => false) {
  const batches: Entry[][] = [];
  const client = {
    send: async (command: unknown): Promise<SendMessageBatchCommandOutput> => {
      expect(command).toBeInstanceOf(SendMessageBatchCommand);
      const input = (command as SendMessageBatchCommand).input;
      expect(input.QueueUrl).toBe(QUEUE_URL);
      const entries = input.Entries as Entry[];
      batches.push(entries);
      return {
        $metadata: { httpStatusCode: 200, requestId: randomUUID(), attempts: 1, totalRetryDelay: 0 },
        Successful: entries
          .filter((entry) => !refuse(entry))
          .map((entry) => ({
            Id: entry.Id,
            MessageId: randomUUID(),
            MD5OfMessageBody: '0123456789abcdef0123456789abcdef',
          })),
        Failed: entries.filter(refuse).map((entry) => ({
          Id: entry.Id,
          SenderFault: false,
          Code: 'InternalError',
          Message: 'We encountered an internal error. Please try again.',
        })),
      };
    },
  };
  const sentIds = () =>
    batches.flat().map((entry) => (JSON.parse(entry.MessageBody) as { paymentId: string }).paymentId);
  return { client, batches, sentIds };
}

function logCollector() {
  const lines: string[] = [];
  return {
    stream: { write: (line: string) => void lines.push(line) },
    lines,
    only: () => {
      expect(lines).toHaveLength(1);
      return JSON.parse(lines[0] as string) as Record<string, unknown>;
    },
  };
}

describe('node jobs.mjs <job-name>', () => {
  let database: TestDatabase;
  let admin: pg.Pool;

  async function stalePendingPayment(): Promise<string> {
    const patient = await admin.query<{ id: string }>(
      `INSERT INTO patients (name, date_of_birth, medical_record_number, created_by)
       VALUES ('Jane Roe', '1980-01-01', gen_random_uuid()::text, 'test') RETURNING id`,
    );
    const payment = await admin.query<{ id: string }>(
      `INSERT INTO payments (patient_id, amount, currency, description, created_by, created_at)
       VALUES ($1, 2500, 'EUR', 'consultation', 'test', now() - interval '1 hour') RETURNING id`,
      [patient.rows[0]?.id],
    );
    return payment.rows[0]?.id as string;
  }

  beforeAll(async () => {
    database = await createTestDatabase();
    admin = new pg.Pool({ connectionString: database.adminUrl, max: 2 });
  });
  beforeEach(async () => {
    await admin.query(
      `UPDATE payments SET status = 'failed', failure_reason = 'test', processed_at = now() WHERE status = 'pending'`,
    );
  });
  afterAll(async () => {
    await admin.end();
    await database.drop();
  });

  it.each([
    ['no job name', []],
    ['an unknown job name', ['vacuum']],
    ['an inherited property name', ['__proto__']],
    ['a second argument', ['idempotency-retention', 'extra']],
  ])('exits 2 with the list of jobs when given %s', async (_case, args) => {
    // Prepare
    const logs = logCollector();

    // Act
    const code = await runJobCommand(args, {}, { logStream: logs.stream });

    // Assess
    expect(code).toBe(EXIT_USAGE);
    expect(logs.only()).toMatchObject({
      level: 'error',
      service: 'citadel-jobs',
      jobs: ['idempotency-retention', 'payment-outbox'],
    });
  });

  it('fails naming every missing variable when IAM sign-in is incomplete', async () => {
    // Prepare
    const logs = logCollector();

    // Act
    const code = await runJobCommand(
      ['idempotency-retention'],
      { DB_AUTH: 'iam' },
      { logStream: logs.stream },
    );

    // Assess
    expect(code).toBe(EXIT_FAILURE);
    const line = logs.only();
    expect(line).toMatchObject({
      job: 'idempotency-retention',
      outcome: 'failed',
      error: { type: 'ConfigError' },
    });
    const message = (line.error as { message: string }).message;
    for (const name of ['DB_HOST', 'AWS_REGION', 'DB_CA_BUNDLE_PATH']) expect(message).toContain(name);
  });

  it.each([
    ['DB_PORT', { DB_PORT: '70000' }],
    ['DB_AUTH', { DB_AUTH: 'password' }],
  ])('fails naming %s when it is out of range', async (name, env) => {
    // Prepare
    const logs = logCollector();
    const base = { DB_HOST: 'db.internal', AWS_REGION: 'eu-west-1', DB_CA_BUNDLE_PATH: '/etc/ca.pem' };

    // Act
    const code = await runJobCommand(
      ['idempotency-retention'],
      { ...base, ...env },
      { logStream: logs.stream },
    );

    // Assess
    expect(code).toBe(EXIT_FAILURE);
    expect(JSON.stringify(logs.only())).toContain(`${name}:`);
  });

  it('fails without repeating a DATABASE_URL that is not a postgres URL, which may hold a password', async () => {
    // Prepare
    const logs = logCollector();

    // Act
    const code = await runJobCommand(
      ['idempotency-retention'],
      { DATABASE_URL: 'mysql://retention:s3cret-password@db/citadel' },
      { logStream: logs.stream },
    );

    // Assess
    expect(code).toBe(EXIT_FAILURE);
    expect(logs.lines.join('')).toContain('DATABASE_URL');
    expect(logs.lines.join('')).not.toContain('s3cret-password');
  });

  it.each([
    ['not set', {}],
    ['not an SQS queue URL', { PAYMENTS_QUEUE_URL: 'https://attacker.example/queue' }],
  ])('fails the outbox naming PAYMENTS_QUEUE_URL when it is %s', async (_case, env) => {
    // Prepare
    const logs = logCollector();
    const sqs = fakeSqs();

    // Act
    const code = await runJobCommand(
      ['payment-outbox'],
      { DATABASE_URL: database.outboxUrl, ...env },
      { logStream: logs.stream, sqsClient: sqs.client },
    );

    // Assess
    expect(code).toBe(EXIT_FAILURE);
    expect(JSON.stringify(logs.only())).toContain('PAYMENTS_QUEUE_URL');
    expect(sqs.batches).toEqual([]);
  });

  it('runs the retention job as citadel_retention and logs one line with its counts', async () => {
    // Prepare
    const paymentId = await stalePendingPayment();
    await admin.query(
      `INSERT INTO idempotency_keys (principal, key, request_hash, payment_id, response_status, response_body, created_at)
       VALUES ('user-1', gen_random_uuid(), 'h', $1, 201, '{}', now() - interval '2 days')`,
      [paymentId],
    );
    const logs = logCollector();

    // Act
    const code = await runJobCommand(
      ['idempotency-retention'],
      { DATABASE_URL: database.retentionUrl },
      { logStream: logs.stream },
    );

    // Assess
    expect(code).toBe(EXIT_SUCCESS);
    expect(logs.only()).toMatchObject({
      level: 'info',
      service: 'citadel-jobs',
      msg: 'maintenance job finished',
      event: 'job_succeeded',
      job: 'idempotency-retention',
      outcome: 'success',
      deleted: 1,
      complete: true,
      runId: expect.any(String),
      durationMs: expect.any(Number),
    });
  });

  it('sends stale payments to SQS in batches of at most ten, and logs counts but no payment id', async () => {
    // Prepare
    const ids: string[] = [];
    for (let i = 0; i < 23; i += 1) ids.push(await stalePendingPayment());
    const logs = logCollector();
    const sqs = fakeSqs();

    // Act
    const code = await runJobCommand(
      ['payment-outbox'],
      { DATABASE_URL: database.outboxUrl, PAYMENTS_QUEUE_URL: QUEUE_URL },
      { logStream: logs.stream, sqsClient: sqs.client },
    );

    // Assess
    expect(code).toBe(EXIT_SUCCESS);
    expect([...sqs.sentIds()].sort()).toEqual([...ids].sort());
    expect(sqs.batches.every((batch) => batch.length <= 10)).toBe(true);
    expect(logs.only()).toMatchObject({ job: 'payment-outbox', outcome: 'success', sent: 23 });
    for (const id of ids) expect(logs.lines[0]).not.toContain(id);
  });

  it('exits 1 when SQS refuses some messages, leaving those payments pending for the next run', async () => {
    // Prepare
    const ids = [await stalePendingPayment(), await stalePendingPayment(), await stalePendingPayment()];
    const logs = logCollector();
    const sqs = fakeSqs((entry) => entry.Id === '1');

    // Act
    const code = await runJobCommand(
      ['payment-outbox'],
      { DATABASE_URL: database.outboxUrl, PAYMENTS_QUEUE_URL: QUEUE_URL },
      { logStream: logs.stream, sqsClient: sqs.client },
    );

    // Assess
    expect(code).toBe(EXIT_FAILURE);
    expect(logs.only()).toMatchObject({
      job: 'payment-outbox',
      outcome: 'failed',
      error: { type: 'PaymentResendError', message: 'the queue refused 1 of 3 payments' },
    });
    const { rows } = await admin.query<{ status: string }>('SELECT status FROM payments WHERE id = ANY($1)', [
      ids,
    ]);
    expect(rows.map((row) => row.status)).toEqual(['pending', 'pending', 'pending']);
  });

  it('exits 1 with the SQLSTATE when a job signs in as a role without its privileges', async () => {
    // Prepare
    const logs = logCollector();

    // Act
    const code = await runJobCommand(
      ['idempotency-retention'],
      { DATABASE_URL: database.outboxUrl },
      { logStream: logs.stream },
    );

    // Assess
    expect(code).toBe(EXIT_FAILURE);
    expect(logs.only()).toMatchObject({ outcome: 'failed', error: { code: '42501' } });
  });

  it('exits 1 when the database cannot be reached', async () => {
    // Prepare
    const logs = logCollector();

    // Act
    const code = await runJobCommand(
      ['idempotency-retention'],
      { DATABASE_URL: 'postgres://citadel_retention@127.0.0.1:1/citadel' },
      { logStream: logs.stream },
    );

    // Assess
    expect(code).toBe(EXIT_FAILURE);
    expect(logs.only()).toMatchObject({
      event: 'job_failed',
      job: 'idempotency-retention',
      outcome: 'failed',
    });
  });

  it('stops a run that outlives JOB_TIMEOUT_SECONDS and exits 1, so a hung job cannot pile up', async () => {
    // Prepare: a "database" that accepts the connection and never answers.
    const silent = createServer(() => undefined);
    await new Promise<void>((resolve) => silent.listen(0, '127.0.0.1', resolve));
    const { port } = silent.address() as AddressInfo;
    const logs = logCollector();
    const started = performance.now();

    // Act
    const code = await runJobCommand(
      ['idempotency-retention'],
      { DATABASE_URL: `postgres://citadel_retention@127.0.0.1:${port}/citadel`, JOB_TIMEOUT_SECONDS: '1' },
      { logStream: logs.stream },
    );
    silent.close();

    // Assess
    expect(code).toBe(EXIT_FAILURE);
    expect(performance.now() - started).toBeLessThan(5000);
    expect(logs.only()).toMatchObject({ event: 'job_failed', outcome: 'timed_out' });
  });

  it.each(['0', '-5', '1.5', 'ten', '604801', '1e3', '\u0661'])(
    'refuses JOB_TIMEOUT_SECONDS=%s, naming it, before touching the database',
    async (value) => {
      const logs = logCollector();

      const code = await runJobCommand(
        ['idempotency-retention'],
        { DATABASE_URL: database.retentionUrl, JOB_TIMEOUT_SECONDS: value },
        { logStream: logs.stream },
      );

      expect(code).toBe(EXIT_FAILURE);
      expect(JSON.stringify(logs.only())).toContain('JOB_TIMEOUT_SECONDS');
    },
  );
});
