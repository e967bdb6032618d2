import { Stack } from 'aws-cdk-lib';
import { AnyPrincipal, Effect, PolicyStatement } from 'aws-cdk-lib/aws-iam';
import type { IKey } from 'aws-cdk-lib/aws-kms';
import type { IBucket } from 'aws-cdk-lib/aws-s3';
import { Construct } from 'constructs';
import { InvalidPropError } from '../invalid-prop-error.js';
import { MIN_LOG_RETENTION_DAYS } from '../../policy/workload-policy.js';
import { SecureBucket, type ObjectLockMode } from './secure-bucket.js';
import type { RecoveryReplicaTarget } from './recovery-replication.js';
import { ServiceKey } from './service-key.js';
import { MIN_COMPLIANCE_RETENTION_DAYS } from '../../policy/workload-policy.js';

export type { ObjectLockMode } from './secure-bucket.js';

/** Prefix every change record is written under; the deploy role may write nowhere else. */
export const CHANGE_RECORD_PREFIX = 'records';

/** Actions that would remove or unlock a record; denied to every principal by the bucket policy. */
export const RECORD_REMOVAL_ACTIONS = [
  's3:DeleteObject',
  's3:DeleteObjectVersion',
  's3:BypassGovernanceRetention',
] as const;

/**
 * Name of an environment's change-record bucket: fixed, so a deploy script finds it without a
 * lookup; account and region make it globally unique.
 */
export function changeRecordBucketName(environmentName: string, account: string, region: string): string {
  return `citadel-${environmentName}-records-${account}-${region}`;
}

export interface ChangeRecordBucketProps {
  /** Environment whose deploys are recorded; part of the bucket name and the record prefix. */
  readonly environmentName: string;
  /** Object Lock mode applied to every record by default. */
  readonly objectLockMode: ObjectLockMode;
  /** Days every record is locked; at least `logRetentionDays`, and 365 in COMPLIANCE mode. */
  readonly retentionDays: number;
  /** The environment's log retention, the floor of `retentionDays`. */
  readonly logRetentionDays: number;
  /**
   * The environment's recovery region: every record is replicated to a locked replica there.
   * @default - records stay in the home region only
   */
  readonly replica?: RecoveryReplicaTarget;
}

/**
 * Where every deploy's change record is kept: an S3 bucket with Object Lock on by default
 * (COMPLIANCE or GOVERNANCE for `retentionDays`), versioned, SSE-KMS under its own
 * customer-managed key (usable only through S3), TLS 1.2+ only, public access blocked,
 * server access logs to a bucket of its own. The bucket policy denies deleting any object
 * version, or bypassing a governance lock, to every principal.
 */
export class ChangeRecordBucket extends Construct {
  readonly bucket: IBucket;
  readonly key: IKey;
  /** `records/<env>/`: the prefix the deploy role writes under. */
  readonly recordPrefix: string;

  constructor(scope: Construct, id: string, props: ChangeRecordBucketProps) {
    super(scope, id);
    validate(this.node.path, props);
    const { account, region } = Stack.of(this);
    this.recordPrefix = `${CHANGE_RECORD_PREFIX}/${props.environmentName}/`;

    this.key = new ServiceKey(this, 'Key', {
      aliasName: `citadel/${props.environmentName}/change-records`,
      description: `Citadel change records of ${props.environmentName} in S3`,
      viaServices: ['s3'],
    }).key;
    const accessLogs = new SecureBucket(this, 'AccessLogs', {
      expirationDays: Math.max(props.logRetentionDays, MIN_LOG_RETENTION_DAYS),
    }).bucket;

    // 'Default' keeps the bucket, its policy and its replication role at the logical ids they
    // had when this construct made the bucket itself (CDK leaves 'Default' out of logical ids).
    const bucket = new SecureBucket(this, 'Default', {
      bucketName: changeRecordBucketName(props.environmentName, account, region),
      encryptionKey: this.key,
      objectLock: { mode: props.objectLockMode, retentionDays: props.retentionDays },
      serverAccessLogsBucket: accessLogs,
      serverAccessLogsPrefix: `${id}/`,
      ...(props.replica ? { replica: props.replica } : {}),
      withoutReplicaBecause:
        'Change records stay in the environment’s home region; Object Lock, versioning and a bucket policy that denies every delete protect each record within that region for its whole retention.',
    }).bucket;
    bucket.addToResourcePolicy(
      new PolicyStatement({
        sid: 'NoRecordIsEverDeleted',
        effect: Effect.DENY,
        principals: [new AnyPrincipal()],
        actions: [...RECORD_REMOVAL_ACTIONS],
        resources: [bucket.arnForObjects('*')],
      }),
    );
    this.bucket = bucket;
  }
}

function validate(path: string, props: ChangeRecordBucketProps): void {
  if (!/^[a-z][a-z0-9-]{0,15}$/.test(props.environmentName)) {
    throw new InvalidPropError(
      path,
      'environmentName',
      props.environmentName,
      'use lower-case letters, digits and hyphens (at most 16), as environment names are',
    );
  }
  if (!Number.isInteger(props.retentionDays) || props.retentionDays < props.logRetentionDays) {
    throw new InvalidPropError(
      path,
      'retentionDays',
      props.retentionDays,
      `lock records at least as long as logs are kept (logRetentionDays ${props.logRetentionDays})`,
    );
  }
  if (props.objectLockMode === 'COMPLIANCE' && props.retentionDays < MIN_COMPLIANCE_RETENTION_DAYS) {
    throw new InvalidPropError(
      path,
      'retentionDays',
      props.retentionDays,
      `COMPLIANCE mode locks records at least ${MIN_COMPLIANCE_RETENTION_DAYS} days`,
    );
  }
}
