import type { TemplateIndex } from './template-index.js';
import { ownedOfType, referencedResources, type WorkloadResources } from './workload-resources.js';

type Json = Record<string, unknown>;

/**
 * What the load balancer sends to a workload: for every listener rule forwarding to a
 * target group its services register with, the rule's host and path, as
 * `shop.example.com/orders/*`; `*` stands for any host. Empty for a workload no rule reaches.
 */
export function workloadRoutes(index: TemplateIndex, workload: WorkloadResources): string[] {
  const targetGroups = new Set(
    ownedOfType(workload, 'AWS::ECS::Service').flatMap((service) =>
      referencedResources(index, service.properties.LoadBalancers, service).map((target) => target.key),
    ),
  );
  if (targetGroups.size === 0) return [];
  return index.ofType('AWS::ElasticLoadBalancingV2::ListenerRule').flatMap((rule) => {
    const forwards = referencedResources(index, rule.properties.Actions, rule).some((target) =>
      targetGroups.has(target.key),
    );
    if (!forwards) return [];
    const conditions = (
      Array.isArray(rule.properties.Conditions) ? rule.properties.Conditions : []
    ) as Json[];
    const valuesOf = (field: string, config: string): string[] =>
      conditions
        .filter((condition) => condition.Field === field)
        .flatMap((condition) =>
          ((condition[config] as { Values?: unknown[] } | undefined)?.Values ?? []).map(String),
        );
    const hosts = valuesOf('host-header', 'HostHeaderConfig');
    const paths = valuesOf('path-pattern', 'PathPatternConfig');
    return (hosts.length ? hosts : ['*']).flatMap((host) =>
      (paths.length ? paths : ['/*']).map((path) => `${host}${path}`),
    );
  });
}
