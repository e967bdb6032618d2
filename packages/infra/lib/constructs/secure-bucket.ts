import { Duration, RemovalPolicy } from 'aws-cdk-lib';
import type { IKey } from 'aws-cdk-lib/aws-kms';
import {
  BlockPublicAccess,
  Bucket,
  BucketEncryption,
  ObjectLockRetention,
  ObjectOwnership,
  type IBucket,
  type LifecycleRule,
} from 'aws-cdk-lib/aws-s3';
import { Construct } from 'constructs';
import { InvalidPropError } from '../invalid-prop-error.js';
import { acknowledge } from '../acknowledge.js';
import { replicateToRecoveryRegion, type RecoveryReplicaTarget } from './recovery-replication.js';

/** Object Lock modes: COMPLIANCE binds everyone, the account root included; GOVERNANCE can be bypassed with a permission. */
export type ObjectLockMode = 'COMPLIANCE' | 'GOVERNANCE';

/** Object Lock applied to every new object version by default. */
export interface ObjectLockDefault {
  readonly mode: ObjectLockMode;
  /** Days each object version is locked (a whole number, at least 1). */
  readonly retentionDays: number;
}

export interface SecureBucketProps {
  /**
   * Fixed bucket name, for a bucket others find without a lookup.
   * @default - a name CloudFormation generates
   */
  readonly bucketName?: string;
  /**
   * Key for SSE-KMS.
   * @default - SSE-S3 (AES-256 with S3-managed keys), the only encryption S3 server access
   * logging and load-balancer access logs can write to; acknowledged against the KMS rules
   */
  readonly encryptionKey?: IKey;
  /**
   * Bucket that receives this bucket's server access logs.
   * @default - none: this bucket is itself an access-log destination (acknowledged)
   */
  readonly serverAccessLogsBucket?: IBucket;
  /**
   * Prefix of this bucket's server access logs in `serverAccessLogsBucket`.
   * @default - this construct's id and a slash
   */
  readonly serverAccessLogsPrefix?: string;
  /**
   * Days after which current objects expire; at least 90 so audit evidence outlives the
   * minimum retention.
   * @default - objects never expire (records kept for good); only incomplete uploads are aborted
   */
  readonly expirationDays?: number;
  /**
   * Days after which replaced (noncurrent) versions expire; only with `expirationDays`.
   * @default 90
   */
  readonly noncurrentVersionExpirationDays?: number;
  /**
   * Object Lock on every new object version, so no one can delete or overwrite it before
   * its retention ends.
   * @default - no Object Lock
   */
  readonly objectLock?: ObjectLockDefault;
  /**
   * What happens to the bucket when it leaves the stack.
   * @default RemovalPolicy.RETAIN - log evidence outlives the stack
   */
  readonly removalPolicy?: RemovalPolicy;
  /**
   * Replicate every new object version to this bucket's replica in the recovery region.
   * @default - no replica: the evidence stays in its home region (acknowledged)
   */
  readonly replica?: RecoveryReplicaTarget;
  /**
   * Why a bucket without `replica` needs none; acknowledged against the replication rules.
   * @default - the environment has no recovery region, or the bucket holds only server access logs
   */
  readonly withoutReplicaBecause?: string;
}

/**
 * An S3 bucket for log evidence and records: versioned, public access blocked, objects
 * owned by the bucket owner, TLS 1.2+ only, incomplete uploads aborted after 7 days,
 * objects expired on a schedule no shorter than 90 days when they expire at all, and
 * optionally under Object Lock and replicated to the recovery region.
 */
export class SecureBucket extends Construct {
  readonly bucket: Bucket;

  constructor(scope: Construct, id: string, props: SecureBucketProps) {
    super(scope, id);
    validate(this.node.path, props);
    const { objectLock } = props;
    this.bucket = new Bucket(this, 'Bucket', {
      ...(props.bucketName === undefined ? {} : { bucketName: props.bucketName }),
      ...(props.encryptionKey
        ? { encryption: BucketEncryption.KMS, encryptionKey: props.encryptionKey, bucketKeyEnabled: true }
        : { encryption: BucketEncryption.S3_MANAGED }),
      versioned: true,
      ...(objectLock
        ? {
            objectLockEnabled: true,
            objectLockDefaultRetention: (objectLock.mode === 'COMPLIANCE'
              ? ObjectLockRetention.compliance
              : ObjectLockRetention.governance)(Duration.days(objectLock.retentionDays)),
          }
        : {}),
      enforceSSL: true,
      minimumTLSVersion: 1.2,
      blockPublicAccess: BlockPublicAccess.BLOCK_ALL,
      objectOwnership: ObjectOwnership.BUCKET_OWNER_ENFORCED,
      ...(props.serverAccessLogsBucket
        ? {
            serverAccessLogsBucket: props.serverAccessLogsBucket,
            serverAccessLogsPrefix: props.serverAccessLogsPrefix ?? `${id}/`,
          }
        : {}),
      lifecycleRules: [lifecycleRuleOf(props)],
      removalPolicy: props.removalPolicy ?? RemovalPolicy.RETAIN,
    });

    if (!props.encryptionKey) {
      acknowledge(
        this.bucket,
        [
          'HIPAA.Security-S3DefaultEncryptionKMS',
          'NIST.800.53.R5-S3DefaultEncryptionKMS',
          'PCI.DSS.321-S3DefaultEncryptionKMS',
        ],
        'Log-delivery bucket: S3 server access logging and ALB access logs only write to SSE-S3 (AES-256) buckets; objects are still encrypted at rest and the bucket is TLS-only with public access blocked.',
      );
    }
    if (!props.serverAccessLogsBucket) {
      acknowledge(
        this.bucket,
        [
          'AwsSolutions-S1',
          'HIPAA.Security-S3BucketLoggingEnabled',
          'NIST.800.53.R5-S3BucketLoggingEnabled',
          'PCI.DSS.321-S3BucketLoggingEnabled',
        ],
        'This bucket is the server-access-log destination itself, so logging it into itself would loop; only S3 log delivery writes to it, public access is blocked and changes to its configuration are recorded by CloudTrail.',
      );
    }
    if (props.replica) {
      replicateToRecoveryRegion(this, this.bucket, props.replica, props.encryptionKey);
      return;
    }
    acknowledge(
      this.bucket,
      [
        'HIPAA.Security-S3BucketReplicationEnabled',
        'NIST.800.53.R5-S3BucketReplicationEnabled',
        'PCI.DSS.321-S3BucketReplicationEnabled',
      ],
      props.withoutReplicaBecause ??
        'No replica in a recovery region: its environment has none, or the bucket holds only S3 server access logs of buckets whose evidence is replicated; versioning, TLS-only access and lifecycle retention protect the objects against deletion and loss within that region.',
    );
  }
}

/** Expiry after the retention when objects expire; otherwise only incomplete uploads are cleaned up. */
function lifecycleRuleOf(props: SecureBucketProps): LifecycleRule {
  const abortIncompleteMultipartUploadAfter = Duration.days(7);
  if (props.expirationDays === undefined)
    return { id: 'abort-incomplete-uploads', abortIncompleteMultipartUploadAfter };
  return {
    id: 'expire-evidence-after-retention',
    expiration: Duration.days(props.expirationDays),
    noncurrentVersionExpiration: Duration.days(props.noncurrentVersionExpirationDays ?? 90),
    abortIncompleteMultipartUploadAfter,
  };
}

function validate(path: string, props: SecureBucketProps): void {
  if (props.expirationDays !== undefined && !(props.expirationDays >= 90)) {
    throw new InvalidPropError(
      path,
      'expirationDays',
      props.expirationDays,
      'keep log objects at least 90 days',
    );
  }
  if (props.expirationDays === undefined && props.noncurrentVersionExpirationDays !== undefined) {
    throw new InvalidPropError(
      path,
      'noncurrentVersionExpirationDays',
      props.noncurrentVersionExpirationDays,
      'give expirationDays too, or leave both out to keep every version',
    );
  }
  const retentionDays = props.objectLock?.retentionDays;
  if (retentionDays !== undefined && (!Number.isInteger(retentionDays) || retentionDays < 1)) {
    throw new InvalidPropError(
      path,
      'objectLock.retentionDays',
      retentionDays,
      'lock objects for a whole number of days, at least 1',
    );
  }
}
