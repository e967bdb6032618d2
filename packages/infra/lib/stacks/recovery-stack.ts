import type { Key } from 'aws-cdk-lib/aws-kms';
import type { BackupVault } from 'aws-cdk-lib/aws-backup';
import type { Bucket } from 'aws-cdk-lib/aws-s3';
import type { Construct } from 'constructs';
import { MIN_LOG_RETENTION_DAYS, type EnvironmentConfig } from '../../config/index.js';
import { EvidenceReplica } from '../constructs/evidence-replica.js';
import {
  recoveryKeyAlias,
  recoveryVaultName,
  replicaBucketName,
  replicationRoleArn,
  type EvidenceKind,
  type RecoverySite,
} from '../constructs/recovery-site.js';
import { RecoveryVault } from '../constructs/recovery-vault.js';
import { SecureBucket } from '../constructs/secure-bucket.js';
import { ServiceKey } from '../constructs/service-key.js';
import { CitadelStack } from './citadel-stack.js';

export interface RecoveryStackProps {
  /** An environment with `recovery` in its config. */
  readonly config: EnvironmentConfig;
}

/** The environment's recovery site, or undefined when its config has no `recovery`. */
export function recoverySiteOf(config: EnvironmentConfig): RecoverySite | undefined {
  const { recovery } = config;
  if (!recovery) return undefined;
  return {
    environment: config.name,
    account: config.account,
    region: recovery.region,
    primaryRegion: config.region,
    lockMode: recovery.vaultLockMode ?? 'governance',
    copyRetentionDays: recovery.copyRetentionDays,
    vaultMinRetentionDays: recovery.vaultMinRetentionDays,
    evidenceRetentionDays: config.logRetentionDays,
  };
}

/** Construct id of each evidence kind's replica; part of its logical id, so fixed. */
const REPLICA_IDS: Readonly<Record<EvidenceKind, string>> = {
  trail: 'TrailReplica',
  flow: 'FlowLogsReplica',
  alb: 'LoadBalancerLogsReplica',
  changes: 'ChangeRecordsReplica',
};

/**
 * The evidence buckets an environment replicates: the account's trail where it owns it,
 * the VPC flow logs, the load balancer's access logs and the deploys' change records.
 */
export function replicatedEvidence(config: EnvironmentConfig): EvidenceKind[] {
  return [...(config.baseline.account?.cloudTrail ? (['trail'] as const) : []), 'flow', 'alb', 'changes'];
}

/**
 * What survives the loss of the primary region, in the recovery region of the same
 * account: the recovery key, the locked vault every database recovery point is copied to,
 * and a locked replica of each audit-evidence bucket. Deployed before the stacks that copy
 * and replicate into it; they name its resources by the same fixed names
 * (constructs/recovery-site.ts), since references cannot cross regions.
 */
export class RecoveryStack extends CitadelStack {
  readonly site: RecoverySite;
  readonly key: Key;
  readonly vault: BackupVault;
  readonly accessLogsBucket: Bucket;
  /** Replica bucket of each replicated evidence kind. */
  readonly replicas: ReadonlyMap<EvidenceKind, Bucket>;

  constructor(scope: Construct, props: RecoveryStackProps) {
    const site = recoverySiteOf(props.config);
    if (!site) {
      throw new Error(
        `environment "${props.config.name}" has no recovery in its config; create the recovery stack only for one that has`,
      );
    }
    super(scope, {
      config: props.config,
      layer: 'recovery',
      region: site.region,
      description: `copies of the database recovery points and replicas of the audit evidence of ${site.primaryRegion}`,
    });
    this.site = site;
    this.key = new ServiceKey(this, 'Key', {
      aliasName: recoveryKeyAlias(site),
      description: `Copied recovery points and evidence replicas of ${props.config.name} (primary region ${site.primaryRegion})`,
      // AWS Backup and RDS re-encrypt copied snapshots with it; S3 encrypts replicas with it.
      viaServices: ['backup', 'rds', 's3'],
    }).key;
    this.vault = new RecoveryVault(this, 'Vault', {
      vaultName: recoveryVaultName(site),
      encryptionKey: this.key,
      lockMode: site.lockMode,
      minRetentionDays: site.vaultMinRetentionDays,
    }).vault;
    this.accessLogsBucket = new SecureBucket(this, 'AccessLogs', {
      expirationDays: Math.max(site.evidenceRetentionDays, MIN_LOG_RETENTION_DAYS),
    }).bucket;
    const replicas = new Map<EvidenceKind, Bucket>();
    for (const kind of replicatedEvidence(props.config)) {
      replicas.set(kind, this.addReplica(kind));
    }
    this.replicas = replicas;
  }

  /** A replica bucket for one more kind of evidence; its source replicates with `replicateToRecoveryRegion`. */
  addReplica(kind: EvidenceKind): Bucket {
    return new EvidenceReplica(this, REPLICA_IDS[kind], {
      bucketName: replicaBucketName(this.site, kind),
      encryptionKey: this.key,
      lockMode: this.site.lockMode,
      retentionDays: Math.max(this.site.evidenceRetentionDays, MIN_LOG_RETENTION_DAYS),
      replicationRoleArn: replicationRoleArn(this.site, kind, this.partition),
      serverAccessLogsBucket: this.accessLogsBucket,
    }).bucket;
  }

  /** Nothing here is placed in an availability zone; the primary region's zones do not apply. */
  override get availabilityZones(): string[] {
    throw new Error(`${this.stackName} holds no zonal resource; it has no availability zones`);
  }
}
