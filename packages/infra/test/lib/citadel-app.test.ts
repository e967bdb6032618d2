import { Match } from 'aws-cdk-lib/assertions';
import { beforeAll, describe, expect, it } from 'vitest';
import { ENVIRONMENT_NAMES, loadEnvironmentConfig } from '../../config/index.js';
import {
  collectAcknowledgments,
  countByRule,
  MIN_ACKNOWLEDGMENT_REASON_LENGTH,
} from '../../lib/acknowledge.js';
import { APPLICATION_USER, DATABASE_NAME } from '../../lib/constructs/postgres-database.js';
import type { StackLayer } from '../../lib/stacks/citadel-stack.js';
import { synthesizedApp, type SynthesizedApp } from '../support/synthesized-app.js';

const MY_LAYERS: readonly StackLayer[] = ['shared', 'network', 'data'];
const ANYWHERE = ['0.0.0.0/0', '::/0'];

type Resources = Record<
  string,
  { Type: string; Properties?: Record<string, unknown> } & Record<string, unknown>
>;

let citadel: SynthesizedApp;

beforeAll(() => {
  citadel = synthesizedApp();
  console.log(
    `Synthesized ${citadel.stages.length} environments with all rule packs in ${(citadel.synthMs / 1000).toFixed(1)} s`,
  );
});

function resourcesOf(environment: string, layer: StackLayer, type: string): Resources {
  return citadel.template(environment, layer).findResources(type) as Resources;
}

describe.each(ENVIRONMENT_NAMES)('environment %s', (environment) => {
  const config = loadEnvironmentConfig(environment);

  it('builds the shared, network and data stacks, named citadel-<env>-<layer>, with termination protection', () => {
    // Prepare
    const stage = citadel.stage(environment);

    // Act
    const stacks = [stage.shared, stage.network, stage.data];

    // Assess
    expect(stacks.map((stack) => stack.node.id)).toEqual(MY_LAYERS);
    for (const stack of stacks) {
      expect(stack.stackName).toBe(`citadel-${environment}-${stack.node.id}`);
      expect(stack.terminationProtection).toBe(true);
      expect(stack.account).toBe(config.account);
      expect(stack.region).toBe(config.region);
    }
  });

  it('encrypts every log group with a KMS key and keeps it at least 90 days', () => {
    for (const layer of MY_LAYERS) {
      for (const [id, group] of Object.entries(resourcesOf(environment, layer, 'AWS::Logs::LogGroup'))) {
        expect(group.Properties?.KmsKeyId, `${layer}/${id}`).toBeDefined();
        expect(group.Properties?.RetentionInDays, `${layer}/${id}`).toBeGreaterThanOrEqual(90);
        expect(group.Properties?.RetentionInDays).toBe(config.logRetentionDays);
      }
    }
  });

  it('opens no security group to the internet', () => {
    for (const layer of MY_LAYERS) {
      const groups = resourcesOf(environment, layer, 'AWS::EC2::SecurityGroup');
      for (const [id, group] of Object.entries(groups)) {
        const ingress = (group.Properties?.SecurityGroupIngress ?? []) as Record<string, unknown>[];
        for (const rule of ingress) {
          expect(ANYWHERE, `${layer}/${id}`).not.toContain(rule.CidrIp);
          expect(ANYWHERE, `${layer}/${id}`).not.toContain(rule.CidrIpv6);
        }
      }
      for (const [id, rule] of Object.entries(
        resourcesOf(environment, layer, 'AWS::EC2::SecurityGroupIngress'),
      )) {
        expect(ANYWHERE, `${layer}/${id}`).not.toContain(rule.Properties?.CidrIp);
        expect(ANYWHERE, `${layer}/${id}`).not.toContain(rule.Properties?.CidrIpv6);
      }
    }
  });

  it('rotates every KMS key and gives each data class its alias', () => {
    // Prepare
    const aliases = ['database', 'logs', 'secrets', 'messages', 'backups', 'function-environment'].map(
      (purpose) => `alias/citadel/${environment}/${purpose}`,
    );

    // Act
    const keys = [
      ...Object.values(resourcesOf(environment, 'network', 'AWS::KMS::Key')),
      ...Object.values(resourcesOf(environment, 'shared', 'AWS::KMS::Key')),
    ];
    const aliasNames = Object.values(resourcesOf(environment, 'network', 'AWS::KMS::Alias')).map(
      (alias) => alias.Properties?.AliasName,
    );

    // Assess
    expect(keys.length).toBeGreaterThanOrEqual(aliases.length + 1);
    for (const key of keys) expect(key.Properties?.EnableKeyRotation).toBe(true);
    expect(aliasNames.sort()).toEqual(aliases.sort());
  });

  it('lets the account use the database key only through RDS', () => {
    citadel.template(environment, 'network').hasResourceProperties('AWS::KMS::Key', {
      Description: Match.stringLikeRegexp('database'),
      KeyPolicy: {
        Statement: Match.arrayWith([
          Match.objectLike({
            Sid: 'UseThroughServices',
            Condition: {
              StringEquals: {
                'kms:ViaService': [`rds.${config.region}.amazonaws.com`],
                'kms:CallerAccount': config.account,
              },
            },
          }),
        ]),
      },
    });
    const statements = Object.values(resourcesOf(environment, 'network', 'AWS::KMS::Key')).flatMap(
      (key) => (key.Properties?.KeyPolicy as { Statement: Record<string, unknown>[] }).Statement,
    );
    expect(statements.filter((statement) => statement.Action === 'kms:*')).toEqual([]);
  });

  it.each([
    ['database', ['rds']],
    ['logs', ['s3']],
    ['secrets', ['secretsmanager']],
    ['messages', ['sqs', 'sns']],
    ['backups', ['backup', 'rds']],
    ['function-environment', ['lambda']],
  ])('lets identities use the %s key only through %j', (purpose, services) => {
    // Prepare
    const keys = resourcesOf(environment, 'network', 'AWS::KMS::Key');
    const aliases = Object.values(resourcesOf(environment, 'network', 'AWS::KMS::Alias'));

    // Act
    const alias = aliases.find(
      (candidate) => candidate.Properties?.AliasName === `alias/citadel/${environment}/${purpose}`,
    );
    const keyId = (alias?.Properties?.TargetKeyId as { 'Fn::GetAtt': [string, string] })['Fn::GetAtt'][0];
    const statements = (keys[keyId]?.Properties?.KeyPolicy as { Statement: Record<string, unknown>[] })
      .Statement;
    const use = statements.find((statement) => statement.Sid === 'UseThroughServices');

    // Assess
    expect(use?.Condition).toEqual({
      StringEquals: {
        'kms:CallerAccount': config.account,
        'kms:ViaService': services.map((service) => `${service}.${config.region}.amazonaws.com`),
      },
    });
    const cryptoForAccount = statements.filter(
      (statement) =>
        JSON.stringify(statement.Principal).includes(':root') &&
        /kms:(Decrypt|Encrypt|GenerateDataKey|ReEncrypt|\*)/.test(JSON.stringify(statement.Action)),
    );
    for (const statement of cryptoForAccount) {
      const via = [
        (statement.Condition as { StringEquals?: Record<string, unknown> })?.StringEquals?.['kms:ViaService'],
      ].flat();
      expect(via.length, JSON.stringify(statement)).toBeGreaterThan(0);
      for (const endpoint of via) {
        expect(services.map((service) => `${service}.${config.region}.amazonaws.com`)).toContain(endpoint);
      }
    }
  });

  it('lets the interface endpoints accept only HTTPS from inside the VPC', () => {
    citadel.template(environment, 'network').hasResourceProperties('AWS::EC2::SecurityGroup', {
      GroupDescription: Match.stringLikeRegexp('Interface endpoints'),
      SecurityGroupIngress: [
        {
          IpProtocol: 'tcp',
          FromPort: 443,
          ToPort: 443,
          CidrIp: config.vpcCidr,
          Description: Match.anyValue(),
        },
      ],
    });
  });

  it('blocks public access and denies non-TLS requests on every bucket', () => {
    for (const layer of MY_LAYERS) {
      const template = citadel.template(environment, layer);
      const buckets = resourcesOf(environment, layer, 'AWS::S3::Bucket');
      for (const [id, bucket] of Object.entries(buckets)) {
        expect(bucket.Properties?.PublicAccessBlockConfiguration, id).toEqual({
          BlockPublicAcls: true,
          BlockPublicPolicy: true,
          IgnorePublicAcls: true,
          RestrictPublicBuckets: true,
        });
        expect(bucket.Properties?.VersioningConfiguration, id).toEqual({ Status: 'Enabled' });
        template.hasResourceProperties('AWS::S3::BucketPolicy', {
          Bucket: { Ref: id },
          PolicyDocument: {
            Statement: Match.arrayWith([
              Match.objectLike({ Effect: 'Deny', Condition: { Bool: { 'aws:SecureTransport': 'false' } } }),
            ]),
          },
        });
      }
    }
  });

  it('builds a VPC without NAT gateways over the configured AZs, with endpoints for every AWS API the workloads use', () => {
    // Prepare
    const template = citadel.template(environment, 'network');

    // Act
    const subnets = Object.values(resourcesOf(environment, 'network', 'AWS::EC2::Subnet'));
    const endpoints = Object.values(resourcesOf(environment, 'network', 'AWS::EC2::VPCEndpoint'));
    const interfaceServices = endpoints
      .filter((endpoint) => endpoint.Properties?.VpcEndpointType === 'Interface')
      .map((endpoint) => String(endpoint.Properties?.ServiceName).split('.').slice(3).join('.'));

    // Assess
    template.resourceCountIs('AWS::EC2::NatGateway', 0);
    template.hasResourceProperties('AWS::EC2::VPC', { CidrBlock: config.vpcCidr });
    expect(new Set(subnets.map((subnet) => subnet.Properties?.AvailabilityZone))).toEqual(
      new Set(config.availabilityZones),
    );
    expect(subnets.every((subnet) => subnet.Properties?.MapPublicIpOnLaunch === false)).toBe(true);
    expect(interfaceServices.sort()).toEqual([
      'backup',
      'ecr.api',
      'ecr.dkr',
      'kms',
      'logs',
      'secretsmanager',
      'sqs',
      'ssm',
      'sts',
    ]);
    expect(
      endpoints
        .filter((e) => e.Properties?.VpcEndpointType === 'Interface')
        .every((e) => e.Properties?.PrivateDnsEnabled === true),
    ).toBe(true);
    template.hasResourceProperties('AWS::EC2::VPCEndpoint', {
      VpcEndpointType: 'Gateway',
      ServiceName: Match.anyValue(),
    });
    template.hasResourceProperties('Custom::VpcRestrictDefaultSG', Match.anyValue());
  });

  it('logs all VPC traffic to CloudWatch Logs and to S3', () => {
    const template = citadel.template(environment, 'network');

    template.hasResourceProperties('AWS::EC2::FlowLog', {
      TrafficType: 'ALL',
      LogDestinationType: 'cloud-watch-logs',
    });
    template.hasResourceProperties('AWS::EC2::FlowLog', { TrafficType: 'ALL', LogDestinationType: 's3' });
  });

  it('runs an encrypted, IAM-authenticated, private PostgreSQL that forces TLS', () => {
    // Prepare
    const template = citadel.template(environment, 'data');

    // Act
    const [instance] = Object.values(resourcesOf(environment, 'data', 'AWS::RDS::DBInstance'));
    const [parameters] = Object.values(resourcesOf(environment, 'data', 'AWS::RDS::DBParameterGroup'));

    // Assess
    expect(instance?.Properties).toMatchObject({
      Engine: 'postgres',
      EngineVersion: '18.3',
      DBName: DATABASE_NAME,
      StorageEncrypted: true,
      KmsKeyId: expect.anything(),
      EnableIAMDatabaseAuthentication: true,
      PubliclyAccessible: false,
      MultiAZ: config.database.multiAz,
      DeletionProtection: config.database.deletionProtection,
      BackupRetentionPeriod: config.database.backupRetentionDays,
      AutoMinorVersionUpgrade: true,
      CopyTagsToSnapshot: true,
      EnablePerformanceInsights: true,
      PerformanceInsightsKMSKeyId: expect.anything(),
      MonitoringInterval: config.database.monitoringIntervalSeconds,
      EnableCloudwatchLogsExports: ['postgresql', 'upgrade'],
    });
    expect(instance?.DeletionPolicy).toBe(config.database.snapshotOnDelete ? 'Snapshot' : 'Delete');
    expect(parameters?.Properties?.Parameters).toMatchObject({
      'rds.force_ssl': '1',
      shared_preload_libraries: expect.stringContaining('pgaudit'),
      log_connections: 'receipt,authentication,authorization',
      log_disconnections: '1',
    });
    template.hasResourceProperties('AWS::SecretsManager::RotationSchedule', {
      RotationRules: { ScheduleExpression: 'rate(30 days)' },
      HostedRotationLambda: Match.objectLike({ RotationType: 'PostgreSQLSingleUser' }),
    });
    template.hasResourceProperties('AWS::SecretsManager::Secret', { KmsKeyId: Match.anyValue() });
  });

  it('admits 5432 to the database only from named security groups', () => {
    const ingress = Object.values(resourcesOf(environment, 'data', 'AWS::EC2::SecurityGroupIngress'));

    expect(ingress.length).toBeGreaterThanOrEqual(3);
    for (const rule of ingress) {
      expect(rule.Properties).toMatchObject({
        FromPort: 5432,
        ToPort: 5432,
        SourceSecurityGroupId: expect.anything(),
      });
      expect(rule.Properties?.CidrIp).toBeUndefined();
    }
  });

  it('backs the database up daily into a locked vault encrypted with the backups key', () => {
    const template = citadel.template(environment, 'data');

    template.hasResourceProperties('AWS::Backup::BackupVault', {
      EncryptionKeyArn: Match.anyValue(),
      LockConfiguration: { MinRetentionDays: config.database.vaultMinRetentionDays },
    });
    template.hasResourceProperties('AWS::Backup::BackupPlan', {
      BackupPlan: {
        BackupPlanRule: [
          Match.objectLike({ Lifecycle: { DeleteAfterDays: config.database.backupPlanRetentionDays } }),
        ],
      },
    });
    template.resourceCountIs('AWS::Backup::BackupSelection', 1);
  });

  it('keeps API images in an immutable, scanned, KMS-encrypted repository with a lifecycle', () => {
    citadel.template(environment, 'shared').hasResourceProperties('AWS::ECR::Repository', {
      RepositoryName: `citadel/${environment}/api`,
      ImageTagMutability: 'IMMUTABLE',
      ImageScanningConfiguration: { ScanOnPush: true },
      EncryptionConfiguration: { EncryptionType: 'KMS', KmsKey: Match.anyValue() },
      LifecyclePolicy: { LifecyclePolicyText: Match.stringLikeRegexp('untagged') },
    });
  });

  it('exposes the database instance resource id for rds-db:connect grants', () => {
    const { data } = citadel.stage(environment);

    expect(data.database.instanceResourceId).toBeDefined();
    expect(APPLICATION_USER).toBe('citadel_app');
  });
});

describe('stateful resources', () => {
  const STATEFUL_TYPES = [
    'AWS::RDS::DBInstance',
    'AWS::SecretsManager::Secret',
    'AWS::KMS::Key',
    'AWS::S3::Bucket',
    'AWS::Logs::LogGroup',
    'AWS::Backup::BackupVault',
    'AWS::ECR::Repository',
    'AWS::EC2::VPC',
  ];

  it('keeps the logical ids of data-holding resources, whose change would replace them', () => {
    // Act
    const logicalIds = Object.fromEntries(
      MY_LAYERS.map((layer) => [
        layer,
        STATEFUL_TYPES.flatMap((type) =>
          Object.keys(resourcesOf('prod', layer, type)).map((id) => `${type} ${id}`),
        ).sort(),
      ]),
    );

    // Assess
    expect(logicalIds).toMatchSnapshot();
  });
});

describe('rule-pack gates', () => {
  it('lists every acknowledgment with a specific reason of at least 40 characters', () => {
    // Act
    const acknowledgments = collectAcknowledgments(citadel.app);

    // Assess
    const byRule = countByRule(acknowledgments);
    const distinct = new Map<string, { ruleId: string; path: string; reason: string; count: number }>();
    for (const { ruleId, path, reason } of acknowledgments) {
      const key = `${ruleId}\n${reason}`;
      const seen = distinct.get(key);
      if (seen) seen.count += 1;
      else distinct.set(key, { ruleId, path: path.split('/').slice(1).join('/'), reason, count: 1 });
    }
    console.log(
      [
        `Acknowledgments: ${acknowledgments.length} across ${citadel.stages.length} environments`,
        ...byRule.map(([ruleId, count]) => `  ${String(count).padStart(4)}  ${ruleId}`),
        `Reasons (${distinct.size} distinct; ×n = constructs sharing it, first construct shown):`,
        ...[...distinct.values()].map((a) => `  ${a.ruleId} ×${a.count} @ ${a.path}: ${a.reason}`),
      ].join('\n'),
    );
    expect(acknowledgments.length).toBeGreaterThan(0);
    for (const { ruleId, path, reason } of acknowledgments) {
      expect(reason.length, `${ruleId} on ${path}`).toBeGreaterThanOrEqual(MIN_ACKNOWLEDGMENT_REASON_LENGTH);
    }
  });
});
