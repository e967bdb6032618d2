import { type RemovalPolicy, Stack, Token } from 'aws-cdk-lib';
import { CfnConfigurationRecorder, CfnDeliveryChannel } from 'aws-cdk-lib/aws-config';
import { ManagedPolicy, PolicyStatement, Role, ServicePrincipal } from 'aws-cdk-lib/aws-iam';
import type { Key } from 'aws-cdk-lib/aws-kms';
import type { Bucket, CfnBucket, IBucket } from 'aws-cdk-lib/aws-s3';
import { Construct } from 'constructs';
import { acknowledge } from '../acknowledge.js';
import { SecureBucket } from './secure-bucket.js';
import { ServiceKey } from './service-key.js';

export interface ConfigRecorderProps {
  /**
   * Also record IAM users, groups, roles and customer managed policies. They are global, so
   * exactly one region per account records them.
   */
  readonly recordGlobalResources: boolean;
  /** Days configuration snapshots and history files are kept (at least 90). */
  readonly retentionDays: number;
  /** Bucket that receives the delivery bucket's server access logs. */
  readonly serverAccessLogsBucket: IBucket;
  /** Alias of the delivery bucket's KMS key. @default 'citadel/config' */
  readonly keyAlias?: string;
  /** Of the key and the delivery bucket. @default RemovalPolicy.RETAIN */
  readonly removalPolicy?: RemovalPolicy;
}

/**
 * AWS Config for one account and region: a recorder of every supported resource type
 * (global ones only where `recordGlobalResources`), its role, and a delivery channel to a
 * KMS-encrypted, versioned, TLS-only bucket that only Config of this account may write to.
 */
export class ConfigRecorder extends Construct {
  readonly recorder: CfnConfigurationRecorder;
  readonly deliveryChannel: CfnDeliveryChannel;
  readonly bucket: Bucket;
  readonly key: Key;
  readonly role: Role;

  constructor(scope: Construct, id: string, props: ConfigRecorderProps) {
    super(scope, id);
    const stack = Stack.of(this);
    const { account } = stack;
    const fromThisAccount = { 'aws:SourceAccount': account };

    this.key = new ServiceKey(this, 'Key', {
      aliasName: props.keyAlias ?? 'citadel/config',
      description: 'AWS Config configuration snapshots and history files',
      // The recorder's role writes through S3; auditors read through S3.
      viaServices: ['s3'],
      directUsers: [
        {
          principal: 'config.amazonaws.com',
          conditions: { StringEquals: fromThisAccount },
        },
      ],
      removalPolicy: props.removalPolicy,
    }).key;
    this.bucket = new SecureBucket(this, 'DeliveryBucket', {
      encryptionKey: this.key,
      serverAccessLogsBucket: props.serverAccessLogsBucket,
      expirationDays: props.retentionDays,
      removalPolicy: props.removalPolicy,
    }).bucket;
    const config = new ServicePrincipal('config.amazonaws.com');
    const deliveryObjects = this.bucket.arnForObjects(`AWSLogs/${account}/Config/*`);
    this.bucket.addToResourcePolicy(
      new PolicyStatement({
        sid: 'ConfigChecksBucket',
        principals: [config],
        actions: ['s3:GetBucketAcl', 's3:ListBucket'],
        resources: [this.bucket.bucketArn],
        conditions: { StringEquals: fromThisAccount },
      }),
    );
    this.bucket.addToResourcePolicy(
      new PolicyStatement({
        sid: 'ConfigDelivers',
        principals: [config],
        actions: ['s3:PutObject'],
        resources: [deliveryObjects],
        conditions: {
          StringEquals: { ...fromThisAccount, 's3:x-amz-acl': 'bucket-owner-full-control' },
        },
      }),
    );

    this.role = new Role(this, 'Role', {
      assumedBy: new ServicePrincipal('config.amazonaws.com', {
        conditions: { StringEquals: fromThisAccount },
      }),
      description: 'AWS Config recorder: reads resource configuration and delivers it to its bucket',
      managedPolicies: [ManagedPolicy.fromAwsManagedPolicyName('service-role/AWS_ConfigRole')],
    });
    this.role.addToPrincipalPolicy(
      new PolicyStatement({
        actions: ['s3:GetBucketAcl'],
        resources: [this.bucket.bucketArn],
      }),
    );
    this.role.addToPrincipalPolicy(
      new PolicyStatement({
        actions: ['s3:PutObject'],
        resources: [deliveryObjects],
        conditions: { StringEquals: { 's3:x-amz-acl': 'bucket-owner-full-control' } },
      }),
    );
    this.role.addToPrincipalPolicy(
      new PolicyStatement({
        actions: ['kms:GenerateDataKey', 'kms:Decrypt'],
        resources: [this.key.keyArn],
      }),
    );
    acknowledge(
      this.role,
      ['AwsSolutions-IAM4[Policy::arn:<AWS::Partition>:iam::aws:policy/service-role/AWS_ConfigRole]'],
      'AWS_ConfigRole is the policy AWS maintains for the Config recorder: it grants the read-only describe and list calls for every resource type Config supports, and grows with them.',
    );
    acknowledge(
      this.role,
      [
        `AwsSolutions-IAM5[Resource::<${stack.getLogicalId(this.bucket.node.defaultChild as CfnBucket)}.Arn>/AWSLogs/${Token.isUnresolved(account) ? '<AWS::AccountId>' : account}/Config/*]`,
        'HIPAA.Security-IAMNoInlinePolicy',
        'NIST.800.53.R5-IAMNoInlinePolicy',
        'PCI.DSS.321-IAMNoInlinePolicy',
      ],
      'The recorder writes one object per snapshot and history file under its own AWSLogs/<account>/Config/ prefix of its own bucket; the grant is attached to this one role only.',
    );

    this.recorder = new CfnConfigurationRecorder(this, 'Recorder', {
      roleArn: this.role.roleArn,
      recordingGroup: {
        allSupported: true,
        includeGlobalResourceTypes: props.recordGlobalResources,
        recordingStrategy: { useOnly: 'ALL_SUPPORTED_RESOURCE_TYPES' },
      },
    });
    this.recorder.node.addDependency(this.role);
    this.deliveryChannel = new CfnDeliveryChannel(this, 'DeliveryChannel', {
      s3BucketName: this.bucket.bucketName,
      s3KmsKeyArn: this.key.keyArn,
      configSnapshotDeliveryProperties: { deliveryFrequency: 'TwentyFour_Hours' },
    });
    // Config refuses a delivery channel before a recorder exists, and checks the bucket policy.
    this.deliveryChannel.addResourceDependency(this.recorder);
    this.deliveryChannel.node.addDependency(this.bucket);
  }
}
