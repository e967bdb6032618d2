import { App, CfnOutput, Stack } from 'aws-cdk-lib';
import { Peer, Port, SecurityGroup, Vpc, type CfnSecurityGroup } from 'aws-cdk-lib/aws-ec2';
import type { CloudFormationStackArtifact } from 'aws-cdk-lib/cx-api';
import { describe, expect, it } from 'vitest';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { loadEnvironmentConfig } from '../../config/index.js';
import { buildCitadelApp, readCdkContext } from '../../lib/citadel-app.js';
import { synthesizedApp } from '../support/synthesized-app.js';

type Json = unknown;

/** Every place an intrinsic function of `name` occurs, with the intrinsics it sits inside. */
function occurrences(node: Json, name: string, path: string[] = []): { value: Json; enclosing: string[] }[] {
  if (Array.isArray(node)) return node.flatMap((item) => occurrences(item, name, path));
  if (node === null || typeof node !== 'object') return [];
  const found: { value: Json; enclosing: string[] }[] = [];
  for (const [key, value] of Object.entries(node)) {
    if (key === name) found.push({ value, enclosing: path });
    const inside = key.startsWith('Fn::') || key === 'Ref' ? [...path, key] : path;
    found.push(...occurrences(value, name, inside));
  }
  return found;
}

interface StackReferences {
  readonly stackName: string;
  /** Export names the stack defines. */
  readonly exports: Set<string>;
  /** Export names the stack imports. */
  readonly imports: Set<string>;
  /** Stack names whose outputs the stack reads without an export. */
  readonly weakProducers: Set<string>;
  readonly dependencies: Set<string>;
}

function referencesOf(artifact: CloudFormationStackArtifact): StackReferences {
  const template = artifact.template as { Outputs?: Record<string, { Export?: { Name?: unknown } }> };
  const exports = new Set(
    Object.values(template.Outputs ?? {})
      .map((output) => output.Export?.Name)
      .filter((name): name is string => typeof name === 'string'),
  );
  const imports = new Set(
    occurrences(artifact.template, 'Fn::ImportValue').map(({ value }) => JSON.stringify(value)),
  );
  const weakProducers = new Set(
    occurrences(artifact.template, 'Fn::GetStackOutput').map(({ value }) =>
      JSON.stringify((value as { StackName?: unknown }).StackName),
    ),
  );
  return {
    stackName: artifact.stackName,
    exports,
    imports,
    weakProducers,
    dependencies: new Set(artifact.dependencies.map((dependency) => dependency.id)),
  };
}

/** For each producer stack, the stacks that read its outputs. */
function consumersByProducer(artifacts: readonly CloudFormationStackArtifact[]): Map<string, string[]> {
  const references = artifacts.map(referencesOf);
  const consumers = new Map<string, string[]>();
  for (const producer of references) {
    const readers = references
      .filter((consumer) =>
        [...consumer.imports].some((name) => producer.exports.has(JSON.parse(name) as string)),
      )
      .map((consumer) => consumer.stackName);
    if (readers.length > 0) consumers.set(producer.stackName, readers);
  }
  return consumers;
}

function stageArtifacts(environment: string): CloudFormationStackArtifact[] {
  return synthesizedApp().stage(environment).synth().stacks;
}

/** A producer whose security group a consumer opens a port from, synthesized with the project's flags. */
function twoStackApp(securityGroupLogicalId?: string): Record<string, string> {
  const app = new App({ context: readCdkContext() });
  const env = { account: '123456789012', region: 'eu-west-1' };
  const producer = new Stack(app, 'Producer', { env });
  const vpc = new Vpc(producer, 'Vpc', { natGateways: 0, maxAzs: 2 });
  const group = new SecurityGroup(producer, 'Group', { vpc });
  if (securityGroupLogicalId)
    (group.node.defaultChild as CfnSecurityGroup).overrideLogicalId(securityGroupLogicalId);
  const consumer = new Stack(app, 'Consumer', { env });
  const rule = new SecurityGroup(consumer, 'Rule', { vpc, allowAllOutbound: false });
  rule.addIngressRule(Peer.securityGroupId(group.securityGroupId), Port.tcp(443));
  new CfnOutput(consumer, 'Marker', { value: 'consumer' });
  const assembly = app.synth();
  return Object.fromEntries(
    assembly.stacks.map((stack) => [stack.stackName, JSON.stringify(stack.template)] as const),
  );
}

/**
 * The dev environment's templates by stack name, with the network's service security group
 * under `logicalId` when given (what a replacing change to it looks like to consumers).
 */
function devTemplates(serviceSecurityGroupLogicalId?: string): Record<string, string> {
  const outdir = mkdtempSync(join(tmpdir(), 'citadel-xref-'));
  try {
    const { app, stages } = buildCitadelApp({
      outdir,
      configs: [loadEnvironmentConfig('dev')],
      rulePacks: () => [],
    });
    const group = stages[0]!.network.serviceSecurityGroup.node.defaultChild as CfnSecurityGroup;
    if (serviceSecurityGroupLogicalId) group.overrideLogicalId(serviceSecurityGroupLogicalId);
    const stacks = app.synth().getNestedAssembly(stages[0]!.artifactId).stacks;
    return Object.fromEntries(
      stacks.map((stack) => [stack.stackName, JSON.stringify(stack.template)] as const),
    );
  } finally {
    rmSync(outdir, { recursive: true, force: true });
  }
}

describe('cross-stack references', () => {
  const environment = 'dev';

  it('reads every output of another stack through an export CloudFormation keeps consistent', () => {
    // Act
    const references = stageArtifacts(environment).map(referencesOf);

    // Assess
    expect(
      references.flatMap((stack) =>
        [...stack.weakProducers].map((producer) => `${stack.stackName} <- ${producer}`),
      ),
    ).toEqual([]);
    const exported = new Set(references.flatMap((stack) => [...stack.exports]));
    const dangling = references.flatMap((stack) =>
      [...stack.imports].filter((name) => !exported.has(JSON.parse(name) as string)),
    );
    expect(dangling).toEqual([]);
  }, 300_000);

  it('deploys each producer before the stacks that consume its outputs', () => {
    // Prepare
    const artifacts = stageArtifacts(environment);
    const byName = new Map(artifacts.map((artifact) => [artifact.stackName, artifact] as const));

    // Act
    const consumers = consumersByProducer(artifacts);

    // Assess
    expect(Object.fromEntries(consumers)).toMatchObject({
      [`citadel-${environment}-network`]: expect.arrayContaining([`citadel-${environment}-app`]),
      [`citadel-${environment}-data`]: expect.arrayContaining([`citadel-${environment}-app`]),
    });
    for (const [producer, readers] of consumers) {
      for (const reader of readers) {
        const dependencies = referencesOf(byName.get(reader)!).dependencies;
        expect([...dependencies], `${reader} depends on ${producer}`).toContain(byName.get(producer)!.id);
      }
    }
  }, 300_000);

  it('puts no stack output read inside another intrinsic function, which CloudFormation does not resolve', () => {
    // Act
    const nested = stageArtifacts(environment).flatMap((artifact) =>
      occurrences(artifact.template, 'Fn::GetStackOutput')
        .filter(({ enclosing }) => enclosing.length > 0)
        .map(({ enclosing }) => `${artifact.stackName}: ${enclosing.join(' > ')} > Fn::GetStackOutput`),
    );

    // Assess
    expect(nested).toEqual([]);
  }, 300_000);

  it('finds an output read nested in Fn::Split, the shape weak list references take', () => {
    // Prepare
    const template = {
      Resources: { A: { Properties: { Subnets: { 'Fn::Split': [',', { 'Fn::GetStackOutput': {} }] } } } },
    };

    // Act
    const found = occurrences(template, 'Fn::GetStackOutput');

    // Assess
    expect(found.map(({ enclosing }) => enclosing)).toEqual([['Fn::Split']]);
  });

  it('changes every stack that reads a replaced network security group, so deploy updates each of them', () => {
    // Prepare
    const before = devTemplates();
    const readers = Object.entries(before)
      .filter(([, template]) =>
        /Fn::ImportValue":"citadel-dev-network:[^"]*ServiceSecurityGroup/.test(template),
      )
      .map(([stackName]) => stackName)
      .sort();

    // Act
    const after = devTemplates('ReplacedServiceSecurityGroup');
    const changed = Object.keys(before)
      .filter((stackName) => before[stackName] !== after[stackName])
      .sort();

    // Assess
    expect(readers).toEqual(expect.arrayContaining(['citadel-dev-app', 'citadel-dev-data']));
    expect(changed).toEqual(expect.arrayContaining(['citadel-dev-network', ...readers]));
  }, 300_000);

  it('changes the consumer template when a producer resource it reads is replaced, so the CLI deploys it', () => {
    // Act
    const before = twoStackApp();
    const after = twoStackApp('ReplacedGroup');

    // Assess
    expect(before.Consumer).toContain('Fn::ImportValue');
    expect(before.Consumer).not.toContain('Fn::GetStackOutput');
    expect(after.Producer).not.toBe(before.Producer);
    expect(after.Consumer).not.toBe(before.Consumer);
  }, 120_000);
});
