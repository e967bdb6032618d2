import { readdirSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { createTestDatabase, type TestDatabase } from '@citadel/db/testing';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createDatabaseBootstrap } from '../../src/database-bootstrap/bootstrap-handler.js';
import type { MasterConnection } from '../../src/database-bootstrap/master-connection.js';
import { DatabaseBootstrapError, ResourcePropertiesError, SecretValueError } from '../../src/errors.js';
import { customResourceEvent } from '../custom-resource-event.js';
import { FakeSecrets } from '../fake-secrets.js';
import { silentLogger } from '../silent-logger.js';

/** The migration files a fresh database receives, whatever their number by now. */
const MIGRATION_COUNT = readdirSync(
  fileURLToPath(new URL('../../../db/src/migrations/', import.meta.url)),
).filter((name) => /^\d{4}_\w+\.ts$/.test(name)).length;
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
    properties = {
      MasterSecretArn: MASTER_SECRET_ARN,
      DbName: database.name,
      AppUser: 'citadel_app',
      ProcessorUser: 'citadel_processor',
    };
  });
  afterAll(async () => {
    await admin.end();
    await database.drop();
  });

  interface RoleState {
    login: boolean;
    rds_iam: boolean;
    audit_writes: string[];
    updates_payment_status: boolean;
    patient_privileges: string[];
  }

  async function roleState(role: string): Promise<RoleState> {
    const { rows } = await admin.query<RoleState>(
      `SELECT rolcanlogin AS login,
              pg_has_role($1, 'rds_iam', 'MEMBER') AS rds_iam,
              ARRAY(SELECT p FROM unnest(ARRAY['UPDATE', 'DELETE', 'TRUNCATE']) AS p
                     WHERE has_table_privilege($1, 'audit_events', p)) AS audit_writes,
              has_column_privilege($1, 'payments', 'status', 'UPDATE') AS updates_payment_status,
              ARRAY(SELECT p FROM unnest(ARRAY['SELECT', 'INSERT', 'UPDATE', 'DELETE']) AS p
                     WHERE has_table_privilege($1, 'patients', p)) AS patient_privileges
         FROM pg_roles WHERE rolname = $1`,
      [role],
    );
    const state = rows[0];
    if (!state) throw new Error(`role ${role} does not exist`);
    return state;
  }

  const API_ROLE: RoleState = {
    login: true,
    rds_iam: true,
    audit_writes: [],
    updates_payment_status: false,
    patient_privileges: ['SELECT', 'INSERT'],
  };
  const PROCESSOR_ROLE: RoleState = {
    login: true,
    rds_iam: true,
    audit_writes: [],
    updates_payment_status: true,
    patient_privileges: [],
  };

  async function appRoleState(): Promise<RoleState> {
    return roleState('citadel_app');
  }

  it('migrates a fresh database, enables IAM login for the API and processor roles and keeps the audit trail read-only on Create', async () => {
    // Act
    const response = await handler(customResourceEvent('Create', properties));

    // Assess
    expect(response).toEqual({
      PhysicalResourceId: `database-bootstrap/${database.name}/citadel_app`,
      Data: {
        AppUser: 'citadel_app',
        ProcessorUser: 'citadel_processor',
        LoginRoles: 'citadel_app,citadel_processor',
        MigrationsApplied: String(MIGRATION_COUNT),
      },
    });
    expect(secrets.requested).toEqual([MASTER_SECRET_ARN]);
    expect(connections.at(-1)).toMatchObject({ database: database.name });
    expect(await appRoleState()).toEqual(API_ROLE);
    expect(await roleState('citadel_processor')).toEqual(PROCESSOR_ROLE);
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
      Data: {
        AppUser: 'citadel_app',
        ProcessorUser: 'citadel_processor',
        LoginRoles: 'citadel_app,citadel_processor',
        MigrationsApplied: '0',
      },
    });
    expect(second).toEqual(first);
    expect(await appRoleState()).toEqual(API_ROLE);
    expect(await roleState('citadel_processor')).toEqual(PROCESSOR_ROLE);
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
    expect(await appRoleState()).toEqual(API_ROLE);
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
    [
      'PUBLIC',
      'GRANT UPDATE (status) ON payments TO PUBLIC',
      'REVOKE UPDATE (status) ON payments FROM PUBLIC',
    ],
    [
      'membership of the processor role',
      'GRANT citadel_processor TO citadel_app',
      'REVOKE citadel_processor FROM citadel_app',
    ],
  ])(
    'fails when the API role could still change a payment status through %s',
    async (_path, grant, revoke) => {
      // Prepare
      await admin.query(grant);

      try {
        // Act
        const act = handler(customResourceEvent('Create', properties));

        // Assess
        await expect(act).rejects.toThrow(/role citadel_app can still UPDATE payments\.status/);
      } finally {
        await admin.query(revoke);
      }
    },
  );

  it('fails when the processor role could still read or write patients', async () => {
    // Prepare
    await admin.query('GRANT SELECT ON patients TO citadel_processor');

    try {
      // Act
      const act = handler(customResourceEvent('Create', properties));

      // Assess
      await expect(act).rejects.toThrow(/role citadel_processor can still SELECT patients/);
    } finally {
      await admin.query('REVOKE SELECT ON patients FROM citadel_processor');
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
    ['ProcessorUser is missing', { ProcessorUser: undefined }, /property ProcessorUser is required/],
    [
      'ProcessorUser is not an identifier',
      { ProcessorUser: 'citadel_processor"; GRANT' },
      /ProcessorUser must be a lower-case PostgreSQL identifier/,
    ],
    [
      'ProcessorUser is the AppUser',
      { ProcessorUser: 'citadel_app' },
      /ProcessorUser must name a role other than AppUser \("citadel_app"\)/,
    ],
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
