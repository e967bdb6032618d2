import { fails, holds, type GuardrailCheck } from './guardrail-check.js';
import { displayName } from './inventories.js';
import type { TemplateIndex, TemplateResource } from './template-index.js';
import { logDestinations } from './workload-containers.js';
import { ownedOfType, referencedResources, type WorkloadResources } from './workload-resources.js';

type Json = Record<string, unknown>;

/** The stack (by its construct id in the stage) whose alarms notify the on-call topic. */
export const MONITORING_LAYER = 'monitoring';

interface MetricRef {
  readonly name: unknown;
  readonly namespace: unknown;
  readonly dimensions: unknown;
}

/** Every metric an alarm reads: its own, or each `MetricStat` of a metric-math alarm. */
function metricsOf(alarm: TemplateResource): MetricRef[] {
  const p = alarm.properties;
  const own =
    p.MetricName === undefined
      ? []
      : [{ name: p.MetricName, namespace: p.Namespace, dimensions: p.Dimensions }];
  const math = (Array.isArray(p.Metrics) ? (p.Metrics as Json[]) : []).flatMap((query) => {
    const metric = ((query?.MetricStat ?? {}) as Json).Metric as Json | undefined;
    return metric
      ? [{ name: metric.MetricName, namespace: metric.Namespace, dimensions: metric.Dimensions }]
      : [];
  });
  return [...own, ...math];
}

const sameValue = (a: unknown, b: unknown) => a !== undefined && JSON.stringify(a) === JSON.stringify(b);

/** The construct id of the stack a resource is in, within its stage (`monitoring`, `app`, …). */
function layerOf(resource: TemplateResource): string | undefined {
  return resource.path === resource.key ? undefined : resource.path.split('/')[1];
}

/**
 * What an alarm may watch to watch this workload: its own resources, the target groups
 * its services register with, and the log groups it writes to.
 */
function watchedResources(index: TemplateIndex, workload: WorkloadResources): Map<string, TemplateResource> {
  const watched = new Map(workload.resources.map((resource) => [resource.key, resource]));
  for (const service of ownedOfType(workload, 'AWS::ECS::Service')) {
    for (const target of referencedResources(index, service.properties.LoadBalancers, service))
      watched.set(target.key, target);
  }
  for (const { group } of logDestinations(index, workload)) if (group) watched.set(group.key, group);
  return watched;
}

/** The metrics the metric filters on the workload's log groups write. */
function filterMetrics(
  index: TemplateIndex,
  watched: ReadonlyMap<string, TemplateResource>,
): { name: unknown; namespace: unknown }[] {
  const groups = [...watched.values()].filter((resource) => resource.type === 'AWS::Logs::LogGroup');
  return index.ofType('AWS::Logs::MetricFilter').flatMap((filter) => {
    const groupRef = filter.properties.LogGroupName;
    const onWorkload =
      referencedResources(index, groupRef, filter).some((target) => watched.has(target.key)) ||
      groups.some((group) => sameValue(group.properties.LogGroupName, groupRef));
    if (!onWorkload) return [];
    const transformations = filter.properties.MetricTransformations;
    return (Array.isArray(transformations) ? (transformations as Json[]) : []).map((transformation) => ({
      name: transformation?.MetricName,
      namespace: transformation?.MetricNamespace,
    }));
  });
}

/** The monitoring stack's alarms that watch the workload. */
export function alarmsWatching(index: TemplateIndex, workload: WorkloadResources): TemplateResource[] {
  const watched = watchedResources(index, workload);
  const written = filterMetrics(index, watched);
  return index
    .ofType('AWS::CloudWatch::Alarm')
    .filter((alarm) => layerOf(alarm) === MONITORING_LAYER)
    .filter((alarm) =>
      metricsOf(alarm).some(
        (metric) =>
          referencedResources(index, metric.dimensions, alarm).some((target) => watched.has(target.key)) ||
          written.some(
            (filter) => sameValue(filter.name, metric.name) && sameValue(filter.namespace, metric.namespace),
          ),
      ),
    );
}

/** Holds when at least one alarm of the monitoring stack watches the workload. */
export function isWatchedByAlarm(index: TemplateIndex, workload: WorkloadResources): GuardrailCheck {
  const alarms = alarmsWatching(index, workload);
  if (alarms.length === 0) return fails(`no alarm of the ${MONITORING_LAYER} stack watches it`);
  const names = alarms.map((alarm) => displayName(alarm).split('/').slice(1).join('/') || displayName(alarm));
  return holds(names.join(', '));
}
