import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Stack } from 'aws-cdk-lib';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadEnvironmentConfig } from '../../../config/index.js';
import { CITADEL_APPLICATION, validateApplication } from '../../../config/workloads.js';
import { buildCitadelApp } from '../../../lib/citadel-app.js';
import { WORKLOAD_TAG } from '../../../lib/workloads/workload-tags.js';
import type { Resource, Resources } from '../../support/template-queries.js';

/**
 * Two internal services that call each other, and a public service that calls one of them:
 * pricing asks stock for availability, stock asks pricing for prices, the shop asks pricing.
 * Built and synthesized with every rule pack, as a team would deploy it.
 */
const image = { repository: 'shop/shop', tag: '2026.12.1' } as const;
const size = { cpu: 256, memoryMiB: 512, minTasks: 1, maxTasks: 2 } as const;
const application = validateApplication(
  {
    workloads: [
      ...CITADEL_APPLICATION.workloads,
      {
        kind: 'service',
        name: 'shop',
        image,
        port: 8080,
        healthPath: '/shop/health',
        routing: { pathPrefix: '/shop', priority: 100 },
        size,
      },
      { kind: 'internal', name: 'pricing', image, port: 9000, calledBy: ['stock', 'shop'], size },
      { kind: 'internal', name: 'stock', image, port: 9100, calledBy: ['pricing'], size },
    ],
  },
  'shop',
);

let resources: Resources;
let outdir: string;

beforeAll(() => {
  outdir = mkdtempSync(join(tmpdir(), 'citadel-internal-'));
  const { app, stages } = buildCitadelApp({
    configs: [loadEnvironmentConfig('dev')],
    application,
    outdir,
  });
  const assembly = app.synth();
  const appStack = stages[0]!.node.tryFindChild('app') as Stack;
  resources = assembly.getNestedAssembly(stages[0]!.artifactId).getStackArtifact(appStack.artifactId).template
    .Resources as Resources;
}, 300_000);

afterAll(() => {
  if (outdir) rmSync(outdir, { recursive: true, force: true });
});

type Json = Record<string, unknown>;
interface Rule {
  readonly owner: string | undefined;
  readonly peer: string | undefined;
  readonly protocol: unknown;
  readonly fromPort: number;
  readonly toPort: number;
}

/** The logical id of a security group a rule names in this template (imports name none). */
function groupIn(value: unknown): string | undefined {
  const getAtt = (value as Json | undefined)?.['Fn::GetAtt'] as [string, string] | undefined;
  return getAtt?.[1] === 'GroupId' ? getAtt[0] : undefined;
}

/** Every rule of one direction, written on a group or as a separate resource. */
function rulesOf(direction: 'Ingress' | 'Egress'): Rule[] {
  const peerKey = direction === 'Ingress' ? 'SourceSecurityGroupId' : 'DestinationSecurityGroupId';
  const toRule = (owner: string | undefined, rule: Json): Rule => ({
    owner,
    peer: groupIn(rule[peerKey]),
    protocol: rule.IpProtocol,
    fromPort: Number(rule.FromPort),
    toPort: Number(rule.ToPort),
  });
  return Object.entries(resources).flatMap(([logicalId, resource]) => {
    const properties = resource.Properties ?? {};
    if (resource.Type === 'AWS::EC2::SecurityGroup')
      return ((properties[`SecurityGroup${direction}`] ?? []) as Json[]).map((rule) =>
        toRule(logicalId, rule),
      );
    if (resource.Type === `AWS::EC2::SecurityGroup${direction}`)
      return [toRule(groupIn(properties.GroupId), properties)];
    return [];
  });
}

/** Security groups of the template by logical id, named by the workload they belong to. */
function workloadGroups(): Map<string, string> {
  const groups = new Map<string, string>();
  for (const [logicalId, resource] of Object.entries(resources)) {
    if (resource.Type !== 'AWS::EC2::SecurityGroup') continue;
    const tags = (resource.Properties?.Tags ?? []) as { Key: string; Value: string }[];
    const workload = tags.find((tag) => tag.Key === WORKLOAD_TAG)?.Value;
    if (workload) groups.set(logicalId, workload);
  }
  return groups;
}

/**
 * Every `caller → callee:port` a task of one workload can open to a task of another: the
 * caller's group lets the TCP port out to the callee's group, and the callee's group lets it
 * in from the caller's. Both are needed; either alone carries no traffic.
 */
function reachablePairs(): string[] {
  const groups = workloadGroups();
  const ingress = rulesOf('Ingress');
  const egress = rulesOf('Egress');
  const covers = (rule: Rule, owner: string, peer: string, port: number) =>
    rule.owner === owner &&
    rule.peer === peer &&
    (rule.protocol === 'tcp' || rule.protocol === '-1') &&
    rule.fromPort <= port &&
    port <= rule.toPort;
  const ports = new Set([...ingress, ...egress].filter((rule) => rule.peer).map((rule) => rule.fromPort));
  const pairs: string[] = [];
  for (const [callerGroup, caller] of groups) {
    for (const [calleeGroup, callee] of groups) {
      if (callerGroup === calleeGroup) continue;
      for (const port of ports) {
        if (
          egress.some((rule) => covers(rule, callerGroup, calleeGroup, port)) &&
          ingress.some((rule) => covers(rule, calleeGroup, callerGroup, port))
        )
          pairs.push(`${caller} → ${callee}:${port}`);
      }
    }
  }
  return pairs.sort();
}

/** Logical ids a value refers to by Ref or Fn::GetAtt. */
function referencesIn(value: unknown): string[] {
  if (Array.isArray(value)) return value.flatMap(referencesIn);
  if (value === null || typeof value !== 'object') return [];
  return Object.entries(value as Json).flatMap(([key, inner]) => {
    if (key === 'Ref' && typeof inner === 'string') return [inner];
    if (key === 'Fn::GetAtt' && Array.isArray(inner)) return [String(inner[0])];
    return referencesIn(inner);
  });
}

/** A resource that depends on itself through references and DependsOn, or undefined. */
function dependencyCycle(): string[] | undefined {
  const dependsOn = (resource: Resource): string[] => [
    ...referencesIn(resource.Properties),
    ...((Array.isArray(resource.DependsOn)
      ? resource.DependsOn
      : [resource.DependsOn ?? []].flat()) as string[]),
  ];
  const state = new Map<string, 'visiting' | 'done'>();
  const visit = (logicalId: string, path: string[]): string[] | undefined => {
    if (state.get(logicalId) === 'done') return undefined;
    if (state.get(logicalId) === 'visiting') return [...path, logicalId];
    const resource = resources[logicalId];
    if (!resource) return undefined;
    state.set(logicalId, 'visiting');
    for (const next of dependsOn(resource)) {
      const cycle = visit(next, [...path, logicalId]);
      if (cycle) return cycle;
    }
    state.set(logicalId, 'done');
    return undefined;
  };
  for (const logicalId of Object.keys(resources)) {
    const cycle = visit(logicalId, []);
    if (cycle) return cycle;
  }
  return undefined;
}

describe('internal services that call each other', () => {
  it('synthesize with every rule pack into a template CloudFormation can order: no resource depends on itself', () => {
    expect(dependencyCycle()).toBeUndefined();
  });

  it('let each declared caller reach its callee on the callee port, and no other workload anything else', () => {
    expect(reachablePairs()).toEqual(['pricing → stock:9100', 'shop → pricing:9000', 'stock → pricing:9000']);
  });

  it('tell each caller the address of the service it calls, and only that one', () => {
    const environmentOf = (workload: string): Record<string, unknown> => {
      const task = Object.values(resources).find(
        (resource) =>
          resource.Type === 'AWS::ECS::TaskDefinition' &&
          (resource.Properties?.Family as string).endsWith(`-${workload}`),
      );
      const [container] = (task?.Properties?.ContainerDefinitions ?? []) as {
        Environment: { Name: string; Value: unknown }[];
      }[];
      return Object.fromEntries(
        (container?.Environment ?? [])
          .filter((variable) => variable.Name.endsWith('_URL') && !variable.Name.endsWith('_QUEUE_URL'))
          .map((variable) => [variable.Name, variable.Value]),
      );
    };
    expect(environmentOf('pricing')).toEqual({ STOCK_URL: 'http://stock:9100' });
    expect(environmentOf('stock')).toEqual({ PRICING_URL: 'http://pricing:9000' });
    expect(environmentOf('shop')).toEqual({ PRICING_URL: 'http://pricing:9000' });
  });
});
