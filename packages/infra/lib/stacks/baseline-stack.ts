import type { Construct } from 'constructs';
import type { EnvironmentConfig } from '../../config/index.js';
import { AccountBaseline } from '../constructs/account-baseline.js';
import { recoverySiteOf } from './recovery-stack.js';
import { CitadelStack } from './citadel-stack.js';
import type { NetworkStack } from './network-stack.js';

export interface BaselineStackProps {
  readonly config: EnvironmentConfig;
  readonly network: NetworkStack;
}

/**
 * The detective controls this environment owns, as its config says: the account's
 * multi-region CloudTrail trail, and AWS Config (with AWS's HIPAA Security and PCI DSS 4.0
 * conformance packs), GuardDuty and Security Hub (with the AWS Foundational Security Best
 * Practices, PCI DSS v4.0.1 and NIST SP 800-53 Rev. 5 standards) for its region.
 */
export class BaselineStack extends CitadelStack {
  readonly baseline: AccountBaseline;

  constructor(scope: Construct, props: BaselineStackProps) {
    super(scope, {
      config: props.config,
      layer: 'baseline',
      description: 'CloudTrail for the account; AWS Config, GuardDuty and Security Hub for the region',
    });
    const { account = {}, region = {} } = props.config.baseline;
    this.baseline = new AccountBaseline(this, 'Baseline', {
      trailName: account.cloudTrail ? `citadel-${props.config.name}` : undefined,
      config: region.config ? { recordGlobalResources: account.configGlobalResources ?? false } : undefined,
      guardDuty: region.guardDuty ?? false,
      securityHub: region.securityHub ?? false,
      logRetentionDays: props.network.logPolicy.retentionDays,
      serverAccessLogsBucket: props.network.accessLogsBucket,
      recoverySite: recoverySiteOf(props.config),
    });
  }
}
