import { spawnSync } from 'node:child_process';
import { mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { formatPaymentMessage } from '@citadel/db';
import { createTestDatabase, type TestDatabase } from '@citadel/db/testing';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  bundleFunctions,
  functionBundle,
  functionNames,
  loadEnvironment,
  MAX_BUNDLE_BYTES,
  MAX_IMPORT_MS,
  measureImport,
  placeholderCaBundle,
  type BundledFunction,
} from '../scripts/bundle.js';
import { sqsEvent, sqsRecord } from './payment-processor/sqs-event.js';

describe('function bundles', () => {
  const outDir = mkdtempSync(join(tmpdir(), 'citadel-functions-'));
  const ca = placeholderCaBundle();
  let bundled: BundledFunction[];

  beforeAll(async () => {
    bundled = await bundleFunctions(outDir);
  }, 120_000);
  afterAll(() => {
    ca.remove();
    rmSync(outDir, { recursive: true, force: true });
  });

  it('bundles every handler folder', () => {
    expect(bundled.map((fn) => fn.name)).toEqual(functionNames());
    expect(functionNames()).toEqual(
      expect.arrayContaining([
        'cloudflare-certificate',
        'cloudflare-dns',
        'database-bootstrap',
        'deployment-check',
        'jwks-mirror',
        'payment-processor',
        'restore-validation',
      ]),
    );
  });

  it.each(functionNames())(
    'keeps %s within 1 MB minified and its import within the CPU budget',
    (name) => {
      const fn = bundled.find((candidate) => candidate.name === name) as BundledFunction;

      const timing = measureImport(fn.file, loadEnvironment(ca.path));

      expect(fn.bytes).toBeLessThanOrEqual(MAX_BUNDLE_BYTES);
      expect(timing.cpuMs).toBeLessThanOrEqual(MAX_IMPORT_MS);
    },
    60_000,
  );

  it('builds the same files for synth as for measurement', () => {
    // Prepare
    const measured = bundled.find((candidate) => candidate.name === 'payment-processor') as BundledFunction;

    // Act
    const forSynth = functionBundle('payment-processor');

    // Assess
    expect(forSynth.file).not.toBe(measured.file);
    expect(readdirSync(dirname(forSynth.file)).sort()).toEqual(readdirSync(dirname(measured.file)).sort());
    expect(readFileSync(forSynth.file).equals(readFileSync(measured.file))).toBe(true);
    expect(functionBundle('payment-processor')).toBe(forSynth);
  }, 120_000);

  it.each(['../db', 'shared', '', 'payment-processor/../cloudflare-dns'])(
    'fails when asked for the bundle of %j, which is no function folder',
    (name) => {
      expect(() => functionBundle(name)).toThrow(/a function is a folder there with a handler\.ts/);
    },
  );

  it('exports both Provider handlers from the certificate bundle', () => {
    const fn = bundled.find((candidate) => candidate.name === 'cloudflare-certificate') as BundledFunction;
    const script = `const m = await import(${JSON.stringify(pathToFileURL(fn.file).href)});
      process.stdout.write(JSON.stringify([typeof m.handler, typeof m.isComplete]));`;

    const child = spawnSync(process.execPath, ['--input-type=module', '-e', script], {
      env: loadEnvironment(ca.path),
      encoding: 'utf8',
    });

    // stderr may carry the AWS SDK's warning about Node 20 here; Lambda runs Node 22.
    expect(child.status, child.stderr).toBe(0);
    expect(JSON.parse(child.stdout)).toEqual(['function', 'function']);
  });

  it('leaves the migrations and Kysely out of the payment processor', () => {
    const fn = bundled.find((candidate) => candidate.name === 'payment-processor') as BundledFunction;

    const code = readFileSync(fn.file, 'utf8');

    expect(code).not.toContain('schema_migrations');
    expect(code).toContain('FOR UPDATE');
  });

  describe('the bundled payment processor, run by plain node', () => {
    let database: TestDatabase;
    let admin: pg.Pool;

    beforeAll(async () => {
      database = await createTestDatabase();
      admin = new pg.Pool({ connectionString: database.adminUrl, max: 1 });
    });
    afterAll(async () => {
      await admin.end();
      await database.drop();
    });

    it('settles a payment from an SQS event', async () => {
      // Prepare
      const patient = await admin.query<{ id: string }>(
        `INSERT INTO patients (name, date_of_birth, medical_record_number, created_by)
         VALUES ('Bundle Patient', '1970-01-01', 'MRN-BUNDLE-1', 'test') RETURNING id`,
      );
      const payment = await admin.query<{ id: string }>(
        `INSERT INTO payments (patient_id, amount, currency, description, created_by)
         VALUES ($1, 1500, 'EUR', 'visit', 'test') RETURNING id`,
        [patient.rows[0]?.id],
      );
      const paymentId = payment.rows[0]?.id as string;
      const event = sqsEvent(sqsRecord(formatPaymentMessage({ paymentId })));
      const fn = bundled.find((candidate) => candidate.name === 'payment-processor') as BundledFunction;
      const script = `const { handler } = await import(${JSON.stringify(pathToFileURL(fn.file).href)});
        const response = await handler(JSON.parse(process.env.EVENT), { awsRequestId: 'local' });
        process.stdout.write(JSON.stringify(response)); process.exit(0);`;

      // Act
      const child = spawnSync(process.execPath, ['--input-type=module', '-e', script], {
        env: {
          PATH: process.env.PATH,
          DATABASE_URL: database.processorUrl,
          POWERTOOLS_LOG_LEVEL: 'SILENT',
          EVENT: JSON.stringify(event),
        },
        encoding: 'utf8',
        timeout: 30_000,
      });

      // Assess
      expect(child.stderr).toBe('');
      expect(JSON.parse(child.stdout)).toEqual({ batchItemFailures: [] });
      const { rows } = await admin.query('SELECT status FROM payments WHERE id = $1', [paymentId]);
      expect(rows).toEqual([{ status: 'settled' }]);
    }, 60_000);
  });
});
