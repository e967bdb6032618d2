import { Logger } from '@aws-lambda-powertools/logger';
import { BackupClient } from '@aws-sdk/client-backup';
import { SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import { embeddedMetricRecord } from './drill-evidence.js';
import { freshnessMetricRecord } from './drill-freshness.js';
import { tlsRestoredConnector } from './restored-connection.js';
import { restoreValidationSettings } from './settings.js';
import { createRestoreValidation } from './validate-restore.js';

const logger = new Logger({ serviceName: 'restore-validation' });
const settings = restoreValidationSettings(process.env);

/**
 * EventBridge: an AWS Backup Restore Job State Change → checks the restored copy and reports
 * to AWS Backup; the daily Scheduled Event → emits days since the last drill that passed.
 */
export const handler = createRestoreValidation({
  backup: new BackupClient({}),
  secrets: new SecretsManagerClient({}),
  connect: tlsRestoredConnector(settings.caBundlePath),
  settings,
  logger,
  publish: (evidence) =>
    process.stdout.write(`${JSON.stringify(embeddedMetricRecord(evidence, settings.metricNamespace))}\n`),
  publishFreshness: (freshness) =>
    process.stdout.write(`${JSON.stringify(freshnessMetricRecord(freshness, settings.metricNamespace))}\n`),
});
