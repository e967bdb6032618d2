import { Duration, RemovalPolicy } from 'aws-cdk-lib';
import {
  InstanceType,
  Peer,
  Port,
  SecurityGroup,
  type ISecurityGroup,
  type IVpc,
  type SubnetSelection,
} from 'aws-cdk-lib/aws-ec2';
import type { IKey } from 'aws-cdk-lib/aws-kms';
import {
  CaCertificate,
  Credentials,
  DatabaseInstance,
  DatabaseInstanceEngine,
  ParameterGroup,
  PostgresEngineVersion,
  StorageType,
} from 'aws-cdk-lib/aws-rds';
import { HostedRotation } from 'aws-cdk-lib/aws-secretsmanager';
import { APP_ROLE, DATABASE_NAME, PROCESSOR_ROLE } from '@citadel/db/roles';
import { Construct } from 'constructs';
import type { LogPolicy } from '../platform/platform.js';
import { acknowledge } from '../acknowledge.js';
import { EncryptedLogGroup } from './encrypted-log-group.js';

/** Newest PostgreSQL this aws-cdk-lib offers; minor upgrades are applied automatically. */
export const POSTGRES_VERSION = PostgresEngineVersion.VER_18_3;
/** Database the API and functions use (owned by @citadel/db). */
export { DATABASE_NAME };
/** The API's role, created by the migrations; the API logs in as it with IAM tokens. */
export const APPLICATION_USER = APP_ROLE;
/** The payment processor's role, created by the migrations; the processor logs in as it with IAM tokens. */
export const PROCESSOR_USER = PROCESSOR_ROLE;
/** Master user, whose generated password lives only in Secrets Manager. */
export const MASTER_USER = 'citadel_admin';
const POSTGRES_PORT = 5432;
const LOG_EXPORTS = ['postgresql', 'upgrade'] as const;

/** Size, availability, backups and protection of the instance; each environment gives its own. */
export interface PostgresDatabaseSettings {
  /** Instance class, such as `t4g` or `m7g` (a class with Performance Insights support). */
  readonly instanceClass: string;
  /** Instance size, such as `medium` or `large`. */
  readonly instanceSize: string;
  /** Storage allocated at creation, in GiB. */
  readonly allocatedStorageGiB: number;
  /** Storage autoscaling ceiling, in GiB; at least `allocatedStorageGiB`. */
  readonly maxAllocatedStorageGiB: number;
  /** A standby in a second AZ; off takes a rule-pack acknowledgment. */
  readonly multiAz: boolean;
  /** Automated backup (point-in-time restore) retention, in days. */
  readonly backupRetentionDays: number;
  /** Refuse to delete the instance; off takes a rule-pack acknowledgment. */
  readonly deletionProtection: boolean;
  /** Take a final snapshot when the instance is removed. */
  readonly snapshotOnDelete: boolean;
  /** Enhanced monitoring granularity, in seconds (1, 5, 10, 15, 30 or 60). */
  readonly monitoringIntervalSeconds: number;
}

export interface PostgresDatabaseProps {
  readonly vpc: IVpc;
  /** Isolated subnets the instance lives in. */
  readonly subnets: SubnetSelection;
  /** Subnets of the secret-rotation function (it reaches Secrets Manager through the VPC endpoint). */
  readonly rotationSubnets: SubnetSelection;
  /** Security groups allowed to connect on 5432; nothing else is. */
  readonly clientSecurityGroups: readonly ISecurityGroup[];
  /** `citadel-<env>-postgres`; fixed so the log groups can be created, encrypted, before the instance. */
  readonly instanceIdentifier: string;
  /** Encrypts storage, snapshots and Performance Insights. */
  readonly databaseKey: IKey;
  /** Encrypts the master secret. */
  readonly secretsKey: IKey;
  /** Key and retention of the exported PostgreSQL log groups: the environment's log policy. */
  readonly logPolicy: LogPolicy;
  /** Name of the master secret in Secrets Manager. */
  readonly masterSecretName: string;
  readonly settings: PostgresDatabaseSettings;
}

/**
 * RDS for PostgreSQL set up for regulated data: isolated subnets, not publicly
 * accessible, storage and Performance Insights encrypted with the database key, IAM
 * authentication, TLS forced by the parameter group, connection/DDL/role audit logging
 * (pgaudit) exported to encrypted log groups, enhanced monitoring, automated backups,
 * and a master secret rotated every 30 days by the hosted rotation function.
 */
export class PostgresDatabase extends Construct {
  readonly instance: DatabaseInstance;
  readonly securityGroup: ISecurityGroup;
  readonly parameterGroup: ParameterGroup;

  constructor(scope: Construct, id: string, props: PostgresDatabaseProps) {
    super(scope, id);
    const { settings } = props;
    const engine = DatabaseInstanceEngine.postgres({ version: POSTGRES_VERSION });

    const securityGroup = new SecurityGroup(this, 'SecurityGroup', {
      vpc: props.vpc,
      description: 'PostgreSQL: 5432 from Citadel workloads only',
      allowAllOutbound: false,
    });
    for (const client of props.clientSecurityGroups) {
      securityGroup.addIngressRule(client, Port.tcp(POSTGRES_PORT), 'PostgreSQL from a Citadel workload');
    }
    this.securityGroup = securityGroup;

    this.parameterGroup = new ParameterGroup(this, 'Parameters', {
      engine,
      description: 'Citadel PostgreSQL: TLS only, audit logging',
      parameters: {
        'rds.force_ssl': '1',
        ssl_min_protocol_version: 'TLSv1.2',
        password_encryption: 'scram-sha-256',
        shared_preload_libraries: 'pg_stat_statements,pgaudit',
        'pgaudit.log': 'ddl,role',
        'pgaudit.log_catalog': '0',
        // A list since PostgreSQL 18 (RDS refuses the old boolean); these three aspects are what `1` logged before.
        log_connections: 'receipt,authentication,authorization',
        log_disconnections: '1',
        log_statement: 'ddl',
      },
    });

    const logGroups = LOG_EXPORTS.map(
      (name) =>
        new EncryptedLogGroup(this, `${name}Logs`, {
          logGroupName: `/aws/rds/instance/${props.instanceIdentifier}/${name}`,
          encryptionKey: props.logPolicy.key,
          retentionDays: props.logPolicy.retentionDays,
        }),
    );

    this.instance = new DatabaseInstance(this, 'Instance', {
      instanceIdentifier: props.instanceIdentifier,
      engine,
      instanceType: new InstanceType(`${settings.instanceClass}.${settings.instanceSize}`),
      vpc: props.vpc,
      vpcSubnets: props.subnets,
      securityGroups: [securityGroup],
      publiclyAccessible: false,
      port: POSTGRES_PORT,
      databaseName: DATABASE_NAME,
      credentials: Credentials.fromGeneratedSecret(MASTER_USER, {
        secretName: props.masterSecretName,
        encryptionKey: props.secretsKey,
      }),
      iamAuthentication: true,
      parameterGroup: this.parameterGroup,
      caCertificate: CaCertificate.RDS_CA_RSA2048_G1,
      multiAz: settings.multiAz,
      storageType: StorageType.GP3,
      allocatedStorage: settings.allocatedStorageGiB,
      maxAllocatedStorage: settings.maxAllocatedStorageGiB,
      storageEncrypted: true,
      storageEncryptionKey: props.databaseKey,
      enablePerformanceInsights: true,
      performanceInsightEncryptionKey: props.databaseKey,
      monitoringInterval: Duration.seconds(settings.monitoringIntervalSeconds),
      cloudwatchLogsExports: [...LOG_EXPORTS],
      backupRetention: Duration.days(settings.backupRetentionDays),
      preferredBackupWindow: '02:00-03:00',
      preferredMaintenanceWindow: 'sun:04:00-sun:05:00',
      copyTagsToSnapshot: true,
      autoMinorVersionUpgrade: true,
      deletionProtection: settings.deletionProtection,
      removalPolicy: settings.snapshotOnDelete ? RemovalPolicy.SNAPSHOT : RemovalPolicy.DESTROY,
    });
    for (const logGroup of logGroups) this.instance.node.addDependency(logGroup);

    const rotationSecurityGroup = new SecurityGroup(this, 'RotationSecurityGroup', {
      vpc: props.vpc,
      description: 'Master secret rotation function: Secrets Manager endpoint and PostgreSQL only',
      allowAllOutbound: false,
    });
    rotationSecurityGroup.addEgressRule(
      Peer.ipv4(props.vpc.vpcCidrBlock),
      Port.tcp(443),
      'Secrets Manager through its interface endpoint inside the VPC',
    );
    rotationSecurityGroup.addEgressRule(
      securityGroup,
      Port.tcp(POSTGRES_PORT),
      'PostgreSQL to rotate the master password',
    );
    securityGroup.addIngressRule(
      rotationSecurityGroup,
      Port.tcp(POSTGRES_PORT),
      'PostgreSQL from the rotation function',
    );
    this.instance.secret?.addRotationSchedule('Rotation', {
      automaticallyAfter: Duration.days(30),
      hostedRotation: HostedRotation.postgreSqlSingleUser({
        vpc: props.vpc,
        vpcSubnets: props.rotationSubnets,
        securityGroups: [rotationSecurityGroup],
      }),
    });

    if (!settings.multiAz) {
      acknowledge(
        this.instance,
        ['AwsSolutions-RDS3', 'HIPAA.Security-RDSMultiAZSupport', 'NIST.800.53.R5-RDSMultiAZSupport'],
        "Multi-AZ is off by this environment's config (non-production, no real patient or card data); daily AWS Backup recovery points and point-in-time restore cover an AZ loss.",
      );
    }
    if (!settings.deletionProtection) {
      acknowledge(
        this.instance,
        [
          'AwsSolutions-RDS10',
          'HIPAA.Security-RDSInstanceDeletionProtectionEnabled',
          'NIST.800.53.R5-RDSInstanceDeletionProtectionEnabled',
        ],
        "Deletion protection is off by this environment's config so the disposable non-production database can be torn down; stack termination protection and the locked backup vault still guard it.",
      );
    }
    const monitoringRole = this.instance.node.tryFindChild('MonitoringRole');
    if (monitoringRole) {
      acknowledge(
        monitoringRole,
        [
          'AwsSolutions-IAM4[Policy::arn:<AWS::Partition>:iam::aws:policy/service-role/AmazonRDSEnhancedMonitoringRole]',
        ],
        'Enhanced monitoring role assumable only by monitoring.rds.amazonaws.com; the AWS-maintained policy only writes OS metrics to the RDSOSMetrics log group and tracks new RDS requirements.',
      );
    }
    acknowledge(
      this.instance,
      ['AwsSolutions-RDS11'],
      'PostgreSQL keeps its standard port 5432: the instance is in isolated subnets, not publicly accessible, and its security group admits 5432 only from Citadel workload security groups.',
    );
  }
}
