import type { Construct } from 'constructs';
import type { EnvironmentConfig } from '../../config/index.js';
import { AccountBaseline } from '../constructs/account-baseline.js';
import { CitadelStack } from './citadel-stack.js';
import type { NetworkStack } from './network-stack.js';

export interface BaselineStackProps {
  readonly config: EnvironmentConfig;
  readonly network: NetworkStack;
}

/**
 * Account-wide detective controls (CloudTrail, GuardDuty, Security Hub with the AWS
 * Foundational Security Best Practices and PCI DSS standards), each switched by config.
 * Deployed by one environment per account.
 */
export class BaselineStack extends CitadelStack {
  readonly baseline: AccountBaseline;

  constructor(scope: Construct, props: BaselineStackProps) {
    super(scope, {
      config: props.config,
      layer: 'baseline',
      description: 'CloudTrail, GuardDuty and Security Hub for the account',
    });
    const { baseline } = props.config;
    this.baseline = new AccountBaseline(this, 'Baseline', {
      cloudTrail: baseline.cloudTrail,
      guardDuty: baseline.guardDuty,
      securityHub: baseline.securityHub,
      logRetentionDays: props.config.logRetentionDays,
      serverAccessLogsBucket: props.network.accessLogsBucket,
    });
  }
}
