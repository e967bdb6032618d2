import type { ScheduledEvent } from 'aws-lambda';

/** The event an EventBridge schedule rule delivers to its Lambda target. */
export function scheduledEvent(time = '2026-11-30T16:05:00Z'): ScheduledEvent {
  return {
    version: '0',
    id: '89d1a02d-5ec7-412e-82f5-13505f849b41',
    'detail-type': 'Scheduled Event',
    source: 'aws.events',
    account: '123456789012',
    time,
    region: 'eu-west-1',
    resources: ['arn:aws:events:eu-west-1:123456789012:rule/citadel-prod-app-JwksMirrorSchedule'],
    detail: {},
  };
}
