import { type RemovalPolicy, Stack } from 'aws-cdk-lib';
import type { Trail } from 'aws-cdk-lib/aws-cloudtrail';
import { CfnDetector } from 'aws-cdk-lib/aws-guardduty';
import type { Bucket, IBucket } from 'aws-cdk-lib/aws-s3';
import { CfnHub, CfnStandard } from 'aws-cdk-lib/aws-securityhub';
import { Construct } from 'constructs';
import { InvalidPropError } from '../invalid-prop-error.js';
import { AccountTrail } from './account-trail.js';
import type { RecoverySite } from './recovery-site.js';
import { ConfigRecorder } from './config-recorder.js';
import { ConformancePacks } from './conformance-packs.js';

/** Security Hub standards Citadel can subscribe to. */
export interface SecurityHubStandards {
  /** AWS Foundational Security Best Practices v1.0.0. @default true */
  readonly foundationalBestPractices?: boolean;
  /** PCI DSS v4.0.1 (replaces v3.2.1, which PCI SSC retired on 2024-03-31). @default true */
  readonly pciDss?: boolean;
  /** NIST SP 800-53 Rev. 5. @default true */
  readonly nist80053?: boolean;
}

/** A Security Hub standard: its construct id and the path of its ARN after `standards/`. */
export const SECURITY_HUB_STANDARDS = [
  {
    id: 'FoundationalBestPractices',
    prop: 'foundationalBestPractices',
    path: 'aws-foundational-security-best-practices/v/1.0.0',
  },
  { id: 'PciDssV4', prop: 'pciDss', path: 'pci-dss/v/4.0.1' },
  { id: 'Nist80053', prop: 'nist80053', path: 'nist-800-53/v/5.0.0' },
] as const satisfies readonly { id: string; prop: keyof SecurityHubStandards; path: string }[];

/** AWS Config in this region. */
export interface ConfigRecordingOptions {
  /** Also record IAM and the other global resource types (in one region per account only). */
  readonly recordGlobalResources: boolean;
  /**
   * Deploy AWS's HIPAA Security and PCI DSS 4.0 conformance packs on the recorder.
   * @default true
   */
  readonly conformancePacks?: boolean;
}

export interface AccountBaselineProps {
  /**
   * Name of the account's multi-region CloudTrail trail; the trail is created only when set.
   * @default - no trail (another environment of the account owns it)
   */
  readonly trailName?: string;
  /**
   * AWS Config recorder and delivery channel for this region.
   * @default - no recorder (another environment of this account and region owns it)
   */
  readonly config?: ConfigRecordingOptions;
  /** GuardDuty detector for this region. @default false */
  readonly guardDuty?: boolean;
  /** Security Hub for this region; needs `config`. @default false */
  readonly securityHub?: boolean;
  /** @default - every standard of `SECURITY_HUB_STANDARDS` */
  readonly securityHubStandards?: SecurityHubStandards;
  /** Days trail and Config log objects and the trail's log events are kept (at least 90). */
  readonly logRetentionDays: number;
  /** Bucket that receives the trail and Config buckets' server access logs. */
  readonly serverAccessLogsBucket: IBucket;
  /** Alias of the trail's KMS key. @default 'citadel/cloudtrail' */
  readonly trailKeyAlias?: string;
  /** Of the keys, buckets and log group. @default RemovalPolicy.RETAIN */
  readonly removalPolicy?: RemovalPolicy;
  /**
   * The environment's recovery site: the trail bucket replicates there.
   * @default - no replica
   */
  readonly recoverySite?: RecoverySite;
}

/**
 * Detective controls, each switchable: the account's CloudTrail trail, and AWS Config,
 * GuardDuty and Security Hub for this region, with Security Hub's standards subscribed
 * only once the Config recorder they evaluate exists.
 */
export class AccountBaseline extends Construct {
  readonly trail?: Trail;
  readonly trailBucket?: Bucket;
  readonly accountTrail?: AccountTrail;
  readonly config?: ConfigRecorder;
  readonly conformancePacks?: ConformancePacks;
  readonly detector?: CfnDetector;
  readonly hub?: CfnHub;
  readonly standards: CfnStandard[] = [];

  constructor(scope: Construct, id: string, props: AccountBaselineProps) {
    super(scope, id);
    if (props.trailName === undefined && !props.config && !props.guardDuty && !props.securityHub) {
      throw new InvalidPropError(
        this.node.path,
        'trailName/config/guardDuty/securityHub',
        [props.trailName, props.config, props.guardDuty, props.securityHub],
        'turn at least one control on, or do not create the baseline',
      );
    }
    if (props.securityHub && !props.config) {
      throw new InvalidPropError(
        this.node.path,
        'config',
        props.config,
        'Security Hub evaluates what AWS Config records; give config when securityHub is true',
      );
    }
    const stack = Stack.of(this);

    if (props.trailName !== undefined) {
      // 'Default' keeps the trail's key, bucket and log group at the logical ids they had
      // before the trail became its own construct (CDK leaves 'Default' out of logical ids).
      this.accountTrail = new AccountTrail(this, 'Default', {
        trailName: props.trailName,
        logRetentionDays: props.logRetentionDays,
        serverAccessLogsBucket: props.serverAccessLogsBucket,
        keyAlias: props.trailKeyAlias,
        removalPolicy: props.removalPolicy,
        recoverySite: props.recoverySite,
      });
      this.trail = this.accountTrail.trail;
      this.trailBucket = this.accountTrail.bucket;
    }

    if (props.config) {
      this.config = new ConfigRecorder(this, 'Config', {
        recordGlobalResources: props.config.recordGlobalResources,
        retentionDays: props.logRetentionDays,
        serverAccessLogsBucket: props.serverAccessLogsBucket,
        removalPolicy: props.removalPolicy,
      });
      if (props.config.conformancePacks ?? true) {
        this.conformancePacks = new ConformancePacks(this, 'ConformancePacks', {
          recorder: this.config.recorder,
          deliveryChannel: this.config.deliveryChannel,
          includeGlobalResourceTypes: props.config.recordGlobalResources,
        });
      }
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
      for (const { id: standardId, prop, path } of SECURITY_HUB_STANDARDS) {
        if (!(standards[prop] ?? true)) continue;
        const standard = new CfnStandard(this, standardId, {
          standardsArn: `arn:${stack.partition}:securityhub:${stack.region}::standards/${path}`,
        });
        standard.addResourceDependency(this.hub);
        if (this.config) {
          // Controls evaluate Config's recorded items: subscribe once the recorder delivers.
          standard.addResourceDependency(this.config.recorder);
          standard.addResourceDependency(this.config.deliveryChannel);
        }
        this.standards.push(standard);
      }
    }
  }
}
