export {
  assertMigrationSafety,
  checkMigrationSafety,
  type MigrationSafetyInput,
  type MigrationVerdict,
} from './check.js';
export { readCatalog, type Catalog, type ColumnShape } from './catalog.js';
export { readChange, type MigrationChange } from './change-metadata.js';
export { diffCatalogs, type SchemaChange } from './diff.js';
export {
  MIGRATIONS_DOC,
  MigrationMetadataError,
  ReleaseRecordError,
  UnsafeMigrationError,
} from './errors.js';
export { indexReleases, type ReleaseIndex } from './release-record.js';
