import { CONTINUOUS_CHECKS, type ContinuousCheck } from './control-mapping.js';
import type { TemplateResource } from './template-index.js';

/** One in-account check the environment's templates deploy. */
export interface DeployedCheck {
  readonly check: ContinuousCheck;
  /** Construct path of the resource that deploys it. */
  readonly path: string;
}

/** The "Continuous compliance" section: what evaluates the account and region over time. */
export interface ContinuousSection {
  readonly deployed: readonly DeployedCheck[];
  /** Checks this environment does not deploy (another environment of the account and region may). */
  readonly absent: readonly ContinuousCheck[];
}

function deployedName(resource: TemplateResource): string | undefined {
  if (resource.type === 'AWS::Config::ConformancePack') {
    const name = resource.properties.ConformancePackName;
    return typeof name === 'string' ? name : undefined;
  }
  if (resource.type === 'AWS::SecurityHub::Standard') {
    // The ARN is joined from the partition and region; its standard path is the literal tail.
    const arn = JSON.stringify(resource.properties.StandardsArn ?? '');
    return /::standards\/([a-z0-9-]+\/v\/[0-9.]+)"/.exec(arn)?.[1];
  }
  return undefined;
}

/** Which conformance packs and Security Hub standards the templates deploy, with the controls they map to. */
export function buildContinuousSection(resources: readonly TemplateResource[]): ContinuousSection {
  const deployed: DeployedCheck[] = [];
  for (const resource of resources) {
    const name = deployedName(resource);
    const check = CONTINUOUS_CHECKS.find(
      (candidate) =>
        candidate.deployedAs === name &&
        (candidate.kind === 'AWS Config conformance pack') ===
          (resource.type === 'AWS::Config::ConformancePack'),
    );
    if (check) deployed.push({ check, path: resource.path });
  }
  return {
    deployed,
    absent: CONTINUOUS_CHECKS.filter((check) => !deployed.some((entry) => entry.check === check)),
  };
}
