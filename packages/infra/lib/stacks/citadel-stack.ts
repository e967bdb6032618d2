import { Stack, Tags } from 'aws-cdk-lib';
import type { Construct } from 'constructs';
import type { EnvironmentConfig } from '../../config/index.js';

/** Stack layers of one environment, in deploy order. */
export const STACK_LAYERS = [
  'recovery',
  'shared',
  'network',
  'data',
  'app',
  'monitoring',
  'baseline',
] as const;
export type StackLayer = (typeof STACK_LAYERS)[number];

export interface CitadelStackProps {
  /** The environment this stack belongs to. */
  readonly config: EnvironmentConfig;
  /** Which layer this stack is; the construct id and the `citadel-<env>-<layer>` stack name follow from it. */
  readonly layer: StackLayer;
  /** What the stack holds, shown in the CloudFormation console. */
  readonly description: string;
  /**
   * Region the stack deploys to.
   * @default - the environment's region
   */
  readonly region?: string;
}

/**
 * Base of every Citadel stack: pinned to the environment's account and region, named
 * `citadel-<env>-<layer>`, termination protection on, and availability zones taken
 * from config so that synth never looks them up.
 */
export class CitadelStack extends Stack {
  readonly config: EnvironmentConfig;

  constructor(scope: Construct, props: CitadelStackProps) {
    super(scope, props.layer, {
      env: { account: props.config.account, region: props.region ?? props.config.region },
      stackName: `citadel-${props.config.name}-${props.layer}`,
      description: `Citadel ${props.config.name}: ${props.description}`,
      terminationProtection: true,
    });
    this.config = props.config;
    Tags.of(this).add('citadel:environment', props.config.name);
    Tags.of(this).add('citadel:layer', props.layer);
  }

  override get availabilityZones(): string[] {
    return [...this.config.availabilityZones];
  }
}
