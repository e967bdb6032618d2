import { createHash } from 'node:crypto';
import type { S3Client } from '@aws-sdk/client-s3';
import { GetObjectCommand } from '@aws-sdk/client-s3';
import { callAws } from '../aws-call.js';

/** A revision report read from the change-record bucket, its bytes matching the record's SHA-256. */
export interface RevisionReportFiles {
  /** The change record that names the report. */
  readonly recordKey: string;
  readonly markdown: { readonly key: string; readonly body: Uint8Array };
  readonly json: { readonly key: string; readonly body: Uint8Array };
}

/** A deployed revision whose report is not in the bundle, and why. */
export interface RevisionReportGap {
  readonly record: string;
  /** The report's object key, when the record names one. */
  readonly key: string | undefined;
  readonly problem: string;
}

const SHA256 = /^[a-f0-9]{64}$/;
/** Steps at which a deploy stops before anything is deployed: no revision, so no report is owed. */
const NOTHING_DEPLOYED = new Set(['diff', 'report']);

const isObject = (value: unknown): value is Record<string, unknown> =>
  typeof value === 'object' && value !== null && !Array.isArray(value);

/** The S3 error names of an object that is not there. */
const isMissing = (error: unknown): boolean =>
  ['NoSuchKey', 'NotFound'].includes((error as Error | undefined)?.name ?? '');

/**
 * Reads the revision report a change record names (`report.key`/`sha256` and
 * `report.jsonKey`/`jsonSha256`, written by the deploy next to the record) and checks each
 * object's SHA-256 against the record. A record of a deploy that got past its diff must name
 * one; a report that is missing, outside the record's prefix or not the bytes the record
 * hashed is a gap. Any other S3 failure is thrown, as for every other source.
 */
export async function collectRevisionReport(
  client: S3Client,
  region: string,
  bucket: string,
  prefix: string,
  recordKey: string,
  document: Record<string, unknown>,
): Promise<RevisionReportFiles | RevisionReportGap | undefined> {
  const report = document['report'];
  const gap = (key: string | undefined, problem: string): RevisionReportGap => ({
    record: recordKey,
    key,
    problem,
  });
  if (report === undefined) {
    const outcome = document['outcome'];
    const failedStep = isObject(outcome) ? outcome['failedStep'] : undefined;
    if (typeof failedStep === 'string' && NOTHING_DEPLOYED.has(failedStep)) return undefined;
    return gap(undefined, 'names no revision report, though its deploy went past the diff');
  }
  if (!isObject(report)) return gap(undefined, `its "report" is ${JSON.stringify(report)}, not an object`);
  const parts = [
    ['key', 'sha256'],
    ['jsonKey', 'jsonSha256'],
  ] as const;
  const read: { key: string; body: Uint8Array }[] = [];
  for (const [keyField, hashField] of parts) {
    const key = report[keyField];
    const expected = report[hashField];
    if (typeof key !== 'string' || !key.startsWith(prefix) || key.includes('..') || key.length > 1024) {
      return gap(
        typeof key === 'string' ? key : undefined,
        `report.${keyField} ${JSON.stringify(key)} is not a key under ${prefix}`,
      );
    }
    if (typeof expected !== 'string' || !SHA256.test(expected)) {
      return gap(key, `report.${hashField} ${JSON.stringify(expected)} is not a SHA-256`);
    }
    let body: Uint8Array;
    try {
      const response = await callAws({ call: 'S3.GetObject', action: 's3:GetObject', region }, () =>
        client.send(new GetObjectCommand({ Bucket: bucket, Key: key })),
      );
      body = (await response.Body?.transformToByteArray()) ?? new Uint8Array();
    } catch (error) {
      if (isMissing(error)) return gap(key, `is missing from s3://${bucket}`);
      throw error;
    }
    const actual = createHash('sha256').update(body).digest('hex');
    if (actual !== expected) {
      return gap(
        key,
        `has SHA-256 ${actual}, but the record says ${expected}: it is not the report the deploy wrote`,
      );
    }
    read.push({ key, body });
  }
  return { recordKey, markdown: read[0]!, json: read[1]! };
}
