import type { TemplateIndex, TemplateResource } from './template-index.js';

/** Tag naming the workload a resource belongs to (set by infra's `tagWorkload`). */
export const WORKLOAD_TAG = 'citadel:workload';
/** Tag naming the workload's kind: service, internal, worker, job or function. */
export const WORKLOAD_KIND_TAG = 'citadel:workload-kind';

/** The resources one workload owns, found by its tag across every stack of an environment. */
export interface WorkloadResources {
  readonly name: string;
  /** The kind tag; several values joined with `, ` when the resources disagree. */
  readonly kind: string;
  readonly resources: readonly TemplateResource[];
}

/**
 * The string value of one tag of a resource. CloudFormation writes `Tags` as a list of
 * `{ Key, Value }` for most types and as a plain map for some (SSM parameters, for one);
 * a value that is not a plain string (an intrinsic) is not a name and counts as absent.
 */
export function tagValue(resource: TemplateResource, key: string): string | undefined {
  const tags = resource.properties.Tags;
  if (Array.isArray(tags)) {
    for (const tag of tags as unknown[]) {
      if (tag === null || typeof tag !== 'object') continue;
      const { Key, Value } = tag as { Key?: unknown; Value?: unknown };
      if (Key === key && typeof Value === 'string') return Value;
    }
    return undefined;
  }
  if (tags !== null && typeof tags === 'object' && Object.hasOwn(tags, key)) {
    const value = (tags as Record<string, unknown>)[key];
    return typeof value === 'string' ? value : undefined;
  }
  return undefined;
}

/** Every workload of the environment, by name, with the resources tagged as its own. */
export function workloadResources(index: TemplateIndex): WorkloadResources[] {
  const byName = new Map<string, { kinds: Set<string>; resources: TemplateResource[] }>();
  for (const resource of index.resources) {
    const name = tagValue(resource, WORKLOAD_TAG);
    if (name === undefined) continue;
    const entry = byName.get(name) ?? { kinds: new Set<string>(), resources: [] };
    const kind = tagValue(resource, WORKLOAD_KIND_TAG);
    if (kind !== undefined) entry.kinds.add(kind);
    entry.resources.push(resource);
    byName.set(name, entry);
  }
  return [...byName]
    .map(([name, { kinds, resources }]) => ({
      name,
      kind: kinds.size ? [...kinds].sort().join(', ') : 'unknown',
      resources,
    }))
    .sort((a, b) => a.name.localeCompare(b.name));
}

/** The resources of one CloudFormation type among a workload's own. */
export function ownedOfType(workload: WorkloadResources, type: string): TemplateResource[] {
  return workload.resources.filter((resource) => resource.type === type);
}

const REFERENCE_KEYS = ['Ref', 'Fn::GetAtt', 'Fn::ImportValue', 'Fn::GetStackOutput'];

/**
 * Every resource a template value references anywhere inside it (through `Fn::Join`,
 * `Fn::Select`, `Fn::Split`, `Fn::Sub`, nested objects), following cross-stack exports.
 */
export function referencedResources(
  index: TemplateIndex,
  value: unknown,
  from: TemplateResource,
): TemplateResource[] {
  const found = new Map<string, TemplateResource>();
  const visit = (node: unknown): void => {
    if (Array.isArray(node)) {
      node.forEach(visit);
      return;
    }
    if (node === null || typeof node !== 'object') return;
    const record = node as Record<string, unknown>;
    if (REFERENCE_KEYS.some((key) => Object.hasOwn(record, key))) {
      const target = index.resolve(record, from);
      if (target) found.set(target.key, target);
      return;
    }
    Object.values(record).forEach(visit);
  };
  visit(value);
  return [...found.values()];
}

/** Whether a template value references `target` anywhere inside it. */
export function references(
  index: TemplateIndex,
  value: unknown,
  from: TemplateResource,
  target: TemplateResource,
): boolean {
  return referencedResources(index, value, from).some((resource) => resource.key === target.key);
}
