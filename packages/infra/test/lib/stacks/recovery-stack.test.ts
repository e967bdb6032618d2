import { Stack, type CfnElement } from 'aws-cdk-lib';
import type { IConstruct } from 'constructs';
import { describe, expect, it } from 'vitest';
import {
  recoveryKeyAlias,
  recoveryVaultName,
  replicationRoleArn,
  replicationRoleName,
  type EvidenceKind,
} from '../../../lib/constructs/recovery-site.js';
import { REPLICATION_SOURCE_OBJECT_ACTIONS } from '../../../lib/constructs/recovery-replication.js';
import type { StackLayer } from '../../../lib/stacks/citadel-stack.js';
import { recoverySiteOf } from '../../../lib/stacks/recovery-stack.js';
import { decide, statementsOf, type Statement } from '../../support/policy-evaluator.js';
import { resolveIntrinsics } from '../../support/resolve-intrinsics.js';
import { synthesizedApp } from '../../support/synthesized-app.js';
import { onlyResource, resourcesOf, type Resource } from '../../support/template-queries.js';

const app = synthesizedApp();
const RECOVERING = ['qa', 'prod', 'courses'] as const;

/** Where each evidence kind's source bucket lives: stack layer and construct path prefix. */
const SOURCES: Readonly<Record<Exclude<EvidenceKind, 'changes'>, { layer: StackLayer; path: string }>> = {
  trail: { layer: 'baseline', path: 'Baseline/Default/TrailBucket/Bucket' },
  flow: { layer: 'network', path: 'FlowLogs/Bucket/Bucket' },
  alb: { layer: 'app', path: 'Edge/AccessLogs/Bucket' },
};

function site(environment: string) {
  const found = recoverySiteOf(app.stage(environment).config);
  if (!found) throw new Error(`${environment} has no recovery site`);
  return found;
}

/** A template with every intrinsic resolved in the stack's own account and region. */
function resolved(environment: string, layer: StackLayer): Record<string, Resource> {
  const stage = app.stage(environment);
  const stack = layer === 'recovery' ? stage.recovery : stage.node.tryFindChild(layer);
  const region = layer === 'recovery' ? site(environment).region : stage.config.region;
  if (!stack) throw new Error(`${environment} has no ${layer} stack`);
  return resolveIntrinsics(app.template(environment, layer).toJSON().Resources, {
    account: stage.config.account,
    region,
  }) as Record<string, Resource>;
}

function byType(resources: Record<string, Resource>, type: string): [string, Resource][] {
  return Object.entries(resources).filter(([, resource]) => resource.Type === type);
}

/** The source bucket of one kind of evidence, found by its construct path. */
function sourceBucket(environment: string, kind: keyof typeof SOURCES): [string, Resource] {
  const { layer, path } = SOURCES[kind];
  const stack = app.stage(environment).node.tryFindChild(layer);
  const bucket = path
    .split('/')
    .reduce<IConstruct | undefined>((node, id) => node?.node.tryFindChild(id), stack);
  if (!bucket) throw new Error(`${environment}/${layer}/${path} not found`);
  const logicalId = logicalIdOf(bucket);
  const resource = resolved(environment, layer)[logicalId];
  if (!resource) throw new Error(`${logicalId} not in ${environment}/${layer}`);
  return [logicalId, resource];
}

function logicalIdOf(bucket: IConstruct): string {
  const cfn = bucket.node.defaultChild as CfnElement;
  return Stack.of(cfn).resolve(cfn.logicalId) as string;
}

function replicaIn(environment: string, kind: EvidenceKind): Resource {
  const bucket = app.stage(environment).recovery?.replicas.get(kind);
  if (!bucket) throw new Error(`${environment} has no ${kind} replica`);
  const resource = resolved(environment, 'recovery')[logicalIdOf(bucket)];
  if (!resource) throw new Error(`${kind} replica not in the recovery template`);
  return resource;
}

function policiesOfRole(resources: Record<string, Resource>, roleLogicalId: string): Statement[] {
  return Object.values(resources)
    .filter((resource) => ['AWS::IAM::ManagedPolicy', 'AWS::IAM::Policy'].includes(resource.Type))
    .filter((resource) => {
      const roles = (resource.Properties?.Roles ?? []) as unknown[];
      return roles.includes(roleLogicalId);
    })
    .flatMap((resource) => statementsOf(resource.Properties?.PolicyDocument));
}

describe('recovery stack', () => {
  it('exists in qa, prod and courses, in the recovery region of the same account, named citadel-<env>-recovery; not in dev', () => {
    for (const environment of RECOVERING) {
      const stage = app.stage(environment);
      const stack = stage.recovery;
      expect(stack?.stackName).toBe(`citadel-${environment}-recovery`);
      expect(stack?.region).toBe(stage.config.recovery?.region);
      expect(stack?.region).not.toBe(stage.config.region);
      expect(stack?.account).toBe(stage.config.account);
    }
    expect(app.stage('dev').recovery).toBeUndefined();
  });

  it('deploys before every stack that copies or replicates into it', () => {
    for (const environment of RECOVERING) {
      const stage = app.stage(environment);
      for (const dependent of [stage.network, stage.data, stage.app, stage.baseline]) {
        if (!dependent) continue;
        expect(dependent.dependencies, `${dependent.stackName}`).toContain(stage.recovery);
      }
    }
  });

  it('holds a rotating customer-managed key that only AWS Backup, RDS and S3 of the recovery region may use for this account', () => {
    for (const environment of RECOVERING) {
      const recovery = site(environment);
      const resources = resolved(environment, 'recovery');
      const [[, key] = []] = byType(resources, 'AWS::KMS::Key');
      expect(byType(resources, 'AWS::KMS::Key')).toHaveLength(1);
      expect(key?.Properties?.EnableKeyRotation).toBe(true);
      const policy = statementsOf(key?.Properties?.KeyPolicy);
      const caller = `arn:aws:iam::${recovery.account}:role/citadel-backup-selection-role`;
      const via = (service: string, region = recovery.region) => ({
        'kms:ViaService': `${service}.${region}.amazonaws.com`,
        'kms:CallerAccount': recovery.account,
      });
      const ask = (action: string, context: Record<string, string>, principal = caller) =>
        decide(policy, { principal, action, resource: '*', context });
      // RDS re-encrypts a copied snapshot with it (a grant for its own resource); S3 encrypts replicas.
      expect(ask('kms:CreateGrant', { ...via('rds'), 'kms:GrantIsForAWSResource': 'true' })).toBe('Allowed');
      expect(ask('kms:GenerateDataKey', via('backup'))).toBe('Allowed');
      expect(ask('kms:Encrypt', via('s3'))).toBe('Allowed');
      // Not directly, not through another service or region, not for another account.
      expect(ask('kms:Decrypt', {})).toBe('ImplicitlyDenied');
      expect(ask('kms:Decrypt', via('sqs'))).toBe('ImplicitlyDenied');
      expect(ask('kms:Encrypt', via('s3', recovery.primaryRegion))).toBe('ImplicitlyDenied');
      expect(ask('kms:CreateGrant', via('rds'))).toBe('ImplicitlyDenied');
      expect(ask('kms:Encrypt', via('s3'), 'arn:aws:iam::999999999999:role/outsider')).toBe(
        'ImplicitlyDenied',
      );
    }
  });

  it('locks the vault in compliance mode in prod (3-day grace) and in governance mode elsewhere, encrypted with the recovery key', () => {
    for (const environment of RECOVERING) {
      const recovery = site(environment);
      const resources = resolved(environment, 'recovery');
      const [[, vault] = []] = byType(resources, 'AWS::Backup::BackupVault');
      const [[keyId] = []] = byType(resources, 'AWS::KMS::Key');
      expect(vault?.Properties?.BackupVaultName).toBe(recoveryVaultName(recovery));
      expect(vault?.Properties?.EncryptionKeyArn).toBe(`${keyId}.Arn`);
      const lock = vault?.Properties?.LockConfiguration as Record<string, unknown>;
      expect(lock.MinRetentionDays).toBe(recovery.vaultMinRetentionDays);
      expect(lock.ChangeableForDays).toBe(environment === 'prod' ? 3 : undefined);
      expect(recovery.lockMode).toBe(environment === 'prod' ? 'compliance' : 'governance');
      const access = statementsOf(vault?.Properties?.AccessPolicy);
      const admin = `arn:aws:iam::${recovery.account}:role/admin`;
      const ask = (action: string, principal = admin) =>
        decide(access, {
          principal,
          action,
          resource: `arn:aws:backup:${recovery.region}:${recovery.account}:recovery-point:x`,
        });
      expect(ask('backup:DeleteRecoveryPoint')).toBe('ExplicitlyDenied');
      expect(ask('backup:UpdateRecoveryPointLifecycle')).toBe('ExplicitlyDenied');
      expect(ask('backup:CopyIntoBackupVault')).toBe('Allowed');
      expect(ask('backup:CopyIntoBackupVault', 'arn:aws:iam::999999999999:role/outsider')).toBe(
        'ImplicitlyDenied',
      );
    }
  });
});

describe('database copy to the recovery region', () => {
  it("copies every recovery point into the recovery stack's vault, by the ARN that vault has once deployed", () => {
    for (const environment of RECOVERING) {
      const recovery = site(environment);
      const [, plan] = onlyResource(app.template(environment, 'data'), 'AWS::Backup::BackupPlan');
      const rules = resolveIntrinsics(plan.Properties?.BackupPlan, {
        account: recovery.account,
        region: recovery.primaryRegion,
      }) as {
        BackupPlanRule: {
          CopyActions?: { DestinationBackupVaultArn: string; Lifecycle: { DeleteAfterDays: number } }[];
        }[];
      };
      const [vaultId, vault] = byType(resolved(environment, 'recovery'), 'AWS::Backup::BackupVault')[0] ?? [];
      expect(vaultId).toBeDefined();
      const deployedArn = `arn:aws:backup:${recovery.region}:${recovery.account}:backup-vault:${String(vault?.Properties?.BackupVaultName)}`;
      for (const rule of rules.BackupPlanRule) {
        expect(rule.CopyActions).toHaveLength(1);
        expect(rule.CopyActions?.[0]?.DestinationBackupVaultArn).toBe(deployedArn);
      }
    }
  });

  it("keeps each copy at least as long as the recovery vault's lock, or AWS Backup would fail every copy job", () => {
    for (const environment of RECOVERING) {
      const [, plan] = onlyResource(app.template(environment, 'data'), 'AWS::Backup::BackupPlan');
      const [, vault] = byType(resolved(environment, 'recovery'), 'AWS::Backup::BackupVault')[0] ?? [];
      const minimum = (vault?.Properties?.LockConfiguration as { MinRetentionDays: number }).MinRetentionDays;
      const copy = (
        plan.Properties?.BackupPlan as {
          BackupPlanRule: { CopyActions: { Lifecycle: { DeleteAfterDays: number } }[] }[];
        }
      ).BackupPlanRule[0]?.CopyActions[0];
      expect(copy?.Lifecycle.DeleteAfterDays).toBeGreaterThanOrEqual(minimum);
    }
  });

  it('has no copy action and no replication in dev', () => {
    const [, plan] = onlyResource(app.template('dev', 'data'), 'AWS::Backup::BackupPlan');
    expect(JSON.stringify(plan)).not.toContain('CopyActions');
    for (const layer of ['network', 'app', 'baseline'] as const) {
      for (const bucket of Object.values(resourcesOf(app.template('dev', layer), 'AWS::S3::Bucket'))) {
        expect(bucket.Properties?.ReplicationConfiguration).toBeUndefined();
      }
    }
  });
});

describe('evidence replication', () => {
  const cases = RECOVERING.flatMap((environment) =>
    (Object.keys(SOURCES) as (keyof typeof SOURCES)[])
      .filter(
        (kind) => kind !== 'trail' || app.stage(environment).config.baseline.account?.cloudTrail === true,
      )
      .map((kind) => ({ environment, kind })),
  );

  it('replicates the trail in every environment that owns it, and flow and access logs everywhere', () => {
    expect(cases.map(({ environment, kind }) => `${environment}/${kind}`)).toEqual([
      'qa/trail',
      'qa/flow',
      'qa/alb',
      'prod/trail',
      'prod/flow',
      'prod/alb',
      'courses/flow',
      'courses/alb',
    ]);
  });

  it.each(cases)(
    '$environment: the $kind bucket replicates every new version to its locked replica, encrypted with the recovery key',
    ({ environment, kind }) => {
      const recovery = site(environment);
      const [, source] = sourceBucket(environment, kind);
      const replica = replicaIn(environment, kind);
      const properties = source.Properties ?? {};
      expect(properties.VersioningConfiguration).toEqual({ Status: 'Enabled' });
      const configuration = properties.ReplicationConfiguration as {
        Role: string;
        Rules: Record<string, unknown>[];
      };
      expect(configuration.Rules).toHaveLength(1);
      const [rule = {}] = configuration.Rules;
      const destination = rule.Destination as {
        Bucket: string;
        EncryptionConfiguration: { ReplicaKmsKeyID: string };
      };
      // The strings the primary stack names are the ones the recovery stack creates.
      expect(destination.Bucket).toBe(`arn:aws:s3:::${String(replica.Properties?.BucketName)}`);
      const [[, alias] = []] = byType(resolved(environment, 'recovery'), 'AWS::KMS::Alias');
      expect(destination.EncryptionConfiguration.ReplicaKmsKeyID).toBe(
        `arn:aws:kms:${recovery.region}:${recovery.account}:${String(alias?.Properties?.AliasName)}`,
      );
      expect(rule.Status).toBe('Enabled');
      expect(rule.Filter).toEqual({ Prefix: '' });
      expect(rule.DeleteMarkerReplication).toEqual({ Status: 'Disabled' });
      const sseKms = JSON.stringify(properties.BucketEncryption).includes('aws:kms');
      expect(rule.SourceSelectionCriteria).toEqual(
        sseKms ? { SseKmsEncryptedObjects: { Status: 'Enabled' } } : undefined,
      );

      const replicaProperties = replica.Properties ?? {};
      expect(replicaProperties.VersioningConfiguration).toEqual({ Status: 'Enabled' });
      expect(replicaProperties.ObjectLockEnabled).toBe(true);
      expect(replicaProperties.ObjectLockConfiguration).toEqual({
        ObjectLockEnabled: 'Enabled',
        Rule: {
          DefaultRetention: {
            Mode: environment === 'prod' ? 'COMPLIANCE' : 'GOVERNANCE',
            Days: recovery.evidenceRetentionDays,
          },
        },
      });
      expect(replicaProperties.PublicAccessBlockConfiguration).toEqual({
        BlockPublicAcls: true,
        BlockPublicPolicy: true,
        IgnorePublicAcls: true,
        RestrictPublicBuckets: true,
      });
      const [[keyId] = []] = byType(resolved(environment, 'recovery'), 'AWS::KMS::Key');
      expect(JSON.stringify(replicaProperties.BucketEncryption)).toContain(`"KMSMasterKeyID":"${keyId}.Arn"`);
    },
  );

  it.each(cases)(
    '$environment: the $kind replication role may do exactly what replication needs, on exactly these ARNs',
    ({ environment, kind }) => {
      const recovery = site(environment);
      const { layer } = SOURCES[kind];
      const resources = resolved(environment, layer);
      const [sourceId, source] = sourceBucket(environment, kind);
      const roleArn = replicationRoleArn(recovery, kind, 'aws');
      const [roleId, role] =
        byType(resources, 'AWS::IAM::Role').find(
          ([, candidate]) => candidate.Properties?.RoleName === replicationRoleName(recovery, kind),
        ) ?? [];
      expect(role, 'replication role with its fixed name').toBeDefined();
      expect((source.Properties?.ReplicationConfiguration as { Role: string }).Role).toBe(`${roleId}.Arn`);
      expect(
        decide(statementsOf(role?.Properties?.AssumeRolePolicyDocument), {
          principal: 's3.amazonaws.com',
          action: 'sts:AssumeRole',
          resource: '*',
        }),
      ).toBe('Allowed');

      const policy = policiesOfRole(resources, roleId as string);
      const sourceArn = `${sourceId}.Arn`;
      const replicaArn = `arn:aws:s3:::${String(replicaIn(environment, kind).Properties?.BucketName)}`;
      const ask = (action: string, resource: string, context: Record<string, string | string[]> = {}) =>
        decide(policy, { principal: roleArn, action, resource, context });
      expect(ask('s3:GetReplicationConfiguration', sourceArn)).toBe('Allowed');
      expect(ask('s3:ListBucket', sourceArn)).toBe('Allowed');
      for (const action of REPLICATION_SOURCE_OBJECT_ACTIONS) {
        expect(ask(action, `${sourceArn}/AWSLogs/x.gz`)).toBe('Allowed');
      }
      for (const action of ['s3:ReplicateObject', 's3:ReplicateDelete', 's3:ReplicateTags']) {
        expect(ask(action, `${replicaArn}/AWSLogs/x.gz`)).toBe('Allowed');
      }
      const encryptContext = {
        'kms:ResourceAliases': [`alias/${recoveryKeyAlias(recovery)}`],
        'kms:ViaService': `s3.${recovery.region}.amazonaws.com`,
        'kms:EncryptionContext:aws:s3:arn': replicaArn,
      };
      const recoveryKeyArn = `arn:aws:kms:${recovery.region}:${recovery.account}:key/1234abcd-0000-0000-0000-000000000000`;
      expect(ask('kms:Encrypt', recoveryKeyArn, encryptContext)).toBe('Allowed');

      // Nothing else: no plain reads or writes, no other bucket, no other key, alias, region or service.
      expect(ask('s3:GetObject', `${sourceArn}/AWSLogs/x.gz`)).toBe('ImplicitlyDenied');
      expect(ask('s3:PutObject', `${replicaArn}/x`)).toBe('ImplicitlyDenied');
      expect(ask('s3:DeleteObjectVersion', `${sourceArn}/x`)).toBe('ImplicitlyDenied');
      expect(ask('s3:ReplicateObject', 'arn:aws:s3:::someone-elses-bucket/x')).toBe('ImplicitlyDenied');
      expect(ask('s3:ReplicateObject', `${sourceArn}/x`)).toBe('ImplicitlyDenied');
      expect(
        ask('kms:Encrypt', recoveryKeyArn, {
          ...encryptContext,
          'kms:ResourceAliases': ['alias/citadel/other/recovery'],
        }),
      ).toBe('ImplicitlyDenied');
      expect(
        ask('kms:Encrypt', recoveryKeyArn, {
          ...encryptContext,
          'kms:ViaService': `s3.${recovery.primaryRegion}.amazonaws.com`,
        }),
      ).toBe('ImplicitlyDenied');
      expect(
        ask('kms:Encrypt', recoveryKeyArn, {
          ...encryptContext,
          'kms:EncryptionContext:aws:s3:arn': 'arn:aws:s3:::other',
        }),
      ).toBe('ImplicitlyDenied');
      expect(ask('kms:Decrypt', recoveryKeyArn, encryptContext)).toBe('ImplicitlyDenied');

      const sseKey = JSON.stringify(source.Properties?.BucketEncryption).match(
        /"KMSMasterKeyID":"([^"]+)"/,
      )?.[1];
      const decryptContext = {
        'kms:ViaService': `s3.${recovery.primaryRegion}.amazonaws.com`,
        'kms:EncryptionContext:aws:s3:arn': `${sourceArn}/AWSLogs/x.gz`,
      };
      if (sseKey) {
        // Source objects are decrypted through S3 of the primary region, for this bucket only.
        expect(ask('kms:Decrypt', sseKey, decryptContext)).toBe('Allowed');
        expect(
          ask('kms:Decrypt', sseKey, {
            ...decryptContext,
            'kms:EncryptionContext:aws:s3:arn': 'arn:aws:s3:::other/x',
          }),
        ).toBe('ImplicitlyDenied');
        expect(ask('kms:Decrypt', sseKey, {})).toBe('ImplicitlyDenied');
        expect(ask('kms:Encrypt', sseKey, decryptContext)).toBe('ImplicitlyDenied');
      } else {
        expect(policy.some((statement) => JSON.stringify(statement.Action).includes('kms:Decrypt'))).toBe(
          false,
        );
      }
    },
  );

  it.each(cases)(
    '$environment: the $kind replica admits writes from its replication role only, over TLS only',
    ({ environment, kind }) => {
      const recovery = site(environment);
      const resources = resolved(environment, 'recovery');
      const replica = replicaIn(environment, kind);
      const [, bucketPolicy] =
        byType(resources, 'AWS::S3::BucketPolicy').find(([, policy]) => {
          const bucket = policy.Properties?.Bucket;
          return (
            JSON.stringify(resources[String(bucket)]?.Properties?.BucketName) ===
            JSON.stringify(replica.Properties?.BucketName)
          );
        }) ?? [];
      expect(bucketPolicy).toBeDefined();
      const policy = statementsOf(bucketPolicy?.Properties?.PolicyDocument);
      const replicaBucket = app.stage(environment).recovery?.replicas.get(kind);
      const objects = `${logicalIdOf(replicaBucket as IConstruct)}.Arn/AWSLogs/x.gz`;
      const role = replicationRoleArn(recovery, kind, 'aws');
      const other = `arn:aws:iam::${recovery.account}:role/citadel-${recovery.environment}-flow-replication-impostor`;
      const tls = { 'aws:SecureTransport': 'true', 's3:TlsVersion': '1.3', 'aws:PrincipalArn': role };
      const ask = (action: string, context: Record<string, string>) =>
        decide(policy, {
          principal: String(context['aws:PrincipalArn']),
          action,
          resource: objects,
          context,
        });
      expect(ask('s3:ReplicateObject', tls)).toBe('Allowed');
      expect(ask('s3:ReplicateObject', { ...tls, 'aws:SecureTransport': 'false' })).toBe('ExplicitlyDenied');
      expect(ask('s3:ReplicateObject', { ...tls, 's3:TlsVersion': '1.1' })).toBe('ExplicitlyDenied');
      expect(ask('s3:ReplicateObject', { ...tls, 'aws:PrincipalArn': other })).toBe('ExplicitlyDenied');
      expect(ask('s3:PutObject', { ...tls, 'aws:PrincipalArn': other })).toBe('ExplicitlyDenied');
      expect(
        ask('s3:PutObject', { ...tls, 'aws:PrincipalArn': `arn:aws:iam::${recovery.account}:root` }),
      ).toBe('ExplicitlyDenied');
    },
  );
});
