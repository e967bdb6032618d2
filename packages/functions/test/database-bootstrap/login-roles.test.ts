import { randomBytes } from 'node:crypto';
import { createTestDatabase, type TestDatabase } from '@citadel/db/testing';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createDatabaseBootstrap } from '../../src/database-bootstrap/bootstrap-handler.js';
import { DatabaseBootstrapError, ResourcePropertiesError } from '../../src/errors.js';
import { customResourceEvent } from '../custom-resource-event.js';
import { FakeSecrets } from '../fake-secrets.js';
import { silentLogger } from '../silent-logger.js';

const MASTER_SECRET_ARN = 'arn:aws:secretsmanager:eu-west-1:123456789012:secret:citadel-dev-db-master-AbCdEf';
const NAMED_MASTER_SECRET_ARN =
  'arn:aws:secretsmanager:eu-west-1:123456789012:secret:citadel-dev-db-named-master-AbCdEf';
const CITADEL_ROLES = ['citadel_app', 'citadel_processor', 'citadel_retention', 'citadel_outbox'];
const WORKLOAD_PASSWORD = 'workload-local-only';

// Roles belong to the whole cluster, which other test files share: the roles this file
// creates, withdraws or makes administrative carry a suffix of their own.
const suffix = randomBytes(4).toString('hex');
const REPORTS = `acme_reports_${suffix}`;
const LEDGER = `acme_ledger_${suffix}`;
const AUDIT_EDITORS = `acme_audit_editors_${suffix}`;
const ADMIN = `acme_admin_${suffix}`;
const NAMED_MASTER = `acme_master_${suffix}`;
const OWN_ROLES = [REPORTS, LEDGER, AUDIT_EDITORS, ADMIN, NAMED_MASTER];

describe('database bootstrap login roles', () => {
  let database: TestDatabase;
  let admin: pg.Pool;
  let secrets: FakeSecrets;
  let handler: ReturnType<typeof createDatabaseBootstrap>;
  let base: Record<string, unknown>;
  let physicalResourceId: string;

  beforeAll(async () => {
    database = await createTestDatabase({ migrate: false });
    admin = new pg.Pool({ connectionString: database.adminUrl, max: 2 });
    // RDS provides the rds_iam role; a plain PostgreSQL needs it created (once per cluster).
    await admin.query(`DO $$ BEGIN CREATE ROLE rds_iam NOLOGIN;
      EXCEPTION WHEN duplicate_object OR unique_violation THEN NULL; END $$`);
    await admin.query(`CREATE ROLE ${NAMED_MASTER} SUPERUSER LOGIN PASSWORD '${WORKLOAD_PASSWORD}'`);
    const url = new URL(database.adminUrl);
    const master = { engine: 'postgres', host: url.hostname, port: Number(url.port), dbname: 'postgres' };
    secrets = new FakeSecrets({
      [MASTER_SECRET_ARN]: JSON.stringify({
        ...master,
        username: decodeURIComponent(url.username),
        password: decodeURIComponent(url.password),
      }),
      [NAMED_MASTER_SECRET_ARN]: JSON.stringify({
        ...master,
        username: NAMED_MASTER,
        password: WORKLOAD_PASSWORD,
      }),
    });
    // The embedded PostgreSQL has no TLS; the TLS connector is checked in master-connection.test.ts.
    handler = createDatabaseBootstrap({
      secrets,
      connectMaster: (connection) => new pg.Pool({ ...connection, max: 1 }),
      logger: silentLogger('database-bootstrap'),
    });
    base = {
      MasterSecretArn: MASTER_SECRET_ARN,
      DbName: database.name,
      AppUser: 'citadel_app',
      ProcessorUser: 'citadel_processor',
    };
    physicalResourceId = `database-bootstrap/${database.name}/citadel_app`;
  });
  afterAll(async () => {
    await admin.end();
    await database.drop();
    const server = new URL(database.adminUrl);
    server.pathname = '/postgres';
    const cluster = new pg.Client({ connectionString: server.href });
    await cluster.connect();
    try {
      for (const role of OWN_ROLES) await cluster.query(`DROP ROLE IF EXISTS ${role}`);
    } finally {
      await cluster.end();
    }
  });

  function withRoles(loginRoles: readonly unknown[], extra: Record<string, unknown> = {}) {
    return { ...base, LoginRoles: loginRoles, ...extra };
  }

  interface LoginState {
    exists: boolean;
    login: boolean;
    rds_iam: boolean;
    connect: boolean;
  }

  async function loginState(role: string): Promise<LoginState> {
    const { rows } = await admin.query<LoginState>(
      `SELECT r.rolname IS NOT NULL AS exists,
              coalesce(r.rolcanlogin, false) AS login,
              EXISTS (SELECT 1 FROM pg_auth_members m
                       WHERE m.member = r.oid AND m.roleid = 'rds_iam'::regrole) AS rds_iam,
              coalesce(EXISTS (SELECT 1 FROM pg_database d, aclexplode(d.datacl) acl
                                WHERE d.datname = current_database() AND acl.grantee = r.oid
                                  AND acl.privilege_type = 'CONNECT'), false) AS connect
         FROM (SELECT $1::text AS name) wanted LEFT JOIN pg_roles r ON r.rolname = wanted.name`,
      [role],
    );
    return rows[0] as LoginState;
  }

  const SIGNS_IN: LoginState = { exists: true, login: true, rds_iam: true, connect: true };
  const WITHDRAWN: LoginState = { exists: true, login: false, rds_iam: false, connect: false };

  /** Signs in with a password, standing in for the IAM token RDS would accept. */
  async function signInAs(role: string): Promise<pg.Client> {
    const url = new URL(database.adminUrl);
    url.username = role;
    url.password = WORKLOAD_PASSWORD;
    const client = new pg.Client({ connectionString: url.href });
    await client.connect();
    return client;
  }

  /** Everything the bootstrap may change, read from the catalog. */
  async function catalogSnapshot(): Promise<unknown> {
    const { rows } = await admin.query(
      `SELECT (SELECT json_agg(json_build_object('role', rolname, 'login', rolcanlogin,
                 'member_of', ARRAY(SELECT b.rolname FROM pg_auth_members m JOIN pg_roles b ON b.oid = m.roleid
                                     WHERE m.member = r.oid ORDER BY 1)) ORDER BY rolname)
                 FROM pg_roles r WHERE rolname LIKE 'citadel\\_%' OR rolname LIKE 'acme\\_%') AS roles,
              (SELECT datacl::text FROM pg_database WHERE datname = current_database()) AS database_acl,
              (SELECT json_agg(json_build_object('table', relname, 'acl', relacl::text) ORDER BY relname)
                 FROM pg_class WHERE relnamespace = 'public'::regnamespace AND relkind = 'r') AS table_acls,
              (SELECT json_agg(json_build_object('table', attrelid::regclass::text, 'column', attname,
                 'acl', attacl::text) ORDER BY attrelid, attnum)
                 FROM pg_attribute WHERE attacl IS NOT NULL
                  AND attrelid IN (SELECT oid FROM pg_class WHERE relnamespace = 'public'::regnamespace))
                AS column_acls`,
    );
    return rows[0];
  }

  it('lets every listed workload role sign in, creating a user workload role with nothing but its login on Create', async () => {
    // Prepare
    const properties = withRoles([...CITADEL_ROLES, REPORTS]);

    // Act
    const response = await handler(customResourceEvent('Create', properties));

    // Assess
    expect(response).toMatchObject({
      PhysicalResourceId: physicalResourceId,
      Data: { LoginRoles: [...CITADEL_ROLES, REPORTS].join(',') },
    });
    for (const role of [...CITADEL_ROLES, REPORTS]) expect(await loginState(role)).toEqual(SIGNS_IN);
    const privileges = await admin.query(
      `SELECT c.relname, p FROM pg_class c, unnest(ARRAY['SELECT', 'INSERT', 'UPDATE', 'DELETE', 'TRUNCATE']) p
        WHERE c.relnamespace = 'public'::regnamespace AND c.relkind = 'r' AND has_table_privilege($1, c.oid, p)`,
      [REPORTS],
    );
    expect(privileges.rows).toEqual([]);
    const memberships = await admin.query(
      `SELECT b.rolname FROM pg_auth_members m JOIN pg_roles b ON b.oid = m.roleid
        WHERE m.member = (SELECT oid FROM pg_roles WHERE rolname = $1)`,
      [REPORTS],
    );
    expect(memberships.rows).toEqual([{ rolname: 'rds_iam' }]);
    const schemaGrants = await admin.query(
      `SELECT acl.privilege_type FROM pg_namespace n, aclexplode(n.nspacl) acl
        WHERE n.nspname = 'public' AND acl.grantee = $1::regrole`,
      [REPORTS],
    );
    expect(schemaGrants.rows).toEqual([]);
  });

  it('lets a created workload role sign in and read nothing until its own migrations grant it more', async () => {
    // Prepare
    await admin.query(`ALTER ROLE ${REPORTS} PASSWORD '${WORKLOAD_PASSWORD}'`);

    // Act
    const client = await signInAs(REPORTS);

    // Assess
    try {
      expect((await client.query('SELECT current_user AS role')).rows).toEqual([{ role: REPORTS }]);
      await expect(client.query('SELECT * FROM patients')).rejects.toMatchObject({ code: '42501' });
    } finally {
      await client.end();
    }
  });

  it('changes nothing in the catalog when run again with the same roles', async () => {
    // Prepare
    const properties = withRoles([...CITADEL_ROLES, REPORTS]);
    const before = await catalogSnapshot();

    // Act
    const first = await handler(
      customResourceEvent('Update', properties, { physicalResourceId, oldProperties: properties }),
    );
    const second = await handler(
      customResourceEvent('Update', properties, { physicalResourceId, oldProperties: properties }),
    );

    // Assess
    expect(second).toEqual(first);
    expect(await catalogSnapshot()).toEqual(before);
  });

  it('takes login, rds_iam and CONNECT away from a role dropped from the list on Update, keeping the role and its data', async () => {
    // Prepare
    const previous = withRoles([...CITADEL_ROLES, REPORTS]);
    await admin.query(`CREATE TABLE reports_${suffix} (id int)`);
    await admin.query(`ALTER TABLE reports_${suffix} OWNER TO ${REPORTS}`);
    await admin.query(`INSERT INTO reports_${suffix} VALUES (1)`);

    // Act
    const response = await handler(
      customResourceEvent('Update', withRoles(CITADEL_ROLES), {
        physicalResourceId,
        oldProperties: previous,
      }),
    );

    // Assess
    expect(response).toMatchObject({ Data: { LoginRoles: CITADEL_ROLES.join(',') } });
    expect(await loginState(REPORTS)).toEqual(WITHDRAWN);
    for (const role of CITADEL_ROLES) expect(await loginState(role)).toEqual(SIGNS_IN);
    const kept = await admin.query(`SELECT count(*)::int AS n FROM reports_${suffix}`);
    expect(kept.rows).toEqual([{ n: 1 }]);
    await expect(signInAs(REPORTS)).rejects.toThrow(/not permitted to log in/);
  });

  it('gives a withdrawn role its login back when an Update lists it again', async () => {
    // Act
    await handler(
      customResourceEvent('Update', withRoles([...CITADEL_ROLES, REPORTS]), {
        physicalResourceId,
        oldProperties: withRoles(CITADEL_ROLES),
      }),
    );

    // Assess
    expect(await loginState(REPORTS)).toEqual(SIGNS_IN);
    const client = await signInAs(REPORTS);
    await client.end();
  });

  it('withdraws only valid names, never the master user, when an Update (a rollback) carries refused old properties', async () => {
    // Prepare
    const masterUser = decodeURIComponent(new URL(database.adminUrl).username);
    const refused = withRoles([
      ...CITADEL_ROLES,
      REPORTS,
      masterUser,
      'rds_superuser',
      'x"; ALTER ROLE postgres NOLOGIN; --',
    ]);

    // Act
    await handler(
      customResourceEvent('Update', withRoles(CITADEL_ROLES), { physicalResourceId, oldProperties: refused }),
    );

    // Assess
    expect(await loginState(REPORTS)).toEqual(WITHDRAWN);
    const masters = await admin.query(`SELECT rolcanlogin AS login FROM pg_roles WHERE rolname = $1`, [
      masterUser,
    ]);
    expect(masters.rows).toEqual([{ login: true }]);
  });

  it('withdraws the old API and processor roles when an Update from properties without LoginRoles renames them', async () => {
    // Prepare: a resource created before LoginRoles existed, whose AppUser was the reports role.
    await handler(
      customResourceEvent('Update', withRoles([...CITADEL_ROLES, REPORTS]), {
        physicalResourceId,
        oldProperties: base,
      }),
    );
    const old = { ...base, ProcessorUser: ` ${REPORTS} ` };

    // Act
    await handler(
      customResourceEvent('Update', withRoles(CITADEL_ROLES), { physicalResourceId, oldProperties: old }),
    );

    // Assess
    expect(await loginState(REPORTS)).toEqual(WITHDRAWN);
    expect(await loginState('citadel_app')).toEqual(SIGNS_IN);
  });

  it('leaves every login as it is on Delete', async () => {
    // Prepare
    await handler(customResourceEvent('Create', withRoles([...CITADEL_ROLES, REPORTS])));
    const before = await catalogSnapshot();

    // Act
    await handler(
      customResourceEvent('Delete', withRoles([...CITADEL_ROLES, REPORTS]), { physicalResourceId }),
    );

    // Assess
    expect(await catalogSnapshot()).toEqual(before);
    expect(await loginState(REPORTS)).toEqual(SIGNS_IN);
  });

  it('fails when a third workload role could change the audit trail through PUBLIC, naming it and creating nothing', async () => {
    // Prepare
    await admin.query('GRANT UPDATE ON audit_events TO PUBLIC');

    try {
      // Act
      const act = handler(customResourceEvent('Create', withRoles([...CITADEL_ROLES, LEDGER])));

      // Assess
      await expect(act).rejects.toThrow(DatabaseBootstrapError);
      await expect(
        handler(customResourceEvent('Create', withRoles([...CITADEL_ROLES, LEDGER]))),
      ).rejects.toThrow(new RegExp(`role ${LEDGER} can still UPDATE audit_events`));
      expect(await loginState(LEDGER)).toMatchObject({ exists: false });
    } finally {
      await admin.query('REVOKE UPDATE ON audit_events FROM PUBLIC');
    }
  });

  it('fails when only the third workload role could delete audit rows, through a role it is a member of', async () => {
    // Prepare
    await admin.query(`CREATE ROLE ${AUDIT_EDITORS} NOLOGIN`);
    await admin.query(`GRANT DELETE ON audit_events TO ${AUDIT_EDITORS}`);
    await admin.query(`CREATE ROLE ${LEDGER} NOLOGIN`);
    await admin.query(`GRANT ${AUDIT_EDITORS} TO ${LEDGER}`);

    try {
      // Act
      const act = handler(customResourceEvent('Create', withRoles([...CITADEL_ROLES, LEDGER])));

      // Assess
      await expect(act).rejects.toThrow(
        new RegExp(`^role ${LEDGER} can still DELETE audit_events \\(through PUBLIC or another role\\)`),
      );
      expect(await loginState(LEDGER)).toEqual({
        exists: true,
        login: false,
        rds_iam: false,
        connect: false,
      });
    } finally {
      await admin.query(`REVOKE ${AUDIT_EDITORS} FROM ${LEDGER}`);
      await admin.query(`REVOKE DELETE ON audit_events FROM ${AUDIT_EDITORS}`);
    }
  });

  it.each([
    ['CREATEROLE', 'CREATEROLE'],
    ['CREATEDB', 'CREATEDB'],
    ['BYPASSRLS', 'BYPASSRLS'],
    ['SUPERUSER', 'SUPERUSER'],
    ['REPLICATION', 'REPLICATION'],
  ])('fails when a listed role holds %s, leaving it unable to sign in', async (_attribute, attribute) => {
    // Prepare
    await admin.query(`CREATE ROLE ${ADMIN} NOLOGIN ${attribute}`);

    try {
      // Act
      const act = handler(customResourceEvent('Create', withRoles([...CITADEL_ROLES, ADMIN])));

      // Assess
      await expect(act).rejects.toThrow(new RegExp(`role ${ADMIN} holds ${attribute}: a workload role`));
      expect(await loginState(ADMIN)).toMatchObject({ login: false, rds_iam: false });
    } finally {
      await admin.query(`DROP ROLE ${ADMIN}`);
    }
  });

  it('fails when LoginRoles lists the master user the bootstrap connects as', async () => {
    // Act
    const act = handler(
      customResourceEvent(
        'Create',
        withRoles([...CITADEL_ROLES, NAMED_MASTER], { MasterSecretArn: NAMED_MASTER_SECRET_ARN }),
      ),
    );

    // Assess
    await expect(act).rejects.toThrow(ResourcePropertiesError);
    await expect(
      handler(
        customResourceEvent(
          'Create',
          withRoles([...CITADEL_ROLES, NAMED_MASTER], { MasterSecretArn: NAMED_MASTER_SECRET_ARN }),
        ),
      ),
    ).rejects.toThrow(`property LoginRoles lists "${NAMED_MASTER}", the master user`);
    expect(await loginState(NAMED_MASTER)).toMatchObject({ rds_iam: false });
  });

  it('never takes the login of the master user it connects as, even when old properties listed it', async () => {
    // Prepare
    const properties = withRoles(CITADEL_ROLES, { MasterSecretArn: NAMED_MASTER_SECRET_ARN });
    const old = withRoles([...CITADEL_ROLES, NAMED_MASTER], { MasterSecretArn: NAMED_MASTER_SECRET_ARN });

    // Act
    await handler(customResourceEvent('Update', properties, { physicalResourceId, oldProperties: old }));

    // Assess
    expect(await loginState(NAMED_MASTER)).toMatchObject({ login: true });
  });

  it.each([
    [
      'a double quote',
      'acme"reports',
      /entry 4 must be a lower-case PostgreSQL identifier.*"acme\\"reports"/,
    ],
    ['a statement after a quote', 'x"; DROP TABLE audit_events; --', /entry 4 must be a lower-case/],
    ['a space', 'acme reports', /entry 4 must be a lower-case.*"acme reports"/],
    ['unicode', 'acme_rapports_é', /entry 4 must be a lower-case/],
    ['64 bytes', 'a'.repeat(64), /entry 4 must be at most 63 bytes/],
    ['postgres', 'postgres', /entry 4 must not be a PostgreSQL reserved name, got "postgres"/],
    ['rds_superuser', 'rds_superuser', /entry 4 must not begin with "rds", kept for .*"rds_superuser"/],
    ['pg_read_all_data', 'pg_read_all_data', /entry 4 must not begin with "pg_".*"pg_read_all_data"/],
    ['an empty name', '', /entry 4 must not be empty/],
    ['a number', 7, /entry 4 must be a string, got 7/],
    ['a duplicate', 'citadel_retention', /lists "citadel_retention" twice/],
  ])(
    'fails when LoginRoles has %s, before reading any secret or touching the database',
    async (_case, role, message) => {
      // Prepare
      const requestedBefore = secrets.requested.length;
      const before = await catalogSnapshot();

      // Act
      const act = handler(customResourceEvent('Create', withRoles([...CITADEL_ROLES, role])));

      // Assess
      await expect(act).rejects.toThrow(ResourcePropertiesError);
      await expect(
        handler(customResourceEvent('Create', withRoles([...CITADEL_ROLES, role]))),
      ).rejects.toThrow(new RegExp(`^property LoginRoles ${message.source}`));
      expect(secrets.requested).toHaveLength(requestedBefore);
      expect(await catalogSnapshot()).toEqual(before);
    },
  );

  it.each([
    [
      'is one comma-separated string',
      'citadel_app,citadel_processor',
      /property LoginRoles must be a list of role names/,
    ],
    [
      'leaves out the processor',
      ['citadel_app', 'citadel_retention'],
      /property LoginRoles must list "citadel_processor"/,
    ],
    ['is empty', [], /property LoginRoles must list "citadel_app" and "citadel_processor"/],
  ])('fails when LoginRoles %s', async (_case, loginRoles, message) => {
    // Act
    const act = handler(customResourceEvent('Create', { ...base, LoginRoles: loginRoles }));

    // Assess
    await expect(act).rejects.toThrow(message);
  });
});
