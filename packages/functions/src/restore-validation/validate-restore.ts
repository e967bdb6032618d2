import type { Logger } from '@aws-lambda-powertools/logger';
import {
  DescribeRestoreJobCommand,
  PutRestoreValidationResultCommand,
  type DescribeRestoreJobCommandOutput,
  type ListRestoreJobsCommand,
  type ListRestoreJobsCommandOutput,
  type PutRestoreValidationResultCommandOutput,
} from '@aws-sdk/client-backup';
import type { Context } from 'aws-lambda';
import { checkRestoredDatabase, type DatabaseCheck } from './database-checks.js';
import { restoreTestJobOf } from './restore-event.js';
import {
  masterCredentialsByStage,
  restoredInstanceHost,
  type ConnectRestored,
  type StagedSecretsReader,
} from './restored-connection.js';
import type { RestoreValidationSettings } from './settings.js';
import { drillEvidence, type DrillEvidence } from './drill-evidence.js';
import { drillFreshness, type DrillFreshness } from './drill-freshness.js';

/** The AWS Backup calls the function makes; `BackupClient` satisfies it. */
export interface RestoreJobs {
  send(command: DescribeRestoreJobCommand): Promise<DescribeRestoreJobCommandOutput>;
  send(command: PutRestoreValidationResultCommand): Promise<PutRestoreValidationResultCommandOutput>;
  send(command: ListRestoreJobsCommand): Promise<ListRestoreJobsCommandOutput>;
}

export interface RestoreValidationDependencies {
  readonly backup: RestoreJobs;
  readonly secrets: StagedSecretsReader;
  readonly connect: ConnectRestored;
  readonly settings: RestoreValidationSettings;
  readonly logger: Logger;
  /** Writes the drill's evidence record (CloudWatch embedded metric format on standard output in Lambda). */
  readonly publish: (evidence: DrillEvidence) => void;
  /** Writes the daily check's record (embedded metric format: DaysSinceSuccessfulDrill). */
  readonly publishFreshness: (freshness: DrillFreshness) => void;
  /** @default - the system clock */
  readonly now?: () => Date;
}

export type RestoreValidationResult =
  | { readonly outcome: 'ignored'; readonly reason: string }
  | { readonly outcome: 'checked'; readonly freshness: DrillFreshness }
  | { readonly outcome: 'SUCCESSFUL' | 'FAILED'; readonly evidence: DrillEvidence };

/** AWS Backup keeps a validation message of at most this many characters. */
const MAX_MESSAGE_LENGTH = 1000;

/**
 * Builds the EventBridge handler. For a completed restore job that AWS Backup says
 * (DescribeRestoreJob's CreatedBy.RestoreTestingPlanArn) this environment's restore testing
 * plan started, it connects to the restored
 * copy, checks it (database-checks.ts) and reports SUCCESSFUL or FAILED to AWS Backup, which
 * then deletes the copy. Whatever goes wrong after the job is known to be ours (secret,
 * network, TLS, login, a missing table) is reported as FAILED with the reason; any other
 * job is logged and ignored without a validation result, and a malformed event throws
 * MalformedEventError before any call.
 */
export function createRestoreValidation(deps: RestoreValidationDependencies) {
  const { backup, settings, logger } = deps;

  return async (event: unknown, context?: Context): Promise<RestoreValidationResult> => {
    if (context) logger.addContext(context);
    if (isDailyCheck(event)) {
      const freshness = await drillFreshness(
        backup,
        settings.restoreTestingPlanArn,
        settings.environmentName,
        (deps.now ?? (() => new Date()))(),
      );
      deps.publishFreshness(freshness);
      logger.info('restore drill freshness checked', { ...freshness });
      return { outcome: 'checked', freshness };
    }
    const job = restoreTestJobOf(event);
    if ('ignored' in job) {
      logger.warn('restore event ignored', { reason: job.ignored });
      return { outcome: 'ignored', reason: job.ignored };
    }
    const { restoreJobId } = job;
    const described = await backup.send(new DescribeRestoreJobCommand({ RestoreJobId: restoreJobId }));
    if (described.CreatedBy?.RestoreTestingPlanArn !== settings.restoreTestingPlanArn) {
      const reason = `AWS Backup says restore job ${restoreJobId} belongs to ${JSON.stringify(described.CreatedBy?.RestoreTestingPlanArn)}, not this environment's plan`;
      logger.warn('restore event ignored', { reason });
      return { outcome: 'ignored', reason };
    }

    const problems: string[] = [];
    let check: DatabaseCheck | undefined;
    if (described.Status !== 'COMPLETED') {
      problems.push(`restore job status is ${described.Status ?? 'unknown'}, not COMPLETED`);
    } else {
      try {
        check = await checkRestoredCopy(deps, described.CreatedResourceArn);
        problems.push(...check.problems);
      } catch (error) {
        problems.push(`cannot check the restored copy: ${describeError(error)}`);
      }
    }

    const evidence = drillEvidence({ described, check, problems, settings });
    const status = problems.length === 0 ? 'SUCCESSFUL' : 'FAILED';
    await backup.send(
      new PutRestoreValidationResultCommand({
        RestoreJobId: restoreJobId,
        ValidationStatus: status,
        ValidationStatusMessage: validationMessage(evidence, problems),
      }),
    );
    deps.publish(evidence);
    const log = status === 'SUCCESSFUL' ? logger.info.bind(logger) : logger.error.bind(logger);
    log('restore drill validated', { ...evidence });
    return { outcome: status, evidence };
  };
}

async function checkRestoredCopy(
  { secrets, connect, settings, logger }: RestoreValidationDependencies,
  createdResourceArn: string | undefined,
): Promise<DatabaseCheck> {
  const stages = await masterCredentialsByStage(secrets, settings.masterSecretArn);
  const host = restoredInstanceHost(createdResourceArn, stages[0]?.secret.host);
  let lastError: unknown;
  for (const { stage, secret } of stages) {
    const pool = connect({
      host,
      port: Number(secret.port ?? 5432),
      database: settings.databaseName,
      user: secret.username as string,
      password: secret.password as string,
    });
    try {
      const client = await pool.connect();
      client.release();
      logger.info('connected to the restored copy', { host, secretStage: stage });
      return await checkRestoredDatabase(pool);
    } catch (error) {
      lastError = error;
      // A password from before a rotation fails with invalid_password; try the older stage.
      if ((error as { code?: unknown }).code !== '28P01') throw error;
    } finally {
      await pool.end().catch(() => undefined);
    }
  }
  throw lastError;
}

/** The daily schedule's event (EventBridge Scheduled Event) that asks for the freshness check. */
function isDailyCheck(event: unknown): boolean {
  if (typeof event !== 'object' || event === null) return false;
  const { source, 'detail-type': detailType } = event as Record<string, unknown>;
  return source === 'aws.events' && detailType === 'Scheduled Event';
}

function validationMessage(evidence: DrillEvidence, problems: readonly string[]): string {
  const summary = `restored in ${evidence.restoreMinutes ?? '?'} min (RTO ${evidence.rtoMinutes} min)`;
  const text =
    problems.length === 0 ? `${summary}; ${countsText(evidence)}` : `${problems.join('; ')}; ${summary}`;
  return text.length <= MAX_MESSAGE_LENGTH ? text : `${text.slice(0, MAX_MESSAGE_LENGTH - 1)}…`;
}

function countsText(evidence: DrillEvidence): string {
  const counts = Object.entries(evidence.rowCounts)
    .map(([table, count]) => `${table} ${count}`)
    .join(', ');
  return `migration ${evidence.appliedMigration}; rows: ${counts}`;
}

function describeError(error: unknown): string {
  if (!(error instanceof Error)) return String(error);
  const code = (error as { code?: unknown }).code;
  return `${error.name}: ${error.message}${typeof code === 'string' ? ` (${code})` : ''}`;
}
