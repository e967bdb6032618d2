import type pg from 'pg';

/**
 * What a running revision of the code can depend on in the database, read from the system
 * catalogs. Keys join names with NUL, which no PostgreSQL identifier may contain, so a dot
 * or space inside a name never makes two objects look alike.
 */
export interface Catalog {
  /** `schema␀relation` → kind: table, view, materialized view, foreign table, sequence. */
  readonly relations: ReadonlyMap<string, RelationKind>;
  /** `schema␀relation␀column` → its shape. */
  readonly columns: ReadonlyMap<string, ColumnShape>;
  /** `schema␀type` → enum labels in sort order. */
  readonly enums: ReadonlyMap<string, readonly string[]>;
  /** `schema␀function␀identity arguments` → result type. */
  readonly functions: ReadonlyMap<string, string>;
  /** `role␀privilege␀kind␀object key`: every privilege a non-superuser role holds, directly, by membership or through PUBLIC. */
  readonly privileges: ReadonlySet<string>;
}

export type RelationKind = 'table' | 'view' | 'materialized view' | 'foreign table' | 'sequence';

export interface ColumnShape {
  readonly type: string;
  readonly notNull: boolean;
  /** A default, identity or generation expression: an insert that omits the column still gets a value. */
  readonly hasDefault: boolean;
}

export type PrivilegeObjectKind = 'column' | 'table' | 'sequence' | 'function' | 'schema';

export const SEPARATOR = '\u0000';
export const key = (...parts: readonly string[]): string => parts.join(SEPARATOR);

const USER_SCHEMA = `n.nspname NOT IN ('pg_catalog', 'information_schema')
  AND n.nspname NOT LIKE 'pg\\_toast%' AND n.nspname NOT LIKE 'pg\\_temp%'`;

const RELATION_KINDS: Record<string, RelationKind> = {
  r: 'table',
  p: 'table',
  v: 'view',
  m: 'materialized view',
  f: 'foreign table',
  S: 'sequence',
};

/** Reads the catalog of the database `client` is connected to. */
export async function readCatalog(client: pg.Pool | pg.PoolClient): Promise<Catalog> {
  const [relations, columns, enums, functions] = await Promise.all([
    client.query<{ schema: string; name: string; kind: string }>(
      `SELECT n.nspname AS schema, c.relname AS name, c.relkind AS kind
         FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
        WHERE c.relkind IN ('r', 'p', 'v', 'm', 'f', 'S') AND ${USER_SCHEMA}`,
    ),
    client.query<{ schema: string; relation: string; name: string } & ColumnShape>(
      `SELECT n.nspname AS schema, c.relname AS relation, a.attname AS name,
              format_type(a.atttypid, a.atttypmod) AS type, a.attnotnull AS "notNull",
              (a.atthasdef OR a.attidentity <> '' OR a.attgenerated <> '') AS "hasDefault"
         FROM pg_attribute a
         JOIN pg_class c ON c.oid = a.attrelid
         JOIN pg_namespace n ON n.oid = c.relnamespace
        WHERE a.attnum > 0 AND NOT a.attisdropped AND c.relkind IN ('r', 'p', 'v', 'm', 'f') AND ${USER_SCHEMA}`,
    ),
    client.query<{ schema: string; name: string; labels: string[] }>(
      `SELECT n.nspname AS schema, t.typname AS name, array_agg(e.enumlabel::text ORDER BY e.enumsortorder) AS labels
         FROM pg_type t
         JOIN pg_namespace n ON n.oid = t.typnamespace
         JOIN pg_enum e ON e.enumtypid = t.oid
        WHERE ${USER_SCHEMA}
        GROUP BY n.nspname, t.typname`,
    ),
    client.query<{ schema: string; name: string; args: string; result: string }>(
      `SELECT n.nspname AS schema, p.proname AS name, pg_get_function_identity_arguments(p.oid) AS args,
              coalesce(pg_get_function_result(p.oid), '') AS result
         FROM pg_proc p JOIN pg_namespace n ON n.oid = p.pronamespace
        WHERE ${USER_SCHEMA}`,
    ),
  ]);
  return {
    relations: new Map(
      relations.rows.map((row) => [key(row.schema, row.name), RELATION_KINDS[row.kind] ?? 'table']),
    ),
    columns: new Map(
      columns.rows.map((row) => [
        key(row.schema, row.relation, row.name),
        { type: row.type, notNull: row.notNull, hasDefault: row.hasDefault },
      ]),
    ),
    enums: new Map(enums.rows.map((row) => [key(row.schema, row.name), row.labels])),
    functions: new Map(functions.rows.map((row) => [key(row.schema, row.name, row.args), row.result])),
    privileges: await readPrivileges(client),
  };
}

/**
 * Effective privileges, not grant rows: revoking a table-wide SELECT while granting it on
 * every column changes nothing a role can do, and is not reported. The roles considered
 * are the non-superusers named in any access list of this database.
 */
async function readPrivileges(client: pg.Pool | pg.PoolClient): Promise<Set<string>> {
  const { rows } = await client.query<{
    role: string;
    privilege: string;
    kind: PrivilegeObjectKind;
    object: string[];
  }>(
    `WITH acl_entries AS (
       SELECT c.relacl AS acl FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace WHERE ${USER_SCHEMA}
       UNION ALL
       SELECT a.attacl FROM pg_attribute a JOIN pg_class c ON c.oid = a.attrelid
         JOIN pg_namespace n ON n.oid = c.relnamespace WHERE a.attacl IS NOT NULL AND ${USER_SCHEMA}
       UNION ALL
       SELECT p.proacl FROM pg_proc p JOIN pg_namespace n ON n.oid = p.pronamespace WHERE ${USER_SCHEMA}
       UNION ALL
       SELECT n.nspacl FROM pg_namespace n WHERE ${USER_SCHEMA}
     ),
     roles AS (
       SELECT DISTINCT r.oid, r.rolname
         FROM acl_entries, aclexplode(acl_entries.acl) AS entry
         JOIN pg_roles r ON r.oid = entry.grantee
        WHERE NOT r.rolsuper
     )
     SELECT r.rolname AS role, p.privilege, 'column' AS kind, ARRAY[n.nspname, c.relname, a.attname]::text[] AS object
       FROM roles r
       CROSS JOIN pg_class c
       JOIN pg_namespace n ON n.oid = c.relnamespace
       JOIN pg_attribute a ON a.attrelid = c.oid AND a.attnum > 0 AND NOT a.attisdropped
       CROSS JOIN unnest(ARRAY['SELECT', 'INSERT', 'UPDATE']) AS p(privilege)
      WHERE c.relkind IN ('r', 'p', 'v', 'm', 'f') AND ${USER_SCHEMA}
        AND has_column_privilege(r.oid, c.oid, a.attnum, p.privilege)
     UNION ALL
     SELECT r.rolname, p.privilege, 'table', ARRAY[n.nspname, c.relname]::text[]
       FROM roles r
       CROSS JOIN pg_class c
       JOIN pg_namespace n ON n.oid = c.relnamespace
       CROSS JOIN unnest(ARRAY['DELETE', 'TRUNCATE']) AS p(privilege)
      WHERE c.relkind IN ('r', 'p', 'v', 'm', 'f') AND ${USER_SCHEMA}
        AND has_table_privilege(r.oid, c.oid, p.privilege)
     UNION ALL
     SELECT r.rolname, p.privilege, 'sequence', ARRAY[n.nspname, c.relname]::text[]
       FROM roles r
       CROSS JOIN pg_class c
       JOIN pg_namespace n ON n.oid = c.relnamespace
       CROSS JOIN unnest(ARRAY['USAGE', 'SELECT', 'UPDATE']) AS p(privilege)
      WHERE c.relkind = 'S' AND ${USER_SCHEMA}
        AND has_sequence_privilege(r.oid, c.oid, p.privilege)
     UNION ALL
     SELECT r.rolname, 'EXECUTE', 'function', ARRAY[n.nspname::text, f.proname::text, pg_get_function_identity_arguments(f.oid)]
       FROM roles r
       CROSS JOIN pg_proc f
       JOIN pg_namespace n ON n.oid = f.pronamespace
      WHERE ${USER_SCHEMA} AND has_function_privilege(r.oid, f.oid, 'EXECUTE')
     UNION ALL
     SELECT r.rolname, p.privilege, 'schema', ARRAY[n.nspname]::text[]
       FROM roles r
       CROSS JOIN pg_namespace n
       CROSS JOIN unnest(ARRAY['USAGE', 'CREATE']) AS p(privilege)
      WHERE ${USER_SCHEMA} AND has_schema_privilege(r.oid, n.oid, p.privilege)`,
  );
  return new Set(rows.map((row) => key(row.role, row.privilege, row.kind, key(...row.object))));
}
