import { InvalidPropError } from '../invalid-prop-error.js';

/** Lock of the recovery vault and Object Lock mode of the evidence replicas. */
export type RecoveryLockMode = 'governance' | 'compliance';

/**
 * Where an environment's copies and replicas live, and the names of what is there. The
 * recovery stack creates resources by these names; the primary stacks copy and replicate
 * to them by the same names. The two stacks are in different regions, so they share
 * strings built from config instead of CloudFormation references (which cannot cross
 * regions).
 */
export interface RecoverySite {
  readonly environment: string;
  readonly account: string;
  /** The recovery region. */
  readonly region: string;
  /** The primary region, whose evidence is replicated here. */
  readonly primaryRegion: string;
  readonly lockMode: RecoveryLockMode;
  /** Days a copied recovery point is kept; at least `vaultMinRetentionDays`. */
  readonly copyRetentionDays: number;
  /** Lock of the recovery vault, in days. */
  readonly vaultMinRetentionDays: number;
  /** Days a replicated evidence object is locked and then kept: the environment's log retention. */
  readonly evidenceRetentionDays: number;
}

/** What S3 replication writes into a destination bucket. */
export const REPLICA_WRITE_ACTIONS = [
  's3:ReplicateObject',
  's3:ReplicateDelete',
  's3:ReplicateTags',
] as const;

/**
 * Short names of the evidence kinds that get a replica; each is part of a bucket name and
 * a role name. Another evidence bucket adds its kind here.
 */
export const EVIDENCE_KINDS = ['trail', 'flow', 'alb', 'changes'] as const;
export type EvidenceKind = (typeof EVIDENCE_KINDS)[number];

/** Name of the recovery stack and of its backup vault. */
export function recoveryVaultName(site: RecoverySite): string {
  return `citadel-${site.environment}-recovery`;
}

/** ARN of the recovery vault, as the primary region's backup plan names it. */
export function recoveryVaultArn(site: RecoverySite, partition: string): string {
  return `arn:${partition}:backup:${site.region}:${site.account}:backup-vault:${recoveryVaultName(site)}`;
}

/** Alias (without `alias/`) of the recovery region's key. */
export function recoveryKeyAlias(site: RecoverySite): string {
  return `citadel/${site.environment}/recovery`;
}

/** Alias ARN of the recovery key: what S3 replication encrypts replicas with. */
export function recoveryKeyAliasArn(site: RecoverySite, partition: string): string {
  return `arn:${partition}:kms:${site.region}:${site.account}:alias/${recoveryKeyAlias(site)}`;
}

/**
 * Name of the replica bucket of one evidence kind: `citadel-<env>-<kind>-<account>-<region>`.
 * Bucket names are global, so account and region make it unique; at most 63 characters.
 */
export function replicaBucketName(site: RecoverySite, kind: EvidenceKind): string {
  const name = `citadel-${site.environment}-${kind}-${site.account}-${site.region}`;
  if (name.length > 63) {
    throw new InvalidPropError(
      `recovery site of ${site.environment}`,
      'replica bucket name',
      name,
      'S3 bucket names are at most 63 characters; shorten the environment name',
    );
  }
  return name;
}

/** ARN of the replica bucket of one evidence kind. */
export function replicaBucketArn(site: RecoverySite, kind: EvidenceKind, partition: string): string {
  return `arn:${partition}:s3:::${replicaBucketName(site, kind)}`;
}

/**
 * Name of the role S3 assumes to replicate one evidence bucket. Fixed, so the replica's
 * bucket policy in the recovery region can name it before the role exists.
 */
export function replicationRoleName(site: RecoverySite, kind: EvidenceKind): string {
  return `citadel-${site.environment}-${kind}-replication`;
}

/** ARN of the replication role of one evidence kind. */
export function replicationRoleArn(site: RecoverySite, kind: EvidenceKind, partition: string): string {
  return `arn:${partition}:iam::${site.account}:role/${replicationRoleName(site, kind)}`;
}
