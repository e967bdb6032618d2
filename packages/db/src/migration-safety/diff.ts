import { SEPARATOR, type Catalog, type ColumnShape } from './catalog.js';

/** One difference between the catalog before and after a migration. */
export interface SchemaChange {
  /** The object, as a reader would name it: `payments.status`, `citadel_app`. */
  readonly object: string;
  /** What changed, in a sentence fragment: "drops column payments.status". */
  readonly description: string;
  /** True when the revision that ran before this migration can fail because of it. */
  readonly breaking: boolean;
}

/**
 * Classifies every difference between two catalogs. Breaking means the previous revision,
 * still serving during a progressive deploy, can fail: something it may read, write or call
 * is gone or narrower, or an insert it makes is now refused. A rename is a drop and an add.
 */
export function diffCatalogs(before: Catalog, after: Catalog): SchemaChange[] {
  return [
    ...diffRelations(before, after),
    ...diffColumns(before, after),
    ...diffEnums(before, after),
    ...diffFunctions(before, after),
    ...diffPrivileges(before, after),
  ];
}

function diffRelations(before: Catalog, after: Catalog): SchemaChange[] {
  const changes: SchemaChange[] = [];
  for (const [relation, kind] of before.relations) {
    const now = after.relations.get(relation);
    const object = display(relation);
    if (now === undefined) {
      changes.push(
        breaking(
          object,
          `drops ${kind} ${object} (a rename is a drop to the revision still using the old name)`,
        ),
      );
    } else if (now !== kind) {
      changes.push(breaking(object, `turns ${kind} ${object} into a ${now}`));
    }
  }
  for (const [relation, kind] of after.relations) {
    if (!before.relations.has(relation))
      changes.push(additive(display(relation), `adds ${kind} ${display(relation)}`));
  }
  return changes;
}

function diffColumns(before: Catalog, after: Catalog): SchemaChange[] {
  const changes: SchemaChange[] = [];
  for (const [column, was] of before.columns) {
    if (!after.relations.has(relationOf(column))) continue;
    const object = display(column);
    const now = after.columns.get(column);
    if (now === undefined) {
      changes.push(
        breaking(
          object,
          `drops column ${object} (a rename is a drop to the revision still using the old name)`,
        ),
      );
      continue;
    }
    changes.push(...columnChanges(object, was, now));
  }
  for (const [column, now] of after.columns) {
    if (before.columns.has(column) || !before.relations.has(relationOf(column))) continue;
    const object = display(column);
    changes.push(
      now.notNull && !now.hasDefault
        ? breaking(
            object,
            `adds NOT NULL column ${object} without a default, so the previous revision's inserts fail`,
          )
        : additive(
            object,
            `adds column ${object} ${now.type}${now.notNull ? ' NOT NULL with a default' : ''}`,
          ),
    );
  }
  return changes;
}

function columnChanges(object: string, was: ColumnShape, now: ColumnShape): SchemaChange[] {
  const changes: SchemaChange[] = [];
  if (was.type !== now.type) {
    const description = `changes the type of ${object} from ${was.type} to ${now.type}`;
    changes.push(
      isWidening(was.type, now.type) ? additive(object, description) : breaking(object, description),
    );
  }
  if (!was.notNull && now.notNull) {
    changes.push(
      breaking(object, `makes ${object} NOT NULL, so the previous revision's writes of NULL fail`),
    );
  } else if (was.notNull && !now.notNull) {
    changes.push(additive(object, `lets ${object} be NULL`));
  }
  if (was.hasDefault && !now.hasDefault && now.notNull) {
    changes.push(
      breaking(
        object,
        `drops the default of NOT NULL column ${object}, so the previous revision's inserts that omit it fail`,
      ),
    );
  } else if (was.hasDefault !== now.hasDefault) {
    changes.push(additive(object, `${now.hasDefault ? 'adds' : 'drops'} the default of ${object}`));
  }
  return changes;
}

/** The type changes every value the previous revision writes or reads still fits: longer or unlimited text. */
function isWidening(from: string, to: string): boolean {
  const varchar = /^character varying(?:\((\d+)\))?$/;
  const source = varchar.exec(from);
  if (!source) return false;
  if (to === 'text') return true;
  const target = varchar.exec(to);
  if (!target) return false;
  if (target[1] === undefined) return true;
  return source[1] !== undefined && Number(target[1]) >= Number(source[1]);
}

function diffEnums(before: Catalog, after: Catalog): SchemaChange[] {
  const changes: SchemaChange[] = [];
  for (const [type, labels] of before.enums) {
    const object = display(type);
    const now = after.enums.get(type);
    if (now === undefined) {
      changes.push(breaking(object, `drops enum type ${object}`));
      continue;
    }
    for (const label of labels) {
      if (!now.includes(label))
        changes.push(breaking(object, `drops value ${JSON.stringify(label)} of enum ${object}`));
    }
    for (const label of now) {
      if (!labels.includes(label))
        changes.push(additive(object, `adds value ${JSON.stringify(label)} to enum ${object}`));
    }
  }
  for (const type of after.enums.keys()) {
    if (!before.enums.has(type)) changes.push(additive(display(type), `adds enum type ${display(type)}`));
  }
  return changes;
}

function diffFunctions(before: Catalog, after: Catalog): SchemaChange[] {
  const changes: SchemaChange[] = [];
  for (const [fn, result] of before.functions) {
    const object = displayFunction(fn);
    const now = after.functions.get(fn);
    if (now === undefined) changes.push(breaking(object, `drops function ${object}`));
    else if (now !== result)
      changes.push(breaking(object, `changes the result of ${object} from ${result} to ${now}`));
  }
  for (const fn of after.functions.keys()) {
    if (!before.functions.has(fn))
      changes.push(additive(displayFunction(fn), `adds function ${displayFunction(fn)}`));
  }
  return changes;
}

/**
 * A privilege lost on an object that still exists is breaking (a dropped object is already
 * reported). Column privileges are grouped per role, privilege and relation.
 */
function diffPrivileges(before: Catalog, after: Catalog): SchemaChange[] {
  const revoked = new Map<string, { role: string; privilege: string; target: string; columns: string[] }>();
  const granted = new Map<string, { role: string; privilege: string; target: string; columns: string[] }>();
  const collect = (
    into: typeof revoked,
    [role = '', privilege = '', kind = '', ...object]: string[],
  ): void => {
    const column = kind === 'column' ? object.pop() : undefined;
    const target =
      kind === 'function' ? displayFunction(object.join(SEPARATOR)) : display(object.join(SEPARATOR));
    const group = `${role}${SEPARATOR}${privilege}${SEPARATOR}${kind}${SEPARATOR}${target}`;
    const entry = into.get(group) ?? {
      role,
      privilege,
      target: kind === 'schema' ? `schema ${target}` : target,
      columns: [],
    };
    if (column !== undefined) entry.columns.push(column);
    into.set(group, entry);
  };
  for (const privilege of before.privileges) {
    if (after.privileges.has(privilege)) continue;
    const parts = privilege.split(SEPARATOR);
    if (objectExists(after, parts[2] ?? '', parts.slice(3))) collect(revoked, parts);
  }
  for (const privilege of after.privileges) {
    if (!before.privileges.has(privilege)) collect(granted, privilege.split(SEPARATOR));
  }
  const describe = (entry: { privilege: string; target: string; columns: string[] }): string =>
    `${entry.privilege} on ${entry.target}${entry.columns.length > 0 ? ` (${[...entry.columns].sort().join(', ')})` : ''}`;
  return [
    ...[...revoked.values()].map((entry) =>
      breaking(
        entry.target,
        `revokes ${describe(entry)} from ${entry.role}, which the previous revision may use`,
      ),
    ),
    ...[...granted.values()].map((entry) =>
      additive(entry.target, `grants ${describe(entry)} to ${entry.role}`),
    ),
  ];
}

function objectExists(catalog: Catalog, kind: string, object: readonly string[]): boolean {
  const id = object.join(SEPARATOR);
  switch (kind) {
    case 'column':
      return catalog.columns.has(id);
    case 'function':
      return catalog.functions.has(id);
    case 'schema':
      return true;
    default:
      return catalog.relations.has(id);
  }
}

function relationOf(column: string): string {
  return column.split(SEPARATOR).slice(0, 2).join(SEPARATOR);
}

/** `public` is left out of names, as it is in the migrations. */
function display(id: string): string {
  const parts = id.split(SEPARATOR);
  return (parts[0] === 'public' && parts.length > 1 ? parts.slice(1) : parts).join('.');
}

function displayFunction(id: string): string {
  const parts = id.split(SEPARATOR);
  return `${display(parts.slice(0, 2).join(SEPARATOR))}(${parts[2] ?? ''})`;
}

const breaking = (object: string, description: string): SchemaChange => ({
  object,
  description,
  breaking: true,
});
const additive = (object: string, description: string): SchemaChange => ({
  object,
  description,
  breaking: false,
});
