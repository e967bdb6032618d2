import { Stack } from 'aws-cdk-lib';
import {
  FlowLog,
  FlowLogDestination,
  FlowLogResourceType,
  FlowLogTrafficType,
  type IVpc,
} from 'aws-cdk-lib/aws-ec2';
import { ManagedPolicy, PolicyStatement, Role, ServicePrincipal } from 'aws-cdk-lib/aws-iam';
import type { CfnLogGroup, ILogGroup } from 'aws-cdk-lib/aws-logs';
import type { IBucket } from 'aws-cdk-lib/aws-s3';
import { Construct } from 'constructs';
import { acknowledge } from '../acknowledge.js';
import type { LogPolicy } from '../platform/platform.js';
import { EncryptedLogGroup } from './encrypted-log-group.js';
import type { RecoverySite } from './recovery-site.js';
import { SecureBucket } from './secure-bucket.js';

export interface VpcFlowLogsProps {
  readonly vpc: IVpc;
  /**
   * The environment's log policy: its key encrypts the log group and the flow-log bucket,
   * and flow logs are kept its retention in CloudWatch Logs and in S3.
   */
  readonly logPolicy: LogPolicy;
  /** Receives the flow-log bucket's server access logs. */
  readonly accessLogsBucket: IBucket;
  /**
   * The environment's recovery site: the flow-log bucket replicates there.
   * @default - no replica
   */
  readonly recoverySite?: RecoverySite;
}

/**
 * Flow logs of all traffic in the VPC, delivered twice: to a KMS-encrypted CloudWatch
 * Logs group for queries and alarms, and to a KMS-encrypted, versioned S3 bucket as
 * long-term evidence.
 */
export class VpcFlowLogs extends Construct {
  readonly logGroup: ILogGroup;
  readonly bucket: IBucket;

  constructor(scope: Construct, id: string, props: VpcFlowLogsProps) {
    super(scope, id);
    this.logGroup = new EncryptedLogGroup(this, 'LogGroup', {
      encryptionKey: props.logPolicy.key,
      retentionDays: props.logPolicy.retentionDays,
    }).logGroup;
    this.bucket = new SecureBucket(this, 'Bucket', {
      encryptionKey: props.logPolicy.key,
      serverAccessLogsBucket: props.accessLogsBucket,
      expirationDays: props.logPolicy.retentionDays,
      ...(props.recoverySite ? { replica: { site: props.recoverySite, kind: 'flow' } } : {}),
    }).bucket;

    // A customer-managed policy on a role CDK may not add inline policies to: delivery
    // permissions stay reviewable as one named policy.
    const deliveryRole = new Role(this, 'DeliveryRole', {
      assumedBy: new ServicePrincipal('vpc-flow-logs.amazonaws.com', {
        conditions: { StringEquals: { 'aws:SourceAccount': Stack.of(this).account } },
      }),
      description: 'Delivers VPC flow logs to CloudWatch Logs',
    });
    const deliveryPolicy = new ManagedPolicy(this, 'DeliveryPolicy', {
      roles: [deliveryRole],
      statements: [
        new PolicyStatement({
          actions: ['logs:CreateLogStream', 'logs:PutLogEvents', 'logs:DescribeLogStreams'],
          resources: [this.logGroup.logGroupArn, `${this.logGroup.logGroupArn}:log-stream:*`],
        }),
      ],
    });

    acknowledge(
      deliveryPolicy,
      [
        `AwsSolutions-IAM5[Resource::<${Stack.of(this).getLogicalId(this.logGroup.node.defaultChild as CfnLogGroup)}.Arn>:log-stream:*]`,
      ],
      'Flow-log delivery names one log stream per network interface at delivery time; the wildcard covers only streams inside this one encrypted flow-log group.',
    );

    const resourceType = FlowLogResourceType.fromVpc(props.vpc);
    const toCloudWatch = new FlowLog(this, 'ToCloudWatch', {
      resourceType,
      trafficType: FlowLogTrafficType.ALL,
      destination: FlowLogDestination.toCloudWatchLogs(
        this.logGroup,
        deliveryRole.withoutPolicyUpdates({ addGrantsToResources: false }),
      ),
    });
    // Delivery starts as soon as a flow log exists: the role's policy and the bucket policy
    // must exist first, or creation fails or the first records are dropped.
    toCloudWatch.node.addDependency(deliveryPolicy);
    const toS3 = new FlowLog(this, 'ToS3', {
      resourceType,
      trafficType: FlowLogTrafficType.ALL,
      destination: FlowLogDestination.toS3(this.bucket),
    });
    if (this.bucket.policy) toS3.node.addDependency(this.bucket.policy);
  }
}
