import type { CloudTrailClient } from '@aws-sdk/client-cloudtrail';
import {
  LookupEventsCommand,
  type Event,
  type LookupEventsCommandInput,
  type LookupEventsCommandOutput,
} from '@aws-sdk/client-cloudtrail';
import type { EvidencePeriod } from '../period.js';
import { NEXT_TOKEN, itemsOf, recordPages, type RecordedCall } from '../recorded-call.js';

/** The IAM calls that change who may assume or do what. */
export const IAM_CHANGE_EVENTS = [
  'UpdateAssumeRolePolicy',
  'CreateRole',
  'DeleteRole',
  'AttachRolePolicy',
  'PutRolePolicy',
] as const;
/** CloudTrail event history (LookupEvents) holds the last 90 days only. */
export const EVENT_HISTORY_DAYS = 90;
/** IAM is global: its management events are recorded in us-east-1. */
export const IAM_EVENTS_REGION = 'us-east-1';

export interface IamTrailEvidence {
  readonly region: string;
  readonly lookups: readonly RecordedCall<LookupEventsCommandInput, LookupEventsCommandOutput>[];
  readonly events: readonly Event[];
  /** Set when the period starts before the event history does. */
  readonly coverageNote: string | undefined;
}

/** IAM role and trust policy changes in the period, one LookupEvents per event name (it takes one attribute). */
export async function collectIamTrail(
  client: CloudTrailClient,
  period: EvidencePeriod,
  now: Date,
): Promise<IamTrailEvidence> {
  const region = IAM_EVENTS_REGION;
  const lookups = [];
  for (const eventName of IAM_CHANGE_EVENTS) {
    lookups.push(
      await recordPages(
        { call: 'CloudTrail.LookupEvents', action: 'cloudtrail:LookupEvents', region },
        {
          LookupAttributes: [{ AttributeKey: 'EventName', AttributeValue: eventName }],
          StartTime: period.start,
          EndTime: period.end,
          MaxResults: 50,
        } satisfies LookupEventsCommandInput,
        (r) => client.send(new LookupEventsCommand(r)),
        NEXT_TOKEN,
      ),
    );
  }
  const historyStart = new Date(now.getTime() - EVENT_HISTORY_DAYS * 86_400_000);
  const coverageNote =
    period.start < historyStart
      ? `CloudTrail event history (LookupEvents) covers only the last ${EVENT_HISTORY_DAYS} days, from ` +
        `${historyStart.toISOString()}; the period starts ${period.start.toISOString()}. For IAM changes before that, ` +
        "read the account trail's log files in its S3 bucket (AWSLogs/<account>/CloudTrail/us-east-1/), whose " +
        'integrity `aws cloudtrail validate-logs` checks.'
      : undefined;
  const events = lookups
    .flatMap((lookup) => itemsOf(lookup, (page) => page.Events))
    .sort((a, b) => (a.EventTime?.getTime() ?? 0) - (b.EventTime?.getTime() ?? 0));
  return { region, lookups, events, coverageNote };
}
