import { mkdirSync, mkdtempSync, rmSync, truncateSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { ConfigError } from '../../config/index.js';
import { codeFunctionsOf, validateApplication } from '../../config/workloads.js';

const root = mkdtempSync(join(tmpdir(), 'citadel-function-'));
const built = join(root, 'receipts');
mkdirSync(built);
writeFileSync(join(built, 'index.mjs'), 'export const handler = async () => ({});\n');
afterAll(() => rmSync(root, { recursive: true, force: true }));

const receipts = {
  kind: 'function',
  name: 'orders-receipts',
  code: { directory: built, handler: 'index.handler' },
  timeoutSeconds: 30,
  reservedConcurrency: 2,
  queue: { maxReceiveCount: 3 },
};
const api = {
  kind: 'service',
  name: 'orders-api',
  image: { repository: 'orders/orders-api', tag: 'v1.4.2' },
  port: 8080,
  healthPath: '/orders/health',
  routing: { pathPrefix: '/orders', priority: 10 },
  size: { cpu: 256, memoryMiB: 512, minTasks: 1, maxTasks: 2 },
  sendsTo: ['orders-receipts'],
};

function refusal(candidate: unknown): ConfigError {
  try {
    validateApplication(candidate, 'orders');
  } catch (error) {
    if (error instanceof ConfigError) return error;
    throw error;
  }
  throw new Error('expected a ConfigError');
}

const withFunction = (changes: Record<string, unknown>) => ({
  workloads: [api, { ...receipts, ...changes }],
});

describe('a team’s own function declaration', () => {
  it('is accepted with a queue other workloads send to by its name', () => {
    const application = validateApplication(withFunction({}), 'orders');
    expect(codeFunctionsOf(application).map((fn) => fn.name)).toEqual(['orders-receipts']);
  });

  it('accepts a schedule or callers as its only trigger', () => {
    const { queue: _queue, ...unqueued } = receipts;
    expect(() =>
      validateApplication({ workloads: [{ ...unqueued, every: { hours: 1 } }] }, 'orders'),
    ).not.toThrow();
    expect(() =>
      validateApplication(
        {
          workloads: [
            { ...api, sendsTo: [] },
            { ...unqueued, calledBy: ['orders-api'] },
          ],
        },
        'orders',
      ),
    ).not.toThrow();
  });

  const oversize = join(root, 'oversize');
  mkdirSync(oversize);
  writeFileSync(join(oversize, 'index.mjs'), 'export const handler = async () => ({});\n');
  writeFileSync(join(oversize, 'blob.bin'), '');
  truncateSync(join(oversize, 'blob.bin'), 262_144_001);

  it.each([
    {
      what: 'a relative directory',
      change: { code: { directory: 'functions/receipts', handler: 'index.handler' } },
      field: 'workloads[1].code.directory',
      fix: 'absolute path',
    },
    {
      what: 'a directory with ..',
      change: { code: { directory: `${built}/../receipts`, handler: 'index.handler' } },
      field: 'workloads[1].code.directory',
      fix: "without '..'",
    },
    {
      what: 'a directory with a NUL byte',
      change: { code: { directory: `${built}\u0000x`, handler: 'index.handler' } },
      field: 'workloads[1].code.directory',
      fix: 'absolute path',
    },
    {
      what: 'a directory that does not exist',
      change: { code: { directory: join(root, 'missing'), handler: 'index.handler' } },
      field: 'workloads[1].code.directory',
      fix: 'build the handler into it',
    },
    {
      what: 'a handler whose file is not there',
      change: { code: { directory: built, handler: 'main.handler' } },
      field: 'workloads[1].code.handler',
      fix: 'no main.mjs',
    },
    {
      what: 'a handler climbing out of the directory',
      change: { code: { directory: built, handler: '../index.handler' } },
      field: 'workloads[1].code.handler',
      fix: 'must match pattern',
    },
    {
      what: 'a handler with no export',
      change: { code: { directory: built, handler: 'index' } },
      field: 'workloads[1].code.handler',
      fix: 'must match pattern',
    },
    {
      what: 'a handler with shell characters',
      change: { code: { directory: built, handler: 'index.handler;rm' } },
      field: 'workloads[1].code.handler',
      fix: 'must match pattern',
    },
    {
      what: 'more code than Lambda takes',
      change: { code: { directory: oversize, handler: 'index.handler' } },
      field: 'workloads[1].code.directory',
      fix: '262144000 bytes',
    },
    {
      what: 'no trigger',
      change: { queue: undefined },
      field: 'workloads[1].queue',
      fix: 'at least one trigger',
    },
    {
      what: 'a timeout past Lambda’s 900 seconds',
      change: { timeoutSeconds: 901 },
      field: 'workloads[1].timeoutSeconds',
      fix: '900',
    },
    {
      what: 'no reserved concurrency',
      change: { reservedConcurrency: 0 },
      field: 'workloads[1].reservedConcurrency',
      fix: '1',
    },
    {
      what: 'itself as caller',
      change: { calledBy: ['orders-receipts'] },
      field: 'workloads[1].calledBy[0]',
      fix: 'another service',
    },
    {
      what: 'a caller that does not exist',
      change: { calledBy: ['orders-apj'] },
      field: 'workloads[1].calledBy[0]',
      fix: 'another service',
    },
    {
      what: 'a schedule under five minutes',
      change: { every: { minutes: 1 } },
      field: 'workloads[1].every.minutes',
      fix: '5',
    },
    {
      what: 'an unknown setting',
      change: { image: { repository: 'x', tag: 'v1' } },
      field: 'workloads[1].image',
      fix: '',
    },
  ])('fails on $what, naming $field', ({ change, field, fix }) => {
    const candidate = withFunction(change);
    if ('queue' in change && change.queue === undefined) {
      delete (candidate.workloads[1] as Record<string, unknown>).queue;
      candidate.workloads[0] = { ...api, sendsTo: [] };
    }
    const error = refusal(candidate);
    expect(error.field).toBe(field);
    expect(error.message).toContain(fix);
  });

  it('fails when a workload sends to a function without a queue', () => {
    const { queue: _queue, ...unqueued } = receipts;
    const error = refusal({ workloads: [api, { ...unqueued, every: { days: 1 } }] });
    expect(error.field).toBe('workloads[0].sendsTo[0]');
    expect(error.message).toContain('queue-fed function');
  });

  it('fails when Citadel’s API is named as a caller: its role is Citadel’s own', () => {
    const citadelApi = { kind: 'service', name: 'api', implementation: 'citadel-api' };
    const error = refusal({ workloads: [citadelApi, { ...receipts, calledBy: ['api'] }] });
    expect(error.field).toBe('workloads[1].calledBy[0]');
  });

  it('fails on a function with neither code nor Citadel’s handler, asking for code', () => {
    const error = refusal({
      workloads: [{ kind: 'function', name: 'orders-receipts', handler: 'index.handler' }],
    });
    expect(error.field).toBe('workloads[0].code');
    expect(error.message).toContain('{ directory, handler }');
  });
});
