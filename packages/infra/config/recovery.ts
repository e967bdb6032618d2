import type { DatabaseConfig } from './schema.js';

/**
 * The daily AWS Backup plan of the database (lib/constructs/database-backup.ts), as the
 * recovery objectives reason about it. A test compares these with the synthesized plan, so
 * a change to the plan that would break a promised RPO fails there first.
 */
export const DAILY_BACKUP_PLAN = {
  /** `cron(30 3 * * ? *)`. */
  scheduleExpression: 'cron(30 3 * * ? *)',
  intervalHours: 24,
  startWindowHours: 1,
  completionWindowHours: 3,
} as const;

/**
 * The most data a restore from the backup vault can lose: a failure just before a backup
 * that started at the end of its start window completes falls back to the previous day's
 * recovery point, taken at the start of its own window.
 */
export const VAULT_WORST_CASE_RPO_MINUTES =
  (DAILY_BACKUP_PLAN.intervalHours +
    DAILY_BACKUP_PLAN.startWindowHours +
    DAILY_BACKUP_PLAN.completionWindowHours) *
  60;

export interface RecoveryProblem {
  readonly field: string;
  readonly value: unknown;
  readonly problem: string;
}

/**
 * What the recovery objectives promise that the design cannot keep: an RPO tighter than the
 * backup plan, an RTO shorter than the latest measured restore, drills further apart than
 * the environment allows. Empty when every promise holds.
 */
export function recoveryObjectiveProblems(database: DatabaseConfig): RecoveryProblem[] {
  const { recoveryObjectives: objectives, restoreTesting } = database;
  const problems: RecoveryProblem[] = [];
  if (objectives.rpoMinutes < VAULT_WORST_CASE_RPO_MINUTES) {
    problems.push({
      field: 'database.recoveryObjectives.rpoMinutes',
      value: objectives.rpoMinutes,
      problem: `the daily backup plan (03:30 UTC, ${DAILY_BACKUP_PLAN.startWindowHours} h start window, ${DAILY_BACKUP_PLAN.completionWindowHours} h to complete) can lose up to ${VAULT_WORST_CASE_RPO_MINUTES} minutes of data; set rpoMinutes to at least ${VAULT_WORST_CASE_RPO_MINUTES}, or back the database up more often first`,
    });
  }
  if (objectives.rtoMinutes < objectives.measuredRestoreMinutes) {
    problems.push({
      field: 'database.recoveryObjectives.rtoMinutes',
      value: objectives.rtoMinutes,
      problem: `the latest restore drill took ${objectives.measuredRestoreMinutes} minutes (measuredRestoreMinutes); raise rtoMinutes to at least ${objectives.measuredRestoreMinutes}, or make the restore faster and record the new measurement`,
    });
  }
  if (restoreTesting.everyDays > objectives.maxDaysBetweenDrills) {
    problems.push({
      field: 'database.restoreTesting.everyDays',
      value: restoreTesting.everyDays,
      problem: `restore drills must be at most ${objectives.maxDaysBetweenDrills} days apart (recoveryObjectives.maxDaysBetweenDrills); set everyDays to ${objectives.maxDaysBetweenDrills} or less`,
    });
  }
  return problems;
}

/** The RTO/RPO table of docs/operations.md, one row per environment, generated from config. */
export function recoveryObjectivesTable(
  environments: readonly { readonly name: string; readonly database: DatabaseConfig }[],
): string {
  const rows = environments.map(({ name, database }) => {
    const { recoveryObjectives: o, restoreTesting: t } = database;
    return `| ${name} | ${o.rpoMinutes} min | ${o.rtoMinutes} min | ${o.measuredRestoreMinutes} min | every ${t.everyDays} d (at most ${o.maxDaysBetweenDrills} d) | ${t.startHourUtc}:00 | ${t.instanceClass}, kept ≤ ${t.validationWindowHours} h |`;
  });
  return [
    '| environment | RPO | RTO | last measured restore | drill | starts (UTC) | restored copy |',
    '| --- | --- | --- | --- | --- | --- | --- |',
    ...rows,
  ].join('\n');
}
