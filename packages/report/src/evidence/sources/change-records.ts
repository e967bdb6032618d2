import type { S3Client } from '@aws-sdk/client-s3';
import { GetObjectCommand, ListObjectsV2Command, type ListObjectsV2CommandOutput } from '@aws-sdk/client-s3';
import type { EvidencePeriod } from '../period.js';
import { callAws } from '../aws-call.js';
import { itemsOf, recordPages, type RecordedCall } from '../recorded-call.js';

/** A record as the deploy wrote it, byte for byte, with where it was read from. */
export interface ChangeRecord {
  readonly key: string;
  readonly eTag: string | undefined;
  readonly lastModified: string | undefined;
  readonly body: string;
  readonly schemaVersion: unknown;
  readonly startedAt: string;
  /** The deployed commit, when the record names one (`commit`, or `source.commit`). */
  readonly commit: string | undefined;
}

export interface RejectedChangeRecord {
  readonly key: string;
  readonly reason: string;
}

export interface ChangeRecordEvidence {
  readonly bucket: string;
  readonly prefix: string;
  readonly listing: RecordedCall<object, ListObjectsV2CommandOutput>;
  /** Records whose `startedAt` falls in the period, in key order. */
  readonly records: readonly ChangeRecord[];
  /** Objects under the prefix that are not change records of this environment. */
  readonly rejected: readonly RejectedChangeRecord[];
}

const COMMIT = /^[0-9a-f]{7,64}$/;
/** Objects the deploy stores next to a record (its SBOM and revision report), read through the record. */
const SIDECAR = /\.(cdx\.json|report\.md|report\.json)$/;

function commitOf(document: Record<string, unknown>): string | undefined {
  const source = document['source'];
  const candidate =
    document['commit'] ??
    (typeof source === 'object' && source !== null
      ? (source as Record<string, unknown>)['commit']
      : undefined);
  return typeof candidate === 'string' && COMMIT.test(candidate) ? candidate : undefined;
}

/**
 * Checks only what lets two versions of the record meet: a JSON object with a
 * `schemaVersion`, this `environment`, and a `startedAt` time. Returns the reason when not.
 */
export function checkChangeRecord(
  body: string,
  environment: string,
): { document: Record<string, unknown>; startedAt: Date } | string {
  let document: unknown;
  try {
    document = JSON.parse(body);
  } catch {
    return 'not JSON';
  }
  if (typeof document !== 'object' || document === null || Array.isArray(document))
    return 'not a JSON object';
  const record = document as Record<string, unknown>;
  if (record['schemaVersion'] === undefined) return 'no schemaVersion';
  if (record['environment'] !== environment) {
    return `environment ${JSON.stringify(record['environment'])} is not ${JSON.stringify(environment)}`;
  }
  const startedAt = typeof record['startedAt'] === 'string' ? new Date(record['startedAt']) : undefined;
  if (!startedAt || Number.isNaN(startedAt.getTime()))
    return `startedAt ${JSON.stringify(record['startedAt'])} is not a time`;
  return { document: record, startedAt };
}

/** The deploy's change records under `records/<env>/`, read by prefix and kept as written. */
export async function collectChangeRecords(
  client: S3Client,
  region: string,
  bucket: string,
  environment: string,
  period: EvidencePeriod,
): Promise<ChangeRecordEvidence> {
  const prefix = `records/${environment}/`;
  const listing = await recordPages(
    { call: 'S3.ListObjectsV2', action: 's3:ListBucket', region },
    { Bucket: bucket, Prefix: prefix },
    (r) => client.send(new ListObjectsV2Command(r)),
    { request: 'ContinuationToken', response: 'NextContinuationToken' },
  );
  const records: ChangeRecord[] = [];
  const rejected: RejectedChangeRecord[] = [];
  const objects = itemsOf(listing, (page) => page.Contents).sort((a, b) =>
    (a.Key ?? '').localeCompare(b.Key ?? ''),
  );
  for (const object of objects) {
    const key = object.Key ?? '';
    if (key.endsWith('/') || SIDECAR.test(key)) continue;
    const response = await callAws({ call: 'S3.GetObject', action: 's3:GetObject', region }, () =>
      client.send(new GetObjectCommand({ Bucket: bucket, Key: key })),
    );
    const body = (await response.Body?.transformToString('utf8')) ?? '';
    const checked = checkChangeRecord(body, environment);
    if (typeof checked === 'string') {
      rejected.push({ key, reason: checked });
      continue;
    }
    if (checked.startedAt < period.start || checked.startedAt >= period.end) continue;
    records.push({
      key,
      eTag: response.ETag ?? object.ETag,
      lastModified: (response.LastModified ?? object.LastModified)?.toISOString(),
      body,
      schemaVersion: checked.document['schemaVersion'],
      startedAt: checked.startedAt.toISOString(),
      commit: commitOf(checked.document),
    });
  }
  return { bucket, prefix, listing, records, rejected };
}
