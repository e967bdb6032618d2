import type { EventBridgeEvent } from 'aws-lambda';

/** The EventBridge detail-type AWS Backup gives a restore job's state changes. */
export const RESTORE_JOB_DETAIL_TYPE = 'Restore Job State Change';

/** What AWS Backup puts in `detail` of a Restore Job State Change (the fields this function reads). */
export interface RestoreJobStateChange {
  readonly restoreJobId?: unknown;
  readonly status?: unknown;
  readonly restoreTestingPlanArn?: unknown;
  readonly resourceType?: unknown;
  readonly createdResourceArn?: unknown;
}

export type RestoreJobEvent = EventBridgeEvent<string, RestoreJobStateChange>;

/** A completed restore job of this environment's restore testing plan, ready to validate. */
export interface RestoreTestJob {
  readonly restoreJobId: string;
}

/** Why an event is not one to validate; nothing is reported to AWS Backup for it. */
export interface IgnoredEvent {
  readonly ignored: string;
}

/** AWS Backup job ids: a UUID, or for some resources an upper-case hexadecimal id. Anything else is refused. */
const RESTORE_JOB_ID = /^[A-Za-z0-9-]{1,100}$/;

/**
 * Picks the restore job out of an event, or says why the event is not ours: wrong source or
 * detail-type, a status other than COMPLETED, another restore testing plan, or a malformed
 * job id. Only the event is read; the job itself is then checked against AWS Backup.
 */
export function restoreTestJobOf(event: unknown, planArn: string): RestoreTestJob | IgnoredEvent {
  if (typeof event !== 'object' || event === null) return { ignored: 'the event is not an object' };
  const { source, 'detail-type': detailType, detail } = event as Partial<RestoreJobEvent>;
  if (source !== 'aws.backup') return { ignored: `source ${JSON.stringify(source)} is not aws.backup` };
  if (detailType !== RESTORE_JOB_DETAIL_TYPE) {
    return { ignored: `detail-type ${JSON.stringify(detailType)} is not ${RESTORE_JOB_DETAIL_TYPE}` };
  }
  if (typeof detail !== 'object' || detail === null) return { ignored: 'the event has no detail' };
  if (detail.status !== 'COMPLETED') {
    return { ignored: `restore job status ${JSON.stringify(detail.status)} is not COMPLETED` };
  }
  if (detail.restoreTestingPlanArn !== planArn) {
    return {
      ignored: `restore testing plan ${JSON.stringify(detail.restoreTestingPlanArn)} is not this environment's`,
    };
  }
  if (typeof detail.restoreJobId !== 'string' || !RESTORE_JOB_ID.test(detail.restoreJobId)) {
    return { ignored: `restore job id ${JSON.stringify(detail.restoreJobId)} is not an AWS Backup job id` };
  }
  return { restoreJobId: detail.restoreJobId };
}
