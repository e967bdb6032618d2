import { Duration, RemovalPolicy } from 'aws-cdk-lib';
import type { IKey } from 'aws-cdk-lib/aws-kms';
import {
  BlockPublicAccess,
  Bucket,
  BucketEncryption,
  ObjectOwnership,
  type IBucket,
} from 'aws-cdk-lib/aws-s3';
import { Construct } from 'constructs';
import { InvalidPropError } from '../invalid-prop-error.js';
import { acknowledge } from '../acknowledge.js';
import { replicateToRecoveryRegion, type RecoveryReplicaTarget } from './recovery-replication.js';

export interface SecureBucketProps {
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
  /** Days after which current objects expire; at least 90 so audit evidence outlives the minimum retention. */
  readonly expirationDays: number;
  /**
   * Days after which replaced (noncurrent) versions expire.
   * @default 90
   */
  readonly noncurrentVersionExpirationDays?: number;
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
}

/**
 * An S3 bucket for log evidence: versioned, public access blocked, objects owned by the
 * bucket owner, TLS 1.2+ only, incomplete uploads aborted after 7 days, and objects
 * expired on a schedule no shorter than 90 days.
 */
export class SecureBucket extends Construct {
  readonly bucket: Bucket;

  constructor(scope: Construct, id: string, props: SecureBucketProps) {
    super(scope, id);
    if (props.expirationDays < 90) {
      throw new InvalidPropError(
        this.node.path,
        'expirationDays',
        props.expirationDays,
        'keep log objects at least 90 days',
      );
    }
    this.bucket = new Bucket(this, 'Bucket', {
      ...(props.encryptionKey
        ? { encryption: BucketEncryption.KMS, encryptionKey: props.encryptionKey, bucketKeyEnabled: true }
        : { encryption: BucketEncryption.S3_MANAGED }),
      versioned: true,
      enforceSSL: true,
      minimumTLSVersion: 1.2,
      blockPublicAccess: BlockPublicAccess.BLOCK_ALL,
      objectOwnership: ObjectOwnership.BUCKET_OWNER_ENFORCED,
      ...(props.serverAccessLogsBucket
        ? { serverAccessLogsBucket: props.serverAccessLogsBucket, serverAccessLogsPrefix: `${id}/` }
        : {}),
      lifecycleRules: [
        {
          id: 'expire-evidence-after-retention',
          expiration: Duration.days(props.expirationDays),
          noncurrentVersionExpiration: Duration.days(props.noncurrentVersionExpirationDays ?? 90),
          abortIncompleteMultipartUploadAfter: Duration.days(7),
        },
      ],
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
      'No replica in a recovery region: its environment has none, or the bucket holds only S3 server access logs of buckets whose evidence is replicated; versioning, TLS-only access and lifecycle retention protect the objects against deletion and loss within that region.',
    );
  }
}
