import type { CloudAssembly } from 'aws-cdk-lib/cx-api';

/** One resource of a synthesized template. */
export interface TemplateResource {
  readonly Type: string;
  readonly Properties?: Readonly<Record<string, unknown>>;
}

/** One synthesized stack of an environment, with what the resolver needs to name its resources. */
export interface StackTemplate {
  /** The deployed stack name, `citadel-<env>-<layer>`. */
  readonly stackName: string;
  /** The layer part of the stack name (`app`, `network`, …). */
  readonly layer: string;
  readonly resources: Readonly<Record<string, TemplateResource>>;
  readonly outputs: Readonly<
    Record<string, { readonly Value: unknown; readonly Export?: { readonly Name?: unknown } }>
  >;
}

/** Every stack of one environment (a CDK stage), all in one account and region. */
export interface StageTemplates {
  readonly environment: string;
  readonly account: string;
  readonly region: string;
  readonly partition: string;
  readonly stacks: readonly StackTemplate[];
}

/**
 * Reads the stacks of a synthesized stage in its primary region (that of its `shared`
 * stack); stacks of the same account in another region (the recovery stack) are left out, since
 * the proof evaluates one account and region at a time. Fails when the stacks span accounts.
 */
export function readStageTemplates(environment: string, assembly: CloudAssembly): StageTemplates {
  const all = assembly.stacks;
  if (all.length === 0) throw new Error(`stage ${environment} has no stacks`);
  const primary = all.find((artifact) => artifact.stackName.endsWith('-shared')) ?? all[0]!;
  const { account, region } = primary.environment;
  const artifacts = all.filter(
    (artifact) => artifact.environment.account !== account || artifact.environment.region === region,
  );
  const stacks = artifacts.map((artifact): StackTemplate => {
    if (artifact.environment.account !== account || artifact.environment.region !== region) {
      throw new Error(
        `stage ${environment}: stack ${artifact.stackName} is in ${artifact.environment.account}/${artifact.environment.region}, ` +
          `expected ${account}/${region}; the access proof evaluates one account and region at a time`,
      );
    }
    const template = artifact.template as {
      Resources?: StackTemplate['resources'];
      Outputs?: StackTemplate['outputs'];
    };
    return {
      stackName: artifact.stackName,
      layer: artifact.stackName.split('-').at(-1)!,
      resources: template.Resources ?? {},
      outputs: template.Outputs ?? {},
    };
  });
  return { environment, account, region, partition: 'aws', stacks };
}
