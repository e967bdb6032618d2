import { type RemovalPolicy, Stack } from 'aws-cdk-lib';
import { ReadWriteType, Trail } from 'aws-cdk-lib/aws-cloudtrail';
import { CfnDetector } from 'aws-cdk-lib/aws-guardduty';
import type { Bucket, IBucket } from 'aws-cdk-lib/aws-s3';
import { CfnHub, CfnStandard } from 'aws-cdk-lib/aws-securityhub';
import { Construct } from 'constructs';
import { acknowledge } from '../acknowledge.js';
import { EncryptedLogGroup } from './encrypted-log-group.js';
import { SecureBucket } from './secure-bucket.js';
import { ServiceKey } from './service-key.js';
import { InvalidPropError } from '../invalid-prop-error.js';

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
  /** Alias of the trail's KMS key. @default 'citadel/cloudtrail' */
  readonly trailKeyAlias?: string;
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
      throw new InvalidPropError(
        this.node.path,
        'cloudTrail/guardDuty/securityHub',
        [false, false, false],
        'turn at least one control on, or do not create the baseline',
      );
    }
    const stack = Stack.of(this);

    if (props.cloudTrail) {
      const key = new ServiceKey(this, 'TrailKey', {
        aliasName: props.trailKeyAlias ?? 'citadel/cloudtrail',
        description: 'CloudTrail log files and the trail log group',
        // Auditors read trail objects through S3; nothing else may use the key indirectly.
        viaServices: ['s3'],
        directUsers: [
          {
            principal: 'cloudtrail.amazonaws.com',
            conditions: {
              StringLike: {
                'kms:EncryptionContext:aws:cloudtrail:arn': `arn:${stack.partition}:cloudtrail:*:${stack.account}:trail/*`,
              },
            },
          },
          {
            principal: `logs.${stack.region}.amazonaws.com`,
            conditions: {
              ArnLike: {
                'kms:EncryptionContext:aws:logs:arn': `arn:${stack.partition}:logs:${stack.region}:${stack.account}:log-group:*`,
              },
            },
          },
        ],
        removalPolicy: props.removalPolicy,
      }).key;

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
