import { ArnFormat, Duration, type RemovalPolicy, Stack } from 'aws-cdk-lib';
import { ReadWriteType, Trail } from 'aws-cdk-lib/aws-cloudtrail';
import { CfnDetector } from 'aws-cdk-lib/aws-guardduty';
import { PolicyStatement, ServicePrincipal } from 'aws-cdk-lib/aws-iam';
import { Key } from 'aws-cdk-lib/aws-kms';
import type { Bucket, IBucket } from 'aws-cdk-lib/aws-s3';
import { CfnHub, CfnStandard } from 'aws-cdk-lib/aws-securityhub';
import { Construct } from 'constructs';
import { acknowledge } from '../acknowledge.js';
import { EncryptedLogGroup } from './encrypted-log-group.js';
import { SecureBucket } from './secure-bucket.js';

/** Security Hub standards Citadel can subscribe to. */
export interface SecurityHubStandards {
  /** AWS Foundational Security Best Practices v1.0.0. @default true */
  readonly foundationalBestPractices?: boolean;
  /** PCI DSS v3.2.1. @default true */
  readonly pciDss?: boolean;
}

export interface AccountBaselineProps {
  /** Multi-region CloudTrail with log file validation into a KMS-encrypted, versioned, TLS-only bucket. */
  readonly cloudTrail: boolean;
  readonly guardDuty: boolean;
  readonly securityHub: boolean;
  /** @default - both standards */
  readonly securityHubStandards?: SecurityHubStandards;
  /** Days the trail's log group events and S3 objects are kept (at least 90). */
  readonly logRetentionDays: number;
  /** Bucket that receives the trail bucket's server access logs. */
  readonly serverAccessLogsBucket: IBucket;
  /** Of the trail key, bucket and log group. @default RemovalPolicy.RETAIN */
  readonly removalPolicy?: RemovalPolicy;
}

/** Account-wide detective controls, each switchable: CloudTrail, GuardDuty and Security Hub. */
export class AccountBaseline extends Construct {
  readonly trail?: Trail;
  readonly trailBucket?: Bucket;
  readonly detector?: CfnDetector;
  readonly hub?: CfnHub;
  readonly standards: CfnStandard[] = [];

  constructor(scope: Construct, id: string, props: AccountBaselineProps) {
    super(scope, id);
    if (!props.cloudTrail && !props.guardDuty && !props.securityHub) {
      throw new Error(
        'AccountBaseline: cloudTrail, guardDuty and securityHub are all off; turn at least one on, or do not create the baseline.',
      );
    }
    const stack = Stack.of(this);

    if (props.cloudTrail) {
      const key = new Key(this, 'TrailKey', {
        description: 'Encrypts CloudTrail log files and the trail log group',
        enableKeyRotation: true,
        pendingWindow: Duration.days(30),
      });
      key.addToResourcePolicy(
        new PolicyStatement({
          sid: 'CloudTrailEncryptsLogFiles',
          principals: [new ServicePrincipal('cloudtrail.amazonaws.com')],
          actions: ['kms:GenerateDataKey*', 'kms:DescribeKey'],
          resources: ['*'],
          conditions: {
            StringLike: {
              'kms:EncryptionContext:aws:cloudtrail:arn': stack.formatArn({
                service: 'cloudtrail',
                region: '*',
                resource: 'trail',
                resourceName: '*',
              }),
            },
          },
        }),
      );
      key.addToResourcePolicy(
        new PolicyStatement({
          sid: 'CloudWatchLogsEncryptsTrailLogGroup',
          principals: [new ServicePrincipal(`logs.${stack.region}.amazonaws.com`)],
          actions: [
            'kms:Encrypt',
            'kms:Decrypt',
            'kms:ReEncrypt*',
            'kms:GenerateDataKey*',
            'kms:DescribeKey',
          ],
          resources: ['*'],
          conditions: {
            ArnLike: {
              'kms:EncryptionContext:aws:logs:arn': stack.formatArn({
                service: 'logs',
                resource: 'log-group',
                resourceName: '*',
                arnFormat: ArnFormat.COLON_RESOURCE_NAME,
              }),
            },
          },
        }),
      );

      this.trailBucket = new SecureBucket(this, 'TrailBucket', {
        encryptionKey: key,
        serverAccessLogsBucket: props.serverAccessLogsBucket,
        expirationDays: props.logRetentionDays,
        removalPolicy: props.removalPolicy,
      }).bucket;

      const logGroup = new EncryptedLogGroup(this, 'TrailLogs', {
        encryptionKey: key,
        retentionDays: props.logRetentionDays,
        removalPolicy: props.removalPolicy,
      }).logGroup;
      this.trail = new Trail(this, 'Trail', {
        bucket: this.trailBucket,
        encryptionKey: key,
        isMultiRegionTrail: true,
        includeGlobalServiceEvents: true,
        enableFileValidation: true,
        managementEvents: ReadWriteType.ALL,
        sendToCloudWatchLogs: true,
        cloudWatchLogGroup: logGroup,
      });
      this.trail.node.addDependency(key);
      acknowledge(
        this.trail,
        [
          'HIPAA.Security-IAMNoInlinePolicy',
          'NIST.800.53.R5-IAMNoInlinePolicy',
          'PCI.DSS.321-IAMNoInlinePolicy',
        ],
        "CDK keeps this role's least-privilege grants in a policy attached to this one role only; every statement names its resources, so a shared managed policy would add no control.",
      );
    }

    if (props.guardDuty) {
      this.detector = new CfnDetector(this, 'GuardDuty', {
        enable: true,
        findingPublishingFrequency: 'FIFTEEN_MINUTES',
      });
    }

    if (props.securityHub) {
      this.hub = new CfnHub(this, 'SecurityHub', {
        enableDefaultStandards: false,
        controlFindingGenerator: 'SECURITY_CONTROL',
        autoEnableControls: true,
      });
      const standards = props.securityHubStandards ?? {};
      const arns: [string, boolean][] = [
        [
          `arn:${stack.partition}:securityhub:${stack.region}::standards/aws-foundational-security-best-practices/v/1.0.0`,
          standards.foundationalBestPractices ?? true,
        ],
        [
          `arn:${stack.partition}:securityhub:${stack.region}::standards/pci-dss/v/3.2.1`,
          standards.pciDss ?? true,
        ],
      ];
      for (const [index, [standardsArn, enabled]] of arns.entries()) {
        if (!enabled) continue;
        const standard = new CfnStandard(this, index === 0 ? 'FoundationalBestPractices' : 'PciDss', {
          standardsArn,
        });
        standard.addDependency(this.hub);
        this.standards.push(standard);
      }
    }
  }
}
