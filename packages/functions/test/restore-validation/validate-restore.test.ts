import { randomUUID } from 'node:crypto';
import { PatientRepository, PaymentRepository } from '@citadel/db';
import { createTestDatabase, type TestDatabase } from '@citadel/db/testing';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { DrillEvidence } from '../../src/restore-validation/drill-evidence.js';
import type { RestoredConnection } from '../../src/restore-validation/restored-connection.js';
import type { RestoreValidationSettings } from '../../src/restore-validation/settings.js';
import { createRestoreValidation } from '../../src/restore-validation/validate-restore.js';
import { silentLogger } from '../silent-logger.js';
import {
  describedJob,
  FakeBackup,
  FakeStagedSecrets,
  JOB_ID,
  OTHER_PLAN_ARN,
  PLAN_ARN,
  restoreJobEvent,
  RESTORED_ARN,
  SECRET_ARN,
  SOURCE_HOST,
} from './fake-backup.js';

const settings: RestoreValidationSettings = {
  restoreTestingPlanArn: PLAN_ARN,
  masterSecretArn: SECRET_ARN,
  databaseName: 'citadel',
  caBundlePath: '/nonexistent/ca.pem',
  rtoMinutes: 240,
  metricNamespace: 'Citadel/dev',
  environmentName: 'dev',
};

/** The restored copy stands in as a fresh database on the embedded PostgreSQL, reached as its superuser (the master user). */
async function restoredCopy(prepare?: (admin: pg.Client) => Promise<void>): Promise<TestDatabase> {
  const database = await createTestDatabase();
  if (prepare) {
    const admin = new pg.Client({ connectionString: database.adminUrl });
    await admin.connect();
    try {
      await prepare(admin);
    } finally {
      await admin.end();
    }
  }
  return database;
}

function masterSecret(database: TestDatabase, password?: string): string {
  const url = new URL(database.adminUrl);
  return JSON.stringify({
    engine: 'postgres',
    host: SOURCE_HOST,
    port: 5432,
    dbname: 'citadel',
    username: decodeURIComponent(url.username),
    password: password ?? decodeURIComponent(url.password),
  });
}

interface Harness {
  readonly backup: FakeBackup;
  readonly secrets: FakeStagedSecrets;
  readonly connections: RestoredConnection[];
  readonly published: DrillEvidence[];
  readonly handler: ReturnType<typeof createRestoreValidation>;
}

function harness(
  database: TestDatabase | undefined,
  {
    job = describedJob(),
    stages,
    rtoMinutes = settings.rtoMinutes,
  }: { job?: ReturnType<typeof describedJob>; stages?: Record<string, string>; rtoMinutes?: number } = {},
): Harness {
  const backup = new FakeBackup(job);
  const secrets = new FakeStagedSecrets(
    stages ?? (database ? { AWSCURRENT: masterSecret(database) } : { AWSCURRENT: '{}' }),
  );
  const connections: RestoredConnection[] = [];
  const published: DrillEvidence[] = [];
  const handler = createRestoreValidation({
    backup,
    secrets,
    // The embedded PostgreSQL has no TLS (the TLS connector is checked in restored-connection.test.ts):
    // keep the host the function derived for the assertion, reach the test database instead.
    connect: (connection) => {
      connections.push(connection);
      if (!database)
        return new pg.Pool({ host: '127.0.0.1', port: 1, max: 1, connectionTimeoutMillis: 2000 });
      const url = new URL(database.adminUrl);
      return new pg.Pool({
        host: url.hostname,
        port: Number(url.port),
        database: database.name,
        user: connection.user,
        password: connection.password,
        max: 1,
      });
    },
    settings: { ...settings, rtoMinutes },
    logger: silentLogger('restore-validation'),
    publish: (evidence) => published.push(evidence),
    publishFreshness: () => {
      throw new Error('a restore event never emits the daily freshness metric');
    },
  });
  return { backup, secrets, connections, published, handler };
}

describe('restore validation', () => {
  const databases: TestDatabase[] = [];
  const track = (database: TestDatabase) => (databases.push(database), database);
  let migrated: TestDatabase;

  beforeAll(async () => {
    migrated = track(await restoredCopy());
    // One patient and one payment, created as the API creates them (each with its audit event).
    const pool = new pg.Pool({ connectionString: migrated.appUrl, max: 1 });
    try {
      const audit = { subject: 'user-1', requestId: null, sourceIp: null };
      const patient = await new PatientRepository(pool).create(
        { name: 'Ada Lovelace', dateOfBirth: '1815-12-10', medicalRecordNumber: 'MRN-0001' },
        audit,
      );
      await new PaymentRepository(pool).create(
        { patientId: patient.id, amount: 1200, currency: 'EUR', description: 'consultation' },
        { principal: 'user-1', key: randomUUID(), requestHash: 'h'.repeat(64) },
        audit,
        (payment) => ({ status: 201, body: { id: payment.id } }),
      );
    } finally {
      await pool.end();
    }
  });

  afterAll(async () => {
    await Promise.all(databases.map((database) => database.drop()));
  });

  it('reports SUCCESSFUL for a restored copy at the latest migration with its rows', async () => {
    const { backup, connections, published, handler } = harness(migrated);

    const result = await handler(restoreJobEvent());

    expect(result.outcome).toBe('SUCCESSFUL');
    expect(backup.calls).toEqual(['DescribeRestoreJob', 'PutRestoreValidationResult']);
    expect(backup.results).toEqual([
      expect.objectContaining({ RestoreJobId: JOB_ID, ValidationStatus: 'SUCCESSFUL' }),
    ]);
    expect(backup.results[0]?.ValidationStatusMessage).toMatch(/restored in 42 min \(RTO 240 min\)/);
    expect(connections[0]?.host).toBe(
      'awsbackup-restore-test-5e0f8a1b2c3d.c9akciq32.eu-west-1.rds.amazonaws.com',
    );
    expect(published).toEqual([
      expect.objectContaining({
        restoreJobId: JOB_ID,
        restoreMinutes: 42,
        withinRto: true,
        passed: true,
        rowCounts: { patients: 1, payments: 1, audit_events: 2, idempotency_keys: 1 },
      }),
    ]);
  });

  it('fails when the restored copy lacks the latest migration', async () => {
    const database = track(
      await restoredCopy(async (admin) => {
        await admin.query(
          `DELETE FROM schema_migrations WHERE name = (SELECT max(name) FROM schema_migrations)`,
        );
      }),
    );
    const { backup, handler } = harness(database);

    const result = await handler(restoreJobEvent());

    expect(result.outcome).toBe('FAILED');
    expect(backup.results[0]?.ValidationStatus).toBe('FAILED');
    expect(backup.results[0]?.ValidationStatusMessage).toMatch(/migration 0\d{3}_\w+ is not applied/);
  });

  it.each(['patients', 'payments', 'audit_events', 'idempotency_keys'])(
    'fails when table %s is missing',
    async (table) => {
      const database = track(
        await restoredCopy(async (admin) => {
          await admin.query(`DROP TABLE ${table} CASCADE`);
        }),
      );
      const { backup, handler } = harness(database);

      const result = await handler(restoreJobEvent());

      expect(result.outcome).toBe('FAILED');
      expect(backup.results[0]?.ValidationStatusMessage).toContain(`table ${table} cannot be read`);
    },
  );

  it('fails when audit events are fewer than the patients and payments that wrote them', async () => {
    const database = track(
      await restoredCopy(async (admin) => {
        await admin.query(
          `INSERT INTO patients (name, date_of_birth, medical_record_number, created_by) VALUES ('Grace Hopper', '1906-12-09', 'MRN-0002', 'user-1')`,
        );
      }),
    );
    const { backup, handler } = harness(database);

    await handler(restoreJobEvent());

    expect(backup.results[0]?.ValidationStatus).toBe('FAILED');
    expect(backup.results[0]?.ValidationStatusMessage).toMatch(/audit_events has 0 rows, fewer than the 1/);
  });

  it('still reports FAILED, with the reason, when the restored copy cannot be reached', async () => {
    const { backup, published, handler } = harness(undefined, {
      stages: {
        AWSCURRENT: JSON.stringify({
          host: SOURCE_HOST,
          port: 5432,
          username: 'citadel_master',
          password: 'x',
        }),
      },
    });

    const result = await handler(restoreJobEvent());

    expect(result.outcome).toBe('FAILED');
    expect(backup.calls).toEqual(['DescribeRestoreJob', 'PutRestoreValidationResult']);
    expect(backup.results[0]?.ValidationStatusMessage).toMatch(
      /cannot check the restored copy: .*ECONNREFUSED/,
    );
    expect(published[0]).toMatchObject({ passed: false, restoreMinutes: 42 });
  });

  it('still reports FAILED when the master secret cannot be read', async () => {
    const { backup, handler } = harness(undefined, { stages: {} });

    await handler(restoreJobEvent());

    expect(backup.results[0]?.ValidationStatus).toBe('FAILED');
    expect(backup.results[0]?.ValidationStatusMessage).toContain(
      `cannot read AWSCURRENT of secret ${SECRET_ARN}`,
    );
  });

  it('signs in with AWSPREVIOUS when the secret rotated after the recovery point was taken', async () => {
    const { backup, secrets, handler } = harness(migrated, {
      stages: { AWSCURRENT: masterSecret(migrated, 'rotated-later'), AWSPREVIOUS: masterSecret(migrated) },
    });

    await handler(restoreJobEvent());

    expect(secrets.requested).toEqual(['AWSCURRENT', 'AWSPREVIOUS']);
    expect(backup.results[0]?.ValidationStatus).toBe('SUCCESSFUL');
  });

  it('records a restore slower than the RTO as outside it', async () => {
    const { backup, published, handler } = harness(migrated, { rtoMinutes: 30 });

    await handler(restoreJobEvent());

    expect(published[0]).toMatchObject({ restoreMinutes: 42, rtoMinutes: 30, withinRto: false });
    expect(backup.results[0]?.ValidationStatusMessage).toContain('restored in 42 min (RTO 30 min)');
  });

  it('reports FAILED for a job AWS Backup says did not complete', async () => {
    const { backup, handler } = harness(migrated, { job: describedJob({ Status: 'FAILED' }) });

    await handler(restoreJobEvent());

    expect(backup.results[0]).toMatchObject({ ValidationStatus: 'FAILED' });
    expect(backup.results[0]?.ValidationStatusMessage).toContain('status is FAILED, not COMPLETED');
  });

  describe('events that are not a completed restore test of this plan', () => {
    it.each<[string, unknown, RegExp]>([
      ['null', null, /restore event \(event\) = null: expected an EventBridge event object/],
      ['a string', 'Restore Job State Change', /\(event\) = "Restore Job State Change"/],
      ['an array', [restoreJobEvent()], /\(event\) = \[/],
      ['an empty object', {}, /source = undefined: expected "aws.backup"/],
      ['another source', { ...restoreJobEvent(), source: 'custom.backup' }, /source = "custom.backup"/],
      [
        'a backup job event',
        { ...restoreJobEvent(), 'detail-type': 'Backup Job State Change' },
        /detail-type = "Backup Job State Change": expected "Restore Job State Change"/,
      ],
      [
        'a look-alike detail-type',
        { ...restoreJobEvent(), 'detail-type': 'Restore Job State Change ' },
        /detail-type = "Restore Job State Change "/,
      ],
      ['no detail', { ...restoreJobEvent(), detail: undefined }, /detail = undefined: expected an object/],
      ['a detail array', { ...restoreJobEvent(), detail: [] }, /detail = \[\]: expected an object/],
      ['no status', restoreJobEvent({ status: undefined }), /detail.status = undefined/],
      ['a numeric status', restoreJobEvent({ status: 1 }), /detail.status = 1: expected a job status string/],
      ['no job id', restoreJobEvent({ restoreJobId: undefined }), /detail.restoreJobId = undefined/],
      ['a numeric job id', restoreJobEvent({ restoreJobId: 42 }), /detail.restoreJobId = 42/],
      ['a path in the job id', restoreJobEvent({ restoreJobId: '../restore-jobs/other' }), /restore-jobs/],
      [
        'an injected job id',
        restoreJobEvent({ restoreJobId: "x'; DROP TABLE patients; --" }),
        /detail.restoreJobId = "x'; DROP TABLE patients; --"/,
      ],
      ['a Unicode job id', restoreJobEvent({ restoreJobId: 'ЈОВ-ıd-😀' }), /detail.restoreJobId/],
      [
        'an oversize job id',
        restoreJobEvent({ restoreJobId: 'A'.repeat(101) }),
        /detail.restoreJobId = "A{101}"/,
      ],
    ])('fails on %s with an error naming the field, reporting nothing', async (_, event, message) => {
      const { backup, published, handler } = harness(migrated);

      await expect(handler(event)).rejects.toThrow(message);

      expect(backup.calls).toEqual([]);
      expect(backup.results).toEqual([]);
      expect(published).toEqual([]);
    });

    it.each([
      ['a running job', 'RUNNING'],
      ['a failed job', 'FAILED'],
      ['a lower-case status', 'completed'],
    ])('ignores %s without calling AWS Backup', async (_, status) => {
      const { backup, published, handler } = harness(migrated);

      const result = await handler(restoreJobEvent({ status }));

      expect(result.outcome).toBe('ignored');
      expect(backup.calls).toEqual([]);
      expect(published).toEqual([]);
    });

    it('judges the plan by DescribeRestoreJob alone: a plan ARN claimed in the event changes nothing', async () => {
      const { backup, connections, published, handler } = harness(migrated, {
        job: describedJob({ CreatedBy: { RestoreTestingPlanArn: OTHER_PLAN_ARN } }),
      });

      const result = await handler(restoreJobEvent({ restoreTestingPlanArn: PLAN_ARN }));

      expect(result.outcome).toBe('ignored');
      expect(backup.calls).toEqual(['DescribeRestoreJob']);
      expect(backup.results).toEqual([]);
      expect(connections).toEqual([]);
      expect(published).toEqual([]);
    });

    it('reports nothing when AWS Backup says the job belongs to another plan', async () => {
      const { backup, connections, handler } = harness(migrated, {
        job: describedJob({ CreatedBy: { RestoreTestingPlanArn: OTHER_PLAN_ARN } }),
      });

      const result = await handler(restoreJobEvent());

      expect(result.outcome).toBe('ignored');
      expect(backup.calls).toEqual(['DescribeRestoreJob']);
      expect(connections).toEqual([]);
    });

    it('reports nothing when AWS Backup says the job is no restore test', async () => {
      const { backup, handler } = harness(migrated, { job: describedJob({ CreatedBy: undefined }) });

      await handler(restoreJobEvent());

      expect(backup.calls).toEqual(['DescribeRestoreJob']);
    });
  });

  it('names the restored copy from the created resource, never from the event alone', async () => {
    const { connections, handler } = harness(migrated, {
      job: describedJob({ CreatedResourceArn: RESTORED_ARN.replace('5e0f8a1b2c3d', 'from-backup') }),
    });

    await handler(
      restoreJobEvent({ createdResourceArn: RESTORED_ARN.replace('5e0f8a1b2c3d', 'from-event') }),
    );

    expect(connections[0]?.host).toMatch(/^awsbackup-restore-test-from-backup\./);
  });
});
