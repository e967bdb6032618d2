import { Duration, RemovalPolicy, Stack } from 'aws-cdk-lib';
import { AccountRootPrincipal, AnyPrincipal, Effect, PolicyStatement } from 'aws-cdk-lib/aws-iam';
import type { IKey } from 'aws-cdk-lib/aws-kms';
import {
  BlockPublicAccess,
  Bucket,
  BucketEncryption,
  ObjectLockRetention,
  ObjectOwnership,
  type IBucket,
} from 'aws-cdk-lib/aws-s3';
import { Construct } from 'constructs';
import { acknowledge } from '../acknowledge.js';
import { InvalidPropError } from '../invalid-prop-error.js';
import type { RecoveryLockMode } from './recovery-site.js';

/** What S3 replication writes into a destination bucket. */
export const REPLICA_WRITE_ACTIONS = [
  's3:ReplicateObject',
  's3:ReplicateDelete',
  's3:ReplicateTags',
] as const;

export interface EvidenceReplicaProps {
  /** Fixed name; the source bucket's replication rule names it. */
  readonly bucketName: string;
  /** The recovery region's key; replicas are encrypted with it. */
  readonly encryptionKey: IKey;
  /** Object Lock mode of every replica. */
  readonly lockMode: RecoveryLockMode;
  /** Days each replica is locked, then kept; the evidence's retention (at least 90). */
  readonly retentionDays: number;
  /** ARN of the role S3 replicates with: the only principal that may write here. */
  readonly replicationRoleArn: string;
  /** Receives this bucket's server access logs. */
  readonly serverAccessLogsBucket: IBucket;
}

/**
 * The recovery region's copy of one audit-evidence bucket: Object Lock on every replica
 * for the evidence's retention, encrypted with the recovery key, versioned, TLS-only,
 * public access blocked, and writable by the source bucket's replication role only.
 */
export class EvidenceReplica extends Construct {
  readonly bucket: Bucket;

  constructor(scope: Construct, id: string, props: EvidenceReplicaProps) {
    super(scope, id);
    if (!Number.isInteger(props.retentionDays) || props.retentionDays < 90) {
      throw new InvalidPropError(
        this.node.path,
        'retentionDays',
        props.retentionDays,
        'keep audit evidence at least 90 days (a whole number)',
      );
    }
    const retention = Duration.days(props.retentionDays);
    this.bucket = new Bucket(this, 'Bucket', {
      bucketName: props.bucketName,
      encryption: BucketEncryption.KMS,
      encryptionKey: props.encryptionKey,
      bucketKeyEnabled: true,
      versioned: true,
      objectLockEnabled: true,
      objectLockDefaultRetention:
        props.lockMode === 'compliance'
          ? ObjectLockRetention.compliance(retention)
          : ObjectLockRetention.governance(retention),
      enforceSSL: true,
      minimumTLSVersion: 1.2,
      blockPublicAccess: BlockPublicAccess.BLOCK_ALL,
      objectOwnership: ObjectOwnership.BUCKET_OWNER_ENFORCED,
      serverAccessLogsBucket: props.serverAccessLogsBucket,
      serverAccessLogsPrefix: `${id}/`,
      lifecycleRules: [
        {
          id: 'expire-replicas-after-retention',
          expiration: retention,
          noncurrentVersionExpiration: Duration.days(90),
          abortIncompleteMultipartUploadAfter: Duration.days(7),
        },
      ],
      removalPolicy: RemovalPolicy.RETAIN,
    });

    // The role is named by ARN through aws:PrincipalArn, not as the principal: the recovery
    // stack deploys before the role exists, and S3 refuses a policy naming a missing role.
    const isReplicationRole = { 'aws:PrincipalArn': props.replicationRoleArn };
    this.bucket.addToResourcePolicy(
      new PolicyStatement({
        sid: 'ReplicationRoleWritesReplicas',
        principals: [new AccountRootPrincipal()],
        actions: [...REPLICA_WRITE_ACTIONS],
        resources: [this.bucket.arnForObjects('*')],
        conditions: { ArnEquals: isReplicationRole },
      }),
    );
    this.bucket.addToResourcePolicy(
      new PolicyStatement({
        sid: 'OnlyReplicationWritesEvidence',
        effect: Effect.DENY,
        principals: [new AnyPrincipal()],
        actions: ['s3:PutObject', ...REPLICA_WRITE_ACTIONS],
        resources: [this.bucket.arnForObjects('*')],
        conditions: { ArnNotEquals: isReplicationRole },
      }),
    );
    acknowledge(
      this.bucket,
      [
        'HIPAA.Security-S3BucketReplicationEnabled',
        'NIST.800.53.R5-S3BucketReplicationEnabled',
        'PCI.DSS.321-S3BucketReplicationEnabled',
      ],
      `This bucket is itself the cross-region replica (in ${Stack.of(this).region}) of the primary region's evidence bucket; every replica is under Object Lock, so a third copy would protect nothing more.`,
    );
  }
}
