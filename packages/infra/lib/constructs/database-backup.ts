import { Duration, RemovalPolicy } from 'aws-cdk-lib';
import {
  BackupPlan,
  BackupPlanRule,
  BackupResource,
  BackupVault,
  type IBackupVault,
} from 'aws-cdk-lib/aws-backup';
import { Schedule } from 'aws-cdk-lib/aws-events';
import type { IKey } from 'aws-cdk-lib/aws-kms';
import type { DatabaseInstance } from 'aws-cdk-lib/aws-rds';
import { Construct } from 'constructs';
import { InvalidPropError } from '../invalid-prop-error.js';
import { acknowledge } from '../acknowledge.js';

export interface DatabaseBackupProps {
  readonly instance: DatabaseInstance;
  /** Name of the vault, for example `citadel-prod-database`. */
  readonly vaultName: string;
  /** Encrypts recovery points in the vault. */
  readonly encryptionKey: IKey;
  /** Days each daily recovery point is kept. */
  readonly retentionDays: number;
  /** Vault lock: recovery points cannot be deleted sooner than this, in days. */
  readonly minRetentionDays: number;
  /**
   * Copy every recovery point to this vault, usually in the recovery region, and keep each
   * copy `retentionDays` there (at least that vault's lock minimum, or every copy job fails).
   * @default - no copy
   */
  readonly copyTo?: DatabaseBackupCopy;
}

/** Where each recovery point is copied to, and how long the copy is kept. */
export interface DatabaseBackupCopy {
  readonly vault: IBackupVault;
  readonly retentionDays: number;
}

/**
 * Daily AWS Backup recovery points of the database, in a vault encrypted with the
 * backups key and locked (governance mode) so that no recovery point can be deleted
 * before the minimum retention. Independent of RDS automated backups, which cover
 * point-in-time recovery.
 */
export class DatabaseBackup extends Construct {
  readonly vault: IBackupVault;
  readonly plan: BackupPlan;

  constructor(scope: Construct, id: string, props: DatabaseBackupProps) {
    super(scope, id);
    if (props.minRetentionDays > props.retentionDays) {
      throw new InvalidPropError(
        this.node.path,
        'minRetentionDays',
        props.minRetentionDays,
        `must not exceed retentionDays (${props.retentionDays}), or the vault lock would refuse every expiry`,
      );
    }
    this.vault = new BackupVault(this, 'Vault', {
      backupVaultName: props.vaultName,
      encryptionKey: props.encryptionKey,
      lockConfiguration: { minRetention: Duration.days(props.minRetentionDays) },
      removalPolicy: RemovalPolicy.RETAIN,
    });
    this.plan = new BackupPlan(this, 'Plan', {
      backupVault: this.vault,
      backupPlanRules: [
        new BackupPlanRule({
          ruleName: 'daily',
          scheduleExpression: Schedule.cron({ hour: '3', minute: '30' }),
          startWindow: Duration.hours(1),
          completionWindow: Duration.hours(3),
          deleteAfter: Duration.days(props.retentionDays),
          ...(props.copyTo
            ? {
                copyActions: [
                  {
                    destinationBackupVault: props.copyTo.vault,
                    deleteAfter: Duration.days(props.copyTo.retentionDays),
                  },
                ],
              }
            : {}),
        }),
      ],
    });
    const selection = this.plan.addSelection('Database', {
      resources: [BackupResource.fromRdsDatabaseInstance(props.instance)],
    });
    acknowledge(
      selection.node.findChild('Role'),
      [
        'AwsSolutions-IAM4[Policy::arn:<AWS::Partition>:iam::aws:policy/service-role/AWSBackupServiceRolePolicyForBackup]',
      ],
      'Backup selection role assumable only by backup.amazonaws.com; the AWS-maintained backup policy lets AWS Backup snapshot the selected RDS instance and keeps pace with service changes.',
    );
  }
}
