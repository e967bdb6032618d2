import { describe, expect, it } from 'vitest';
import { loadEnvironmentConfig } from '../../config/index.js';
import { buildCitadelApp } from '../../lib/citadel-app.js';

interface CfnResource {
  readonly Type: string;
  readonly Properties?: Record<string, unknown>;
  readonly DeletionPolicy?: string;
}

/**
 * Types that take a custom name, with the property holding it. For the first four, the name
 * is the resource's primary identifier and the type supports CloudFormation import, so a
 * change set with ImportExistingResources adopts an existing one (see docs/deploy.md).
 */
const ADOPTABLE: Readonly<Record<string, string>> = {
  'AWS::Logs::LogGroup': 'LogGroupName',
  'AWS::ECR::Repository': 'RepositoryName',
  'AWS::Backup::BackupVault': 'BackupVaultName',
  'AWS::S3::Bucket': 'BucketName',
};
const OTHER_NAMED: Readonly<Record<string, string>> = {
  'AWS::KMS::Alias': 'AliasName',
  'AWS::SecretsManager::Secret': 'Name',
  'AWS::IAM::Role': 'RoleName',
  'AWS::RDS::DBInstance': 'DBInstanceIdentifier',
  'AWS::SNS::Topic': 'TopicName',
  'AWS::SQS::Queue': 'QueueName',
  'AWS::WAFv2::WebACL': 'Name',
};

function namedResources(environment: string) {
  const { stages } = buildCitadelApp({ configs: [loadEnvironmentConfig(environment)], rulePacks: () => [] });
  return stages.flatMap((stage) =>
    stage.synth().stacks.flatMap((stack) =>
      Object.entries((stack.template as { Resources: Record<string, CfnResource> }).Resources).flatMap(
        ([logicalId, resource]) => {
          const nameProperty = ADOPTABLE[resource.Type] ?? OTHER_NAMED[resource.Type];
          const name = nameProperty ? resource.Properties?.[nameProperty] : undefined;
          return name === undefined ? [] : [{ stack: stack.stackName, logicalId, resource, name }];
        },
      ),
    ),
  );
}

describe('re-creating a destroyed environment', () => {
  const resources = namedResources('dev');
  const kept = resources.filter((r) => r.resource.DeletionPolicy === 'Retain');

  it('keeps only named resources that a deploy can adopt again: static name, Retain, an importable type', () => {
    expect(
      kept.map(({ stack, resource, name }) => ({
        stack,
        type: resource.Type,
        name,
        adoptable: resource.Type in ADOPTABLE && typeof name === 'string',
      })),
    ).toEqual([
      { stack: 'citadel-dev-shared', type: 'AWS::ECR::Repository', name: 'citadel/dev/api', adoptable: true },
      // The change records outlive the environment on purpose: Object Lock keeps every record.
      {
        stack: 'citadel-dev-shared',
        type: 'AWS::S3::Bucket',
        name: 'citadel-dev-records-111111111111-eu-west-1',
        adoptable: true,
      },
      {
        stack: 'citadel-dev-data',
        type: 'AWS::Logs::LogGroup',
        name: '/aws/rds/instance/citadel-dev-postgres/postgresql',
        adoptable: true,
      },
      {
        stack: 'citadel-dev-data',
        type: 'AWS::Logs::LogGroup',
        name: '/aws/rds/instance/citadel-dev-postgres/upgrade',
        adoptable: true,
      },
      {
        stack: 'citadel-dev-data',
        type: 'AWS::Backup::BackupVault',
        name: 'citadel-dev-database',
        adoptable: true,
      },
      {
        stack: 'citadel-dev-app',
        type: 'AWS::Logs::LogGroup',
        name: 'aws-waf-logs-citadel-dev',
        adoptable: true,
      },
    ]);
  });

  it('deletes the KMS aliases and the database secret with their stacks, so their names are free again', () => {
    // No DeletionPolicy is CloudFormation's Delete; it deletes a secret without a recovery window.
    const policy = (name: string): string | undefined =>
      resources.find((r) => r.name === name)?.resource.DeletionPolicy ?? 'Delete';

    expect(policy('alias/citadel/dev/database')).toBe('Delete');
    expect(policy('alias/citadel/dev/logs')).toBe('Delete');
    expect(policy('alias/citadel/dev/images')).toBe('Delete');
    expect(policy('citadel/dev/database/master')).toBe('Delete');
    expect(resources.map((r) => r.name)).toEqual(
      expect.arrayContaining(['alias/citadel/dev/database', 'citadel/dev/database/master']),
    );
  });
});
