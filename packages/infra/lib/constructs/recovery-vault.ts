import { Duration, RemovalPolicy, Stack } from 'aws-cdk-lib';
import { BackupVault } from 'aws-cdk-lib/aws-backup';
import { AccountPrincipal, PolicyDocument, PolicyStatement } from 'aws-cdk-lib/aws-iam';
import type { IKey } from 'aws-cdk-lib/aws-kms';
import { Construct } from 'constructs';
import { InvalidPropError } from '../invalid-prop-error.js';
import type { RecoveryLockMode } from './recovery-site.js';

/** Days a compliance-mode lock can still be removed after it is set; AWS Backup's minimum. */
export const COMPLIANCE_GRACE_DAYS = 3;

export interface RecoveryVaultProps {
  /** Name of the vault; the primary region's backup plan copies into it by this name. */
  readonly vaultName: string;
  /** Key of the recovery region; copies of KMS-encrypted snapshots are re-encrypted with it. */
  readonly encryptionKey: IKey;
  /**
   * `compliance`: after a grace period of COMPLIANCE_GRACE_DAYS no one, the root user
   * included, can remove the lock or delete a copy before its minimum retention.
   * `governance`: principals allowed `backup:DeleteBackupVaultLockConfiguration` can remove it.
   */
  readonly lockMode: RecoveryLockMode;
  /** No copy can be deleted (or get a shorter lifecycle) sooner than this, in days. */
  readonly minRetentionDays: number;
}

/**
 * The locked AWS Backup vault of the recovery region: it receives a copy of every
 * recovery point of the primary region. Its access policy allows copies from this account
 * only and refuses to delete recovery points or shorten their lifecycle to everyone.
 */
export class RecoveryVault extends Construct {
  readonly vault: BackupVault;

  constructor(scope: Construct, id: string, props: RecoveryVaultProps) {
    super(scope, id);
    if (!Number.isInteger(props.minRetentionDays) || props.minRetentionDays < 1) {
      throw new InvalidPropError(
        this.node.path,
        'minRetentionDays',
        props.minRetentionDays,
        'use a whole number of days, at least 1',
      );
    }
    const { account } = Stack.of(this);
    this.vault = new BackupVault(this, 'Vault', {
      backupVaultName: props.vaultName,
      encryptionKey: props.encryptionKey,
      lockConfiguration: {
        minRetention: Duration.days(props.minRetentionDays),
        ...(props.lockMode === 'compliance' ? { changeableFor: Duration.days(COMPLIANCE_GRACE_DAYS) } : {}),
      },
      accessPolicy: new PolicyDocument({
        statements: [
          new PolicyStatement({
            sid: 'CopyFromThisAccountOnly',
            principals: [new AccountPrincipal(account)],
            actions: ['backup:CopyIntoBackupVault'],
            resources: ['*'],
          }),
        ],
      }),
      blockRecoveryPointDeletion: true,
      removalPolicy: RemovalPolicy.RETAIN,
    });
  }
}
