import type { EventBridgeEvent } from 'aws-lambda';
import { MalformedEventError } from '../errors.js';

/** The EventBridge detail-type AWS Backup gives a restore job's state changes. */
export const RESTORE_JOB_DETAIL_TYPE = 'Restore Job State Change';

/**
 * The `detail` fields of a Restore Job State Change this function reads, as AWS Backup's
 * EventBridge reference shows them (restoreJobId, status, resourceType). Which restore
 * testing plan started the job is not read from the event: DescribeRestoreJob's
 * `CreatedBy.RestoreTestingPlanArn` says it.
 */
export interface RestoreJobStateChange {
  readonly restoreJobId?: unknown;
  readonly status?: unknown;
  readonly resourceType?: unknown;
}

export type RestoreJobEvent = EventBridgeEvent<string, RestoreJobStateChange>;

/** A completed restore job, to be checked against AWS Backup before anything is validated. */
export interface RestoreTestJob {
  readonly restoreJobId: string;
}

/** A well-formed event that is not one to validate; nothing is reported to AWS Backup for it. */
export interface IgnoredEvent {
  readonly ignored: string;
}

/** AWS Backup job ids: a UUID, or for some resources an upper-case hexadecimal id. Anything else is refused. */
const RESTORE_JOB_ID = /^[A-Za-z0-9-]{1,100}$/;

const shown = (value: unknown): string => (JSON.stringify(value) ?? 'undefined').slice(0, 120);

function malformed(field: string, value: unknown, expected: string): never {
  throw new MalformedEventError(
    `restore event ${field} = ${shown(value)}: expected ${expected}. Only the AWS Backup "${RESTORE_JOB_DETAIL_TYPE}" rule should invoke this function; nothing was reported to AWS Backup.`,
  );
}

/**
 * Picks the restore job out of an event. A completed job is returned; a well-formed event
 * of a job in another state is ignored; anything else (not an AWS Backup restore job
 * event, a missing or mistyped field, a job id that is not AWS Backup's) throws
 * MalformedEventError naming the field, so the invocation fails visibly.
 */
export function restoreTestJobOf(event: unknown): RestoreTestJob | IgnoredEvent {
  if (typeof event !== 'object' || event === null || Array.isArray(event)) {
    malformed('(event)', event, 'an EventBridge event object');
  }
  const { source, 'detail-type': detailType, detail } = event as Partial<RestoreJobEvent>;
  if (source !== 'aws.backup') malformed('source', source, '"aws.backup"');
  if (detailType !== RESTORE_JOB_DETAIL_TYPE) {
    malformed('detail-type', detailType, `"${RESTORE_JOB_DETAIL_TYPE}"`);
  }
  if (typeof detail !== 'object' || detail === null || Array.isArray(detail)) {
    malformed('detail', detail, 'an object');
  }
  if (typeof detail.status !== 'string') malformed('detail.status', detail.status, 'a job status string');
  if (typeof detail.restoreJobId !== 'string' || !RESTORE_JOB_ID.test(detail.restoreJobId)) {
    malformed('detail.restoreJobId', detail.restoreJobId, 'an AWS Backup job id (letters, digits, hyphens)');
  }
  if (detail.status !== 'COMPLETED') {
    return { ignored: `restore job ${detail.restoreJobId} status ${shown(detail.status)} is not COMPLETED` };
  }
  return { restoreJobId: detail.restoreJobId };
}
