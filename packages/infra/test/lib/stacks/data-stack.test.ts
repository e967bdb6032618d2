import { DATABASE_NAME } from '@citadel/db/roles';
import { App, Stage } from 'aws-cdk-lib';
import { Template } from 'aws-cdk-lib/assertions';
import { describe, expect, it } from 'vitest';
import { ENVIRONMENT_NAMES, loadEnvironmentConfig, type EnvironmentConfig } from '../../../config/index.js';
import { readCdkContext } from '../../../lib/citadel-app.js';
import { DataStack } from '../../../lib/stacks/data-stack.js';
import { NetworkStack } from '../../../lib/stacks/network-stack.js';
import { onlyResource } from '../../support/template-queries.js';

function synthesizedDataStack(config: EnvironmentConfig): Template {
  const stage = new Stage(new App({ context: readCdkContext() }), config.name, {
    env: { account: config.account, region: config.region },
  });
  const network = new NetworkStack(stage, { config });
  return Template.fromStack(new DataStack(stage, { config, network }));
}

/** Every field of the database block set to a value no environment file uses. */
function withUnusualDatabase(config: EnvironmentConfig): EnvironmentConfig {
  const { database } = config;
  return {
    ...config,
    database: {
      instanceClass: database.instanceClass === 'r7g' ? 'm7g' : 'r7g',
      instanceSize: database.instanceSize === '2xlarge' ? '4xlarge' : '2xlarge',
      allocatedStorageGiB: database.allocatedStorageGiB + 13,
      maxAllocatedStorageGiB: database.maxAllocatedStorageGiB + 17,
      multiAz: !database.multiAz,
      backupRetentionDays: database.backupRetentionDays === 11 ? 12 : 11,
      deletionProtection: !database.deletionProtection,
      snapshotOnDelete: !database.snapshotOnDelete,
      backupPlanRetentionDays: database.backupPlanRetentionDays + 3,
      vaultMinRetentionDays: database.vaultMinRetentionDays === 5 ? 6 : 5,
      monitoringIntervalSeconds: database.monitoringIntervalSeconds === 15 ? 30 : 15,
      recoveryObjectives: {
        ...database.recoveryObjectives,
        rtoMinutes: database.recoveryObjectives.rtoMinutes + 7,
      },
      restoreTesting: {
        everyDays: database.restoreTesting.everyDays === 1 ? 2 : 1,
        startHourUtc: (database.restoreTesting.startHourUtc + 5) % 24,
        validationWindowHours: database.restoreTesting.validationWindowHours + 1,
        instanceClass:
          database.restoreTesting.instanceClass === 'db.t4g.large' ? 'db.m7g.large' : 'db.t4g.large',
      },
    },
  };
}

const CASES: [string, EnvironmentConfig][] = ENVIRONMENT_NAMES.flatMap((name) => {
  const config = loadEnvironmentConfig(name);
  return [
    [`${name}, as configured`, config],
    [`${name}, with every database setting changed`, withUnusualDatabase(config)],
  ] as [string, EnvironmentConfig][];
});

describe('DataStack', () => {
  it.each(CASES)("builds the instance from the environment's database block (%s)", (_, config) => {
    const { database } = config;
    const template = synthesizedDataStack(config);

    const [, instance] = onlyResource(template, 'AWS::RDS::DBInstance');
    expect(instance.Properties).toMatchObject({
      DBInstanceClass: `db.${database.instanceClass}.${database.instanceSize}`,
      AllocatedStorage: String(database.allocatedStorageGiB),
      MaxAllocatedStorage: database.maxAllocatedStorageGiB,
      MultiAZ: database.multiAz,
      BackupRetentionPeriod: database.backupRetentionDays,
      DeletionProtection: database.deletionProtection,
      MonitoringInterval: database.monitoringIntervalSeconds,
      DBName: DATABASE_NAME,
      DBInstanceIdentifier: `citadel-${config.name}-postgres`,
    });
    expect(instance.DeletionPolicy).toBe(database.snapshotOnDelete ? 'Snapshot' : 'Delete');
  });

  it.each(CASES)("keeps backups as the environment's database block says (%s)", (_, config) => {
    const { database } = config;
    const template = synthesizedDataStack(config);

    const [, plan] = onlyResource(template, 'AWS::Backup::BackupPlan');
    const [, vault] = onlyResource(template, 'AWS::Backup::BackupVault');
    expect(plan.Properties).toMatchObject({
      BackupPlan: { BackupPlanRule: [{ Lifecycle: { DeleteAfterDays: database.backupPlanRetentionDays } }] },
    });
    expect(vault.Properties).toMatchObject({
      BackupVaultName: `citadel-${config.name}-database`,
      LockConfiguration: { MinRetentionDays: database.vaultMinRetentionDays },
    });
  });
});
