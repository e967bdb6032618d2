import { createTestDatabase, type TestDatabase } from '@citadel/db/testing';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createDatabaseBootstrap } from '../../src/database-bootstrap/bootstrap-handler.js';
import type { MasterConnection } from '../../src/database-bootstrap/master-connection.js';
import { DatabaseBootstrapError, ResourcePropertiesError, SecretValueError } from '../../src/errors.js';
import { customResourceEvent } from '../custom-resource-event.js';
import { FakeSecrets } from '../fake-secrets.js';
import { silentLogger } from '../silent-logger.js';

const MASTER_SECRET_ARN = 'arn:aws:secretsmanager:eu-west-1:123456789012:secret:citadel-dev-db-master-AbCdEf';
const BROKEN_SECRET_ARN = 'arn:aws:secretsmanager:eu-west-1:123456789012:secret:citadel-dev-db-broken-AbCdEf';

describe('database bootstrap custom resource', () => {
  let database: TestDatabase;
  let admin: pg.Pool;
  let secrets: FakeSecrets;
  let connections: MasterConnection[];
  let handler: ReturnType<typeof createDatabaseBootstrap>;
  let properties: Record<string, string>;

  beforeAll(async () => {
    database = await createTestDatabase({ migrate: false });
    admin = new pg.Pool({ connectionString: database.adminUrl, max: 2 });
    // RDS provides the rds_iam role; a plain PostgreSQL needs it created (once per cluster).
    await admin.query(`DO $$ BEGIN CREATE ROLE rds_iam NOLOGIN;
      EXCEPTION WHEN duplicate_object OR unique_violation THEN NULL; END $$`);
    const url = new URL(database.adminUrl);
    secrets = new FakeSecrets({
      [MASTER_SECRET_ARN]: JSON.stringify({
        engine: 'postgres',
        host: url.hostname,
        port: Number(url.port),
        username: decodeURIComponent(url.username),
        password: decodeURIComponent(url.password),
        dbname: 'postgres',
      }),
      [BROKEN_SECRET_ARN]: 'not-json-value',
    });
    connections = [];
    // The embedded PostgreSQL has no TLS; the TLS connector is checked in master-connection.test.ts.
    handler = createDatabaseBootstrap({
      secrets,
      connectMaster: (connection) => {
        connections.push(connection);
        return new pg.Pool({ ...connection, max: 1 });
      },
      logger: silentLogger('database-bootstrap'),
    });
    properties = { MasterSecretArn: MASTER_SECRET_ARN, DbName: database.name, AppUser: 'citadel_app' };
  });
  afterAll(async () => {
    await admin.end();
    await database.drop();
  });

  async function appRoleState(): Promise<{ login: boolean; rds_iam: boolean; audit_writes: string[] }> {
    const { rows } = await admin.query(
      `SELECT rolcanlogin AS login,
              pg_has_role('citadel_app', 'rds_iam', 'MEMBER') AS rds_iam,
              ARRAY(SELECT p FROM unnest(ARRAY['UPDATE', 'DELETE', 'TRUNCATE']) AS p
                     WHERE has_table_privilege('citadel_app', 'audit_events', p)) AS audit_writes
         FROM pg_roles WHERE rolname = 'citadel_app'`,
    );
    return rows[0];
  }

  it('migrates a fresh database, enables IAM login and keeps the audit trail read-only on Create', async () => {
    // Act
    const response = await handler(customResourceEvent('Create', properties));

    // Assess
    expect(response).toEqual({
      PhysicalResourceId: `database-bootstrap/${database.name}/citadel_app`,
      Data: { AppUser: 'citadel_app', MigrationsApplied: '2' },
    });
    expect(secrets.requested).toEqual([MASTER_SECRET_ARN]);
    expect(connections.at(-1)).toMatchObject({ database: database.name });
    expect(await appRoleState()).toEqual({ login: true, rds_iam: true, audit_writes: [] });
    const tables = await admin.query(`SELECT to_regclass('payments') IS NOT NULL AS present`);
    expect(tables.rows[0]).toEqual({ present: true });
  });

  it('changes nothing and keeps the physical id on a repeated Update', async () => {
    // Prepare
    const physicalResourceId = `database-bootstrap/${database.name}/citadel_app`;
    await admin.query(
      `INSERT INTO patients (name, date_of_birth, medical_record_number, created_by)
       VALUES ('Kept Patient', '1990-02-03', 'MRN-KEEP-1', 'test')`,
    );

    // Act
    const first = await handler(
      customResourceEvent('Update', properties, { physicalResourceId, oldProperties: properties }),
    );
    const second = await handler(
      customResourceEvent('Update', properties, { physicalResourceId, oldProperties: properties }),
    );

    // Assess
    expect(first).toEqual({
      PhysicalResourceId: physicalResourceId,
      Data: { AppUser: 'citadel_app', MigrationsApplied: '0' },
    });
    expect(second).toEqual(first);
    expect(await appRoleState()).toEqual({ login: true, rds_iam: true, audit_writes: [] });
    const kept = await admin.query(
      `SELECT count(*)::int AS n FROM patients WHERE medical_record_number = 'MRN-KEEP-1'`,
    );
    expect(kept.rows[0]).toEqual({ n: 1 });
  });

  it('leaves the database untouched on Delete, without reading the secret', async () => {
    const physicalResourceId = `database-bootstrap/${database.name}/citadel_app`;
    const requestedBefore = secrets.requested.length;
    const connectionsBefore = connections.length;

    const response = await handler(customResourceEvent('Delete', properties, { physicalResourceId }));

    expect(response).toEqual({ PhysicalResourceId: physicalResourceId });
    expect(secrets.requested).toHaveLength(requestedBefore);
    expect(connections).toHaveLength(connectionsBefore);
    expect(await appRoleState()).toEqual({ login: true, rds_iam: true, audit_writes: [] });
    const kept = await admin.query(`SELECT count(*)::int AS n FROM patients`);
    expect(kept.rows[0]).toEqual({ n: 1 });
  });

  it('fails when the application role could still change the audit trail through PUBLIC', async () => {
    // Prepare
    await admin.query('GRANT UPDATE ON audit_events TO PUBLIC');

    try {
      // Act
      const act = handler(customResourceEvent('Create', properties));

      // Assess
      await expect(act).rejects.toThrow(DatabaseBootstrapError);
      await expect(handler(customResourceEvent('Create', properties))).rejects.toThrow(
        /role citadel_app can still UPDATE audit_events/,
      );
    } finally {
      await admin.query('REVOKE UPDATE ON audit_events FROM PUBLIC');
    }
  });

  it.each([
    ['MasterSecretArn is missing', { MasterSecretArn: undefined }, /property MasterSecretArn is required/],
    [
      'MasterSecretArn is not a secret ARN',
      { MasterSecretArn: 'citadel/db' },
      /must be a Secrets Manager secret ARN/,
    ],
    ['DbName is missing', { DbName: '' }, /property DbName is required/],
    [
      'AppUser is not an identifier',
      { AppUser: 'app; DROP ROLE x' },
      /AppUser must be a lower-case PostgreSQL identifier/,
    ],
    ['DbPort is not a port', { DbPort: 'five' }, /DbPort must be a TCP port number, got "five"/],
  ])('fails when %s, before reading any secret', async (_case, override, message) => {
    const requestedBefore = secrets.requested.length;

    const act = handler(customResourceEvent('Create', { ...properties, ...override }));

    await expect(act).rejects.toThrow(ResourcePropertiesError);
    await expect(handler(customResourceEvent('Create', { ...properties, ...override }))).rejects.toThrow(
      message,
    );
    expect(secrets.requested).toHaveLength(requestedBefore);
  });

  it('fails when the master secret is not JSON, without quoting it', async () => {
    const act = handler(customResourceEvent('Create', { ...properties, MasterSecretArn: BROKEN_SECRET_ARN }));

    await expect(act).rejects.toThrow(SecretValueError);
    await expect(
      handler(customResourceEvent('Create', { ...properties, MasterSecretArn: BROKEN_SECRET_ARN })),
    ).rejects.toThrow(expect.objectContaining({ message: expect.not.stringContaining('not-json-value') }));
  });
});
