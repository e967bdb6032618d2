import { RegionInfo } from 'aws-cdk-lib/region-info';
import type { StagePolicies } from './stage-policies.js';

/** A placeholder names a resource the environment does not have. */
export class AbsentResourceError extends Error {
  override readonly name = 'AbsentResourceError';
}

const PLACEHOLDER = /\{([^{}]+)\}/g;

/** Expands `{…}` placeholders of one access row against one environment. */
export function expandPlaceholders(text: string, policies: StagePolicies): string {
  const { stage, resolver } = policies;
  return text.replace(PLACEHOLDER, (_match, body: string) => {
    switch (body) {
      case 'account':
        return stage.account;
      case 'region':
        return stage.region;
      case 'partition':
        return stage.partition;
      case 'environment':
        return stage.environment;
      case 'elbAccount': {
        const account = RegionInfo.get(stage.region).elbv2Account;
        if (!account) throw new Error(`no ELB log-delivery account known for ${stage.region}`);
        return account;
      }
    }
    const parsed = /^([\w*-]+):([\w*]+)\.([\w.]+)$/.exec(body);
    if (!parsed) throw new Error(`placeholder {${body}} is not {layer:LogicalId.Attribute}`);
    const [, layer, pattern, attribute] = parsed as unknown as [string, string, string, string];
    const { stack, logicalId } = findResource(policies, layer, pattern);
    return attribute === 'Ref'
      ? resolver.ref(logicalId, { stack, logicalId })
      : resolver.getAtt(logicalId, attribute, { stack, logicalId });
  });
}

function findResource(policies: StagePolicies, layer: string, pattern: string) {
  const { stage } = policies;
  const glob = pattern
    .split('*')
    .map((part) => part.replace(/[.+?^${}()|[\]\\]/g, '\\$&'))
    .join('.*');
  const matcher = new RegExp(`^${glob}([0-9A-F]{8})?$`, 'i');
  const stacks = stage.stacks.filter((stack) => layer === '*' || stack.layer === layer);
  const found = stacks.flatMap((stack) =>
    Object.keys(stack.resources)
      .filter((logicalId) => matcher.test(logicalId))
      .map((logicalId) => ({ stack, logicalId })),
  );
  if (found.length === 0) {
    throw new AbsentResourceError(`${stage.environment}: no resource ${pattern} in stack layer ${layer}`);
  }
  if (found.length > 1) {
    const ids = found.map(({ stack, logicalId }) => `${stack.layer}/${logicalId}`).join(', ');
    throw new Error(
      `${stage.environment}: placeholder ${layer}:${pattern} matches ${found.length} resources (${ids})`,
    );
  }
  return found[0]!;
}
