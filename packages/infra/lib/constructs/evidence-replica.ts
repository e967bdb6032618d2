import { Stack } from 'aws-cdk-lib';
import { AccountRootPrincipal, AnyPrincipal, Effect, PolicyStatement } from 'aws-cdk-lib/aws-iam';
import type { IKey } from 'aws-cdk-lib/aws-kms';
import type { Bucket, IBucket } from 'aws-cdk-lib/aws-s3';
import { Construct } from 'constructs';
import { InvalidPropError } from '../invalid-prop-error.js';
import { REPLICA_WRITE_ACTIONS, type RecoveryLockMode } from './recovery-site.js';
import { SecureBucket } from './secure-bucket.js';

export { REPLICA_WRITE_ACTIONS } from './recovery-site.js';

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
    // 'Default' keeps the bucket and its policy at the logical ids they had when this
    // construct made the bucket itself (CDK leaves 'Default' out of logical ids).
    this.bucket = new SecureBucket(this, 'Default', {
      bucketName: props.bucketName,
      encryptionKey: props.encryptionKey,
      objectLock: {
        mode: props.lockMode === 'compliance' ? 'COMPLIANCE' : 'GOVERNANCE',
        retentionDays: props.retentionDays,
      },
      expirationDays: props.retentionDays,
      serverAccessLogsBucket: props.serverAccessLogsBucket,
      serverAccessLogsPrefix: `${id}/`,
      withoutReplicaBecause: `This bucket is itself the cross-region replica (in ${Stack.of(this).region}) of the primary region's evidence bucket; every replica is under Object Lock, so a third copy would protect nothing more.`,
    }).bucket;

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
  }
}
