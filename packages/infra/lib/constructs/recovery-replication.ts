import { Stack } from 'aws-cdk-lib';
import { ManagedPolicy, PolicyStatement, Role, ServicePrincipal } from 'aws-cdk-lib/aws-iam';
import type { IKey } from 'aws-cdk-lib/aws-kms';
import type { Bucket, CfnBucket } from 'aws-cdk-lib/aws-s3';
import { Construct } from 'constructs';
import { acknowledge } from '../acknowledge.js';
import { InvalidPropError } from '../invalid-prop-error.js';
import {
  recoveryKeyAlias,
  recoveryKeyAliasArn,
  replicaBucketArn,
  REPLICA_WRITE_ACTIONS,
  replicationRoleName,
  type EvidenceKind,
  type RecoverySite,
} from './recovery-site.js';

/** What the replication role reads from the source bucket and its object versions. */
export const REPLICATION_SOURCE_BUCKET_ACTIONS = ['s3:GetReplicationConfiguration', 's3:ListBucket'] as const;
export const REPLICATION_SOURCE_OBJECT_ACTIONS = [
  's3:GetObjectVersionForReplication',
  's3:GetObjectVersionAcl',
  's3:GetObjectVersionTagging',
] as const;

/** Where a bucket replicates to: the environment's recovery site and the kind of evidence it holds. */
export interface RecoveryReplicaTarget {
  readonly site: RecoverySite;
  readonly kind: EvidenceKind;
}

export interface RecoveryReplicationProps extends RecoveryReplicaTarget {
  /** The source bucket; versioned (Object Lock on the replica requires versioning on both sides). */
  readonly bucket: Bucket;
  /**
   * Key the source bucket encrypts with.
   * @default - the source is SSE-S3: no key to decrypt with, every object replicates
   */
  readonly sourceKey?: IKey;
}

/**
 * Replicates every new object version of a bucket to its replica in the recovery region
 * (`citadel-<env>-<kind>-<account>-<region>`, made by the recovery stack), encrypted there
 * with the recovery key. Delete markers are not replicated, so deleting evidence here never
 * deletes its replica. The role S3 replicates with has a fixed name (the replica's bucket
 * policy admits only it) and may only read this bucket's versions, decrypt with its key
 * through S3, encrypt with the recovery key through S3, and write replicas into that one
 * bucket.
 */
export class RecoveryReplication extends Construct {
  readonly role: Role;
  readonly policy: ManagedPolicy;

  constructor(scope: Construct, id: string, props: RecoveryReplicationProps) {
    super(scope, id);
    const { bucket, site, kind, sourceKey } = props;
    const bucketResource = bucket.node.defaultChild as CfnBucket;
    const versioning = Stack.of(this).resolve(bucketResource.versioningConfiguration) as
      { status?: string } | undefined;
    if (versioning?.status !== 'Enabled') {
      throw new InvalidPropError(
        this.node.path,
        'bucket',
        bucket.node.path,
        'S3 replication needs versioning on the source bucket; create it with versioned: true',
      );
    }
    if (bucketResource.replicationConfiguration !== undefined) {
      throw new InvalidPropError(
        this.node.path,
        'bucket',
        bucket.node.path,
        'already replicates; a bucket has one replica in the recovery region',
      );
    }
    const { partition, region, account } = Stack.of(this);
    const replicaArn = replicaBucketArn(site, kind, partition);

    this.role = new Role(this, 'Role', {
      roleName: replicationRoleName(site, kind),
      assumedBy: new ServicePrincipal('s3.amazonaws.com'),
      description: `Replicates ${bucket.node.path} to its replica in ${site.region}`,
    });
    const statements = [
      new PolicyStatement({
        sid: 'ReadSourceReplicationConfiguration',
        actions: [...REPLICATION_SOURCE_BUCKET_ACTIONS],
        resources: [bucket.bucketArn],
      }),
      new PolicyStatement({
        sid: 'ReadSourceVersions',
        actions: [...REPLICATION_SOURCE_OBJECT_ACTIONS],
        resources: [bucket.arnForObjects('*')],
      }),
      new PolicyStatement({
        sid: 'WriteReplicas',
        actions: [...REPLICA_WRITE_ACTIONS],
        resources: [`${replicaArn}/*`],
      }),
      // The recovery key lives in another region and stack, so it is named by its alias:
      // only the key carrying that alias matches, and only through S3 in that region.
      new PolicyStatement({
        sid: 'EncryptReplicasWithRecoveryKey',
        actions: ['kms:Encrypt', 'kms:GenerateDataKey'],
        resources: [`arn:${partition}:kms:${site.region}:${account}:key/*`],
        conditions: {
          'ForAnyValue:StringEquals': { 'kms:ResourceAliases': `alias/${recoveryKeyAlias(site)}` },
          StringEquals: { 'kms:ViaService': `s3.${site.region}.amazonaws.com` },
          StringLike: { 'kms:EncryptionContext:aws:s3:arn': [replicaArn, `${replicaArn}/*`] },
        },
      }),
    ];
    if (sourceKey) {
      statements.push(
        new PolicyStatement({
          sid: 'DecryptSourceVersions',
          actions: ['kms:Decrypt'],
          resources: [sourceKey.keyArn],
          conditions: {
            StringEquals: { 'kms:ViaService': `s3.${region}.amazonaws.com` },
            StringLike: { 'kms:EncryptionContext:aws:s3:arn': [bucket.bucketArn, bucket.arnForObjects('*')] },
          },
        }),
      );
    }
    this.policy = new ManagedPolicy(this, 'Policy', { roles: [this.role], statements });

    bucketResource.replicationConfiguration = {
      role: this.role.roleArn,
      rules: [
        {
          id: `to-${site.region}`,
          status: 'Enabled',
          priority: 1,
          filter: { prefix: '' },
          deleteMarkerReplication: { status: 'Disabled' },
          destination: {
            bucket: replicaArn,
            encryptionConfiguration: { replicaKmsKeyId: recoveryKeyAliasArn(site, partition) },
          },
          ...(sourceKey
            ? { sourceSelectionCriteria: { sseKmsEncryptedObjects: { status: 'Enabled' } } }
            : {}),
        },
      ],
    };

    const stack = Stack.of(this);
    const bucketId = stack.getLogicalId(bucketResource);
    acknowledge(
      this.policy,
      [
        `AwsSolutions-IAM5[Resource::<${bucketId}.Arn>/*]`,
        `AwsSolutions-IAM5[Resource::${replicaArn}/*]`,
        `AwsSolutions-IAM5[Resource::arn:${partition}:kms:${site.region}:${account}:key/*]`,
      ],
      'S3 replication reads and writes whichever object versions are created, so object keys are wildcards inside the one source and the one replica bucket; the recovery key is matched by its alias and S3 in its region, as it lives in another region and stack.',
    );
  }
}

/**
 * Replicates a versioned bucket to its replica in the environment's recovery region; one
 * call per bucket. Returns the replication, or undefined when the environment has no
 * recovery site.
 */
export function replicateToRecoveryRegion(
  scope: Construct,
  bucket: Bucket,
  target: RecoveryReplicaTarget | undefined,
  sourceKey?: IKey,
): RecoveryReplication | undefined {
  if (!target) return undefined;
  return new RecoveryReplication(scope, 'Replication', {
    bucket,
    site: target.site,
    kind: target.kind,
    ...(sourceKey ? { sourceKey } : {}),
  });
}
