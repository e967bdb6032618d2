import { MIGRATIONS_DOC, MigrationMetadataError } from './errors.js';

/**
 * What a migration module may export as `change`:
 *
 * - `{ step: 'expand' }`: adds the new shape beside the old one; it must be additive.
 * - `{ step: 'contract', expands: '0005_add_x' }`: removes the old shape once the expand
 *   step has shipped in an earlier release; it may break what the older revision used.
 *
 * A migration without `change` must be additive.
 */
export type MigrationChange =
  { readonly step: 'expand' } | { readonly step: 'contract'; readonly expands: string };

/** A migration's name: four digits, an underscore, lower-case words. Name order is apply order. */
export const MIGRATION_NAME = /^\d{4}_[a-z0-9_]+$/;

const EXAMPLE = `export const change = { step: 'contract', expands: '0005_add_x' } (see ${MIGRATIONS_DOC})`;

/** Reads and validates a migration module's `change` export; `undefined` when it has none. */
export function readChange(migrationName: string, migration: object): MigrationChange | undefined {
  if (!('change' in migration) || migration.change === undefined) return undefined;
  const change: unknown = migration.change;
  const fail = (problem: string): never => {
    throw new MigrationMetadataError(
      `migration ${migrationName}: ${problem}. Expected, for example: ${EXAMPLE}`,
    );
  };
  if (typeof change !== 'object' || change === null || Array.isArray(change)) {
    return fail(`change is ${describe(change)}, not an object`);
  }
  const fields = change as Record<string, unknown>;
  const unknownKeys = Object.keys(fields).filter((key) => key !== 'step' && key !== 'expands');
  if (unknownKeys.length > 0) return fail(`change has unknown field(s) ${unknownKeys.map(quote).join(', ')}`);
  const { step, expands } = fields;
  if (step === 'expand') {
    if (expands !== undefined)
      return fail(`change.expands is set on an expand step; only a contract step names one`);
    return { step };
  }
  if (step !== 'contract') return fail(`change.step is ${describe(step)}; expected 'expand' or 'contract'`);
  if (typeof expands !== 'string' || !MIGRATION_NAME.test(expands)) {
    return fail(
      `change.expands is ${describe(expands)}; a contract step names its expand migration, like '0005_add_x'`,
    );
  }
  return { step, expands };
}

function describe(value: unknown): string {
  if (typeof value === 'string') return quote(value);
  if (value === undefined) return 'missing';
  if (value === null) return 'null';
  if (Array.isArray(value)) return 'an array';
  return typeof value === 'object' ? 'an object' : `${typeof value} ${String(value)}`;
}

function quote(value: string): string {
  return JSON.stringify(value.length > 80 ? `${value.slice(0, 80)}…` : value);
}
