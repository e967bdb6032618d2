import { createHash } from 'node:crypto';
import { CloudFormationClient, DescribeStacksCommand } from '@aws-sdk/client-cloudformation';
import { CloudWatchClient, DescribeAlarmsCommand } from '@aws-sdk/client-cloudwatch';
import { PutObjectCommand, S3Client, type S3ClientConfig } from '@aws-sdk/client-s3';

/** The HTTP layer under the SDK clients. */
export type RequestHandler = NonNullable<S3ClientConfig['requestHandler']>;

/** One alarm's state as the record keeps it. */
export interface AlarmState {
  readonly name: string;
  readonly state: 'OK' | 'ALARM' | 'INSUFFICIENT_DATA';
  readonly since?: string;
}

/** What the deploy script asks AWS while recording a deploy. */
export interface ChangeRecordAws {
  /**
   * Adds an object that must not exist yet (`If-None-Match: *`), with a SHA-256 checksum S3
   * verifies: Object Lock refuses a PutObject without Content-MD5 or a checksum.
   */
  putObject(bucket: string, key: string, body: Buffer, contentType: string): Promise<{ versionId?: string }>;
  /** Every metric and composite alarm whose name starts with `prefix`, across pages. */
  describeAlarms(prefix: string): Promise<AlarmState[]>;
  /** The stack's status and when it last changed, or undefined when it does not exist. */
  stackStatus(stackName: string): Promise<{ status: string; reason?: string; updatedAt?: Date } | undefined>;
}

/** The SHA-256 of `body`: hex for the record, base64 for S3's checksum header. */
export function sha256(body: Buffer): { hex: string; base64: string } {
  const digest = createHash('sha256').update(body).digest();
  return { hex: digest.toString('hex'), base64: digest.toString('base64') };
}

const CLIENT_SETTINGS = {
  maxAttempts: 3,
  requestHandler: { connectionTimeout: 3_000, requestTimeout: 10_000 },
} as const;

/**
 * The SDK clients in the environment's region, through the default credential chain.
 * `requestHandler` replaces the HTTP layer (tests answer with recorded AWS responses).
 */
export function changeRecordAws(region: string, requestHandler?: RequestHandler): ChangeRecordAws {
  const settings = { region, ...CLIENT_SETTINGS, ...(requestHandler ? { requestHandler } : {}) };
  const s3 = new S3Client(settings);
  const cloudWatch = new CloudWatchClient(settings);
  const cloudFormation = new CloudFormationClient(settings);
  return {
    async putObject(bucket, key, body, contentType) {
      const result = await s3.send(
        new PutObjectCommand({
          Bucket: bucket,
          Key: key,
          Body: body,
          ContentType: contentType,
          ChecksumAlgorithm: 'SHA256',
          ChecksumSHA256: sha256(body).base64,
          IfNoneMatch: '*',
        }),
      );
      return result.VersionId ? { versionId: result.VersionId } : {};
    },
    async describeAlarms(prefix) {
      const alarms: AlarmState[] = [];
      let nextToken: string | undefined;
      do {
        const page = await cloudWatch.send(
          new DescribeAlarmsCommand({
            AlarmNamePrefix: prefix,
            AlarmTypes: ['MetricAlarm', 'CompositeAlarm'],
            NextToken: nextToken,
          }),
        );
        for (const alarm of [...(page.MetricAlarms ?? []), ...(page.CompositeAlarms ?? [])]) {
          if (!alarm.AlarmName || !alarm.StateValue) continue;
          alarms.push({
            name: alarm.AlarmName,
            state: alarm.StateValue,
            ...(alarm.StateUpdatedTimestamp ? { since: alarm.StateUpdatedTimestamp.toISOString() } : {}),
          });
        }
        nextToken = page.NextToken;
      } while (nextToken);
      return alarms.sort((a, b) => a.name.localeCompare(b.name));
    },
    async stackStatus(stackName) {
      try {
        const result = await cloudFormation.send(new DescribeStacksCommand({ StackName: stackName }));
        const stack = result.Stacks?.[0];
        if (!stack?.StackStatus) return undefined;
        return {
          status: stack.StackStatus,
          ...(stack.StackStatusReason ? { reason: stack.StackStatusReason } : {}),
          ...((stack.LastUpdatedTime ?? stack.CreationTime)
            ? { updatedAt: stack.LastUpdatedTime ?? stack.CreationTime }
            : {}),
        };
      } catch (error) {
        if (/does not exist/.test((error as Error).message)) return undefined;
        throw error;
      }
    },
  };
}
