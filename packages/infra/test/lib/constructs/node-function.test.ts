import { readdirSync, readFileSync, statSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { functionBundle } from '@citadel/functions/bundle';
import { App, Stack } from 'aws-cdk-lib';
import { Template } from 'aws-cdk-lib/assertions';
import { Key } from 'aws-cdk-lib/aws-kms';
import type { CfnFunction } from 'aws-cdk-lib/aws-lambda';
import { describe, expect, it } from 'vitest';
import {
  functionEntry,
  NodeFunction,
  type NodeFunctionProps,
} from '../../../lib/constructs/node-function.js';
import { InvalidPropError } from '../../../lib/invalid-prop-error.js';

function newStack(): Stack {
  return new Stack(new App({ builtinCloudFormationValidation: false }), 'Functions', {
    env: { account: '111111111111', region: 'eu-west-1' },
  });
}

function addFunction(stack: Stack, props: Partial<NodeFunctionProps> = {}): NodeFunction {
  const key = new Key(stack, `Key${stack.node.children.length}`);
  return new NodeFunction(stack, `Fn${stack.node.children.length}`, {
    entry: functionEntry('payment-processor'),
    description: 'test function',
    environmentKey: key,
    logPolicy: { key: key, retentionDays: 90 },
    ...props,
  });
}

/** The staged directory the function's code is zipped from. */
function stagedCode(stack: Stack, fn: NodeFunction): string {
  const assembly = stack.node.root as App;
  const template = Template.fromStack(stack).toJSON() as {
    Resources: Record<string, { Type: string; Properties: { Code: { S3Key: string } } }>;
  };
  const logicalId = stack.getLogicalId(fn.function.node.defaultChild as CfnFunction);
  const key = template.Resources[logicalId]?.Properties.Code.S3Key as string;
  return join(assembly.assetOutdir, `asset.${key.replace(/\.zip$/, '')}`);
}

function errorOf(action: () => unknown): InvalidPropError {
  try {
    action();
  } catch (error) {
    if (error instanceof InvalidPropError) return error;
    throw error;
  }
  throw new Error('expected an InvalidPropError, but nothing was thrown');
}

describe('NodeFunction', () => {
  it('deploys the bundle that bundle.ts builds and measures, as index.mjs with handler index.<export>', () => {
    // Prepare
    const stack = newStack();
    const bundle = functionBundle('payment-processor');

    // Act
    const fn = addFunction(stack);
    const staged = stagedCode(stack, fn);

    // Assess
    Template.fromStack(stack).hasResourceProperties('AWS::Lambda::Function', {
      Handler: 'index.handler',
      Runtime: 'nodejs22.x',
      Architectures: ['arm64'],
    });
    expect(readdirSync(staged).sort()).toEqual(readdirSync(dirname(bundle.file)).sort());
    expect(readFileSync(join(staged, 'index.mjs')).equals(readFileSync(bundle.file))).toBe(true);
  });

  it('points a second export of the same bundle at index.<export>', () => {
    // Prepare
    const stack = newStack();

    // Act
    addFunction(stack, { entry: functionEntry('cloudflare-certificate'), handler: 'isComplete' });

    // Assess
    Template.fromStack(stack).hasResourceProperties('AWS::Lambda::Function', { Handler: 'index.isComplete' });
  });

  it('builds each bundle once per process, however many apps and environments deploy it', () => {
    // Prepare
    const first = functionBundle('payment-processor');
    const builtAt = statSync(first.file).mtimeMs;
    const stacks = [newStack(), newStack(), newStack(), newStack()];

    // Act
    const staged = stacks.map((stack) => stagedCode(stack, addFunction(stack)));

    // Assess
    expect(functionBundle('payment-processor')).toBe(first);
    expect(statSync(first.file).mtimeMs).toBe(builtAt);
    expect(new Set(staged.map((dir) => dir.split('/').pop())).size).toBe(1);
  });

  it('builds nothing for a stack left out of bundling, referencing the handler source instead', () => {
    // Prepare
    const app = new App({ context: { 'aws:cdk:bundling-stacks': [] } });
    const stack = new Stack(app, 'Excluded', { env: { account: '111111111111', region: 'eu-west-1' } });

    // Act
    const staged = stagedCode(stack, addFunction(stack, { entry: functionEntry('cloudflare-dns') }));

    // Assess
    expect(readdirSync(staged)).toContain('handler.ts');
    expect(readdirSync(staged)).not.toContain('index.mjs');
  });

  it.each([
    ['a file outside packages/functions', '/etc/passwd'],
    [
      'a module of packages/functions that is not a handler',
      functionEntry('payment-processor').replace('handler.ts', 'process.ts'),
    ],
    ['a folder without a handler.ts', functionEntry('shared')],
    ['a path that climbs out of the functions', functionEntry('../../db/src')],
    ['an empty path', ''],
  ])('fails when entry is %s', (_case, entry) => {
    // Prepare
    const stack = newStack();

    // Act
    const error = errorOf(() => addFunction(stack, { entry }));

    // Assess
    expect(error).toMatchObject({ prop: 'entry', value: entry });
    expect(error.message).toContain('functionEntry(<folder>)');
    expect(error.message).toContain('payment-processor');
  });

  it.each(['index.handler', 'handler; rm -rf /', '', '1handler', '../handler'])(
    'fails when handler is %j',
    (handler) => {
      // Prepare
      const stack = newStack();

      // Act
      const error = errorOf(() => addFunction(stack, { handler }));

      // Assess
      expect(error).toMatchObject({ prop: 'handler', value: handler });
    },
  );

  it('fails when fewer than one concurrent execution is reserved', () => {
    // Prepare
    const stack = newStack();

    // Act
    const error = errorOf(() => addFunction(stack, { reservedConcurrentExecutions: 0 }));

    // Assess
    expect(error).toMatchObject({ prop: 'reservedConcurrentExecutions', value: 0 });
  });
});
