import { vi } from 'vitest';
import type { AlarmState, ChangeRecordAws } from '../../scripts/lib/change-record-aws.js';
import type { ChangeRecordDeps } from '../../scripts/lib/record-deploy.js';

/** Commit the stubbed checkout is at. */
export const STUB_COMMIT = '3f6c2b1e9a0d4c7b8e5f1a2d3c4b5a6978695a4b';

export interface StoredObject {
  readonly bucket: string;
  readonly key: string;
  readonly body: Buffer;
  readonly contentType: string;
}

/**
 * Change-record dependencies that keep every object in memory, answer `cdk diff` with no
 * differences, report the given alarms and read a clock that advances a second per call.
 */
export function stubChangeRecords(
  options: {
    alarms?: AlarmState[];
    aws?: Partial<ChangeRecordAws>;
    diff?: { code: number; output: string };
  } = {},
): ChangeRecordDeps & { readonly objects: StoredObject[] } {
  const objects: StoredObject[] = [];
  let tick = Date.parse('2026-11-30T09:30:00.000Z');
  const aws: ChangeRecordAws = {
    putObject: vi.fn(async (bucket: string, key: string, body: Buffer, contentType: string) => {
      objects.push({ bucket, key, body, contentType });
      return { versionId: `v${objects.length}` };
    }),
    describeAlarms: vi.fn(async () => options.alarms ?? []),
    stackStatus: vi.fn(async () => undefined),
    ...options.aws,
  };
  return {
    objects,
    captureCdk: vi.fn(async () => options.diff ?? { code: 0, output: 'There were no differences\n' }),
    aws: () => aws,
    now: () => new Date((tick += 1000)),
    currentCommit: () => STUB_COMMIT,
  };
}
