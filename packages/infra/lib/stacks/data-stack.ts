import type { ISecurityGroup } from 'aws-cdk-lib/aws-ec2';
import type { DatabaseInstance } from 'aws-cdk-lib/aws-rds';
import type { ISecret } from 'aws-cdk-lib/aws-secretsmanager';
import type { Construct } from 'constructs';
import type { EnvironmentConfig } from '../../config/index.js';
import { BackupVault } from 'aws-cdk-lib/aws-backup';
import { DatabaseBackup } from '../constructs/database-backup.js';
import { PostgresDatabase } from '../constructs/postgres-database.js';
import { recoveryVaultArn } from '../constructs/recovery-site.js';
import { recoverySiteOf } from './recovery-stack.js';
import { RestoreTesting } from '../constructs/restore-testing.js';
import { CitadelStack } from './citadel-stack.js';
import type { NetworkStack } from './network-stack.js';

export interface DataStackProps {
  readonly config: EnvironmentConfig;
  readonly network: NetworkStack;
}

/** The PostgreSQL database, its master secret and rotation, its backup plan and restore drills. */
export class DataStack extends CitadelStack {
  /** Use `instance.instanceResourceId` (the DbiResourceId) to build `rds-db:connect` resources. */
  readonly database: DatabaseInstance;
  readonly databaseSecurityGroup: ISecurityGroup;
  /** Master credentials (JSON with username, password, host, port, dbname); for the database bootstrap only. */
  readonly masterSecret: ISecret;
  readonly backup: DatabaseBackup;
  /** Scheduled restore drills of the database and their validation. */
  readonly restoreTesting: RestoreTesting;

  constructor(scope: Construct, props: DataStackProps) {
    super(scope, {
      config: props.config,
      layer: 'data',
      description: 'PostgreSQL, its secret and its backups',
    });
    const { config, network } = props;
    const postgres = new PostgresDatabase(this, 'Postgres', {
      vpc: network.vpc,
      subnets: network.dataSubnets,
      rotationSubnets: network.appSubnets,
      clientSecurityGroups: [network.serviceSecurityGroup, network.functionSecurityGroup],
      instanceIdentifier: `citadel-${config.name}-postgres`,
      databaseKey: network.keys.database,
      secretsKey: network.keys.secrets,
      logPolicy: network.logPolicy,
      masterSecretName: `citadel/${config.name}/database/master`,
      settings: config.database,
    });
    this.database = postgres.instance;
    this.databaseSecurityGroup = postgres.securityGroup;
    if (!postgres.instance.secret) throw new Error('PostgresDatabase did not generate a master secret');
    this.masterSecret = postgres.instance.secret;
    const recoverySite = recoverySiteOf(config);
    this.backup = new DatabaseBackup(this, 'Backup', {
      instance: postgres.instance,
      vaultName: `citadel-${config.name}-database`,
      encryptionKey: network.keys.backups,
      retentionDays: config.database.backupPlanRetentionDays,
      minRetentionDays: config.database.vaultMinRetentionDays,
      ...(recoverySite
        ? {
            copyTo: {
              vault: BackupVault.fromBackupVaultArn(
                this,
                'RecoveryVault',
                recoveryVaultArn(recoverySite, this.partition),
              ),
              retentionDays: recoverySite.copyRetentionDays,
            },
          }
        : {}),
    });
    const { recoveryObjectives, restoreTesting } = config.database;
    this.restoreTesting = new RestoreTesting(this, 'RestoreTesting', {
      instance: postgres.instance,
      masterSecret: this.masterSecret,
      databaseKey: network.keys.database,
      vault: this.backup.vault,
      vpc: network.vpc,
      databaseSubnets: network.dataSubnets,
      functionSubnets: network.appSubnets,
      endpointSecurityGroup: network.endpointSecurityGroup,
      functionEnvironmentKey: network.keys.functionEnvironment,
      logPolicy: network.logPolicy,
      environmentName: config.name,
      metricNamespace: `Citadel/${config.name}`,
      ...restoreTesting,
      rpoMinutes: recoveryObjectives.rpoMinutes,
      rtoMinutes: recoveryObjectives.rtoMinutes,
    });
  }
}
