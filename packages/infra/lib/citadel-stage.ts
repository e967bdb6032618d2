import { Stage } from 'aws-cdk-lib';
import type { Construct } from 'constructs';
import { ownsBaselineControls, type EnvironmentConfig } from '../config/index.js';
import { CITADEL_APPLICATION, codeFunctionsOf, type ApplicationDeclaration } from '../config/workloads.js';
import { AppStack } from './stacks/app-stack.js';
import { BaselineStack } from './stacks/baseline-stack.js';
import { DataStack } from './stacks/data-stack.js';
import { MonitoringStack } from './stacks/monitoring-stack.js';
import { NetworkStack } from './stacks/network-stack.js';
import { RecoveryStack } from './stacks/recovery-stack.js';
import { SharedStack } from './stacks/shared-stack.js';

export interface CitadelStageProps {
  readonly config: EnvironmentConfig;
  /** @default CITADEL_APPLICATION */
  readonly application?: ApplicationDeclaration;
}

/**
 * One environment: its stacks in deploy order (`shared`, `network`, `data`, …), each
 * deployable alone and named `citadel-<env>-<layer>`. Later stacks receive what they
 * need from earlier ones through the typed properties below.
 */
export class CitadelStage extends Stage {
  readonly config: EnvironmentConfig;
  readonly shared: SharedStack;
  readonly network: NetworkStack;
  readonly data: DataStack;
  readonly app: AppStack;
  readonly monitoring: MonitoringStack;
  /** Only in an environment that owns at least one detective control (`baseline` in its config). */
  readonly baseline?: BaselineStack;
  /** Only in an environment with `recovery` in its config; in the recovery region. */
  readonly recovery?: RecoveryStack;

  constructor(scope: Construct, props: CitadelStageProps) {
    const { config } = props;
    super(scope, config.name, { env: { account: config.account, region: config.region } });
    this.config = config;

    this.shared = new SharedStack(this, { config });
    if (config.recovery) this.recovery = new RecoveryStack(this, { config });
    // Workloads in the isolated subnets reach the Lambda API only through an endpoint.
    const invokesFunctions = codeFunctionsOf(props.application ?? CITADEL_APPLICATION).some(
      (declared) => (declared.calledBy ?? []).length > 0,
    );
    this.network = new NetworkStack(this, { config, ...(invokesFunctions ? { lambdaEndpoint: true } : {}) });
    this.network.addStackDependency(this.shared, 'shared deploys first');
    this.data = new DataStack(this, { config, network: this.network });
    this.app = new AppStack(this, {
      config,
      shared: this.shared,
      network: this.network,
      data: this.data,
      ...(props.application ? { application: props.application } : {}),
    });
    this.monitoring = new MonitoringStack(this, {
      config,
      network: this.network,
      data: this.data,
      app: this.app,
    });
    if (ownsBaselineControls(config.baseline))
      this.baseline = new BaselineStack(this, { config, network: this.network });
    // Copies and replicas name the recovery stack's vault, key and buckets, which must exist first.
    if (this.recovery) {
      for (const stack of [this.shared, this.network, this.data, this.app, this.baseline]) {
        stack?.addStackDependency(this.recovery, 'copies and replicas go to the recovery stack');
      }
    }
  }
}
