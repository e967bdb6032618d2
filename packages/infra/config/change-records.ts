import { MIN_COMPLIANCE_RETENTION_DAYS } from '../policy/workload-policy.js';
import type { EnvironmentConfig } from './schema.js';
import { ConfigError } from './validate.js';

/** How an environment keeps its change records, with the defaults applied and checked. */
export interface ChangeRecordSettings {
  readonly objectLockMode: 'COMPLIANCE' | 'GOVERNANCE';
  readonly retentionDays: number;
}

/**
 * The environment's `changeRecords` settings, defaulting to GOVERNANCE for
 * max(logRetentionDays, 365) days. Throws ConfigError when a record would be locked for less
 * than the environment keeps its logs, or for less than a year in COMPLIANCE mode.
 */
export function changeRecordSettings(config: EnvironmentConfig): ChangeRecordSettings {
  const objectLockMode = config.changeRecords?.objectLockMode ?? 'GOVERNANCE';
  const retentionDays =
    config.changeRecords?.retentionDays ?? Math.max(config.logRetentionDays, MIN_COMPLIANCE_RETENTION_DAYS);
  if (retentionDays < config.logRetentionDays) {
    throw new ConfigError(
      config.name,
      'changeRecords.retentionDays',
      retentionDays,
      `is shorter than logRetentionDays (${config.logRetentionDays}); keep change records at least as long as the logs they explain`,
    );
  }
  if (objectLockMode === 'COMPLIANCE' && retentionDays < MIN_COMPLIANCE_RETENTION_DAYS) {
    throw new ConfigError(
      config.name,
      'changeRecords.retentionDays',
      retentionDays,
      `COMPLIANCE mode keeps records at least ${MIN_COMPLIANCE_RETENTION_DAYS} days; raise it to ${MIN_COMPLIANCE_RETENTION_DAYS} or more`,
    );
  }
  return { objectLockMode, retentionDays };
}
