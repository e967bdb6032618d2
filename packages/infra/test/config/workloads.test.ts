import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { ConfigError } from '../../config/index.js';
import {
  CITADEL_APPLICATION,
  jobsOf,
  sizeIn,
  validateApplication,
  type ServiceWorkload,
} from '../../config/workloads.js';

const orders: ServiceWorkload = {
  kind: 'service',
  name: 'orders-api',
  image: { repository: 'orders/orders-api', tag: 'v1.4.2' },
  port: 8080,
  healthPath: '/orders/health',
  routing: { pathPrefix: '/orders', priority: 10 },
  size: { cpu: 512, memoryMiB: 1024, minTasks: 2, maxTasks: 4 },
  sizes: { prod: { cpu: 1024, memoryMiB: 2048, maxTasks: 10 } },
};
const fulfilment = {
  kind: 'worker',
  name: 'orders-fulfilment',
  image: { repository: 'orders/orders-api', tag: 'v1.4.2' },
  queue: { maxReceiveCount: 3, visibilityTimeoutSeconds: 60, messagesPerTask: 50 },
  size: { cpu: 256, memoryMiB: 512, minTasks: 1, maxTasks: 3 },
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

const withService = (changes: Record<string, unknown>) => ({
  workloads: [{ ...orders, ...changes }, fulfilment],
});

describe('application declarations', () => {
  it("declares Citadel's own API, processor and both maintenance jobs", () => {
    expect(CITADEL_APPLICATION.workloads.map((workload) => `${workload.kind}:${workload.name}`)).toEqual([
      'service:api',
      'function:payment-processor',
      'job:idempotency-retention',
      'job:payment-outbox',
    ]);
    expect(jobsOf(CITADEL_APPLICATION).map((job) => job.databaseRole)).toEqual([
      'citadel_retention',
      'citadel_outbox',
    ]);
  });

  it('accepts a service, a worker it sends to, and a job', () => {
    const application = validateApplication({
      workloads: [
        { ...orders, sendsTo: ['orders-fulfilment'] },
        fulfilment,
        { kind: 'job', name: 'nightly', command: ['report'], every: { days: 1 }, timeoutMinutes: 60 },
      ],
    });
    expect(application.workloads).toHaveLength(3);
  });

  it('sizes a workload per environment: the override applies only where it is named', () => {
    expect(sizeIn(orders, 'prod')).toEqual({ cpu: 1024, memoryMiB: 2048, minTasks: 2, maxTasks: 10 });
    expect(sizeIn(orders, 'staging')).toEqual({ cpu: 512, memoryMiB: 1024, minTasks: 2, maxTasks: 4 });
  });

  it.each([
    ['an unknown kind', { workloads: [{ ...orders, kind: 'lambda' }] }, 'workloads[0].kind'],
    ['a duplicate name', { workloads: [orders, { ...fulfilment, name: 'orders-api' }] }, 'workloads[1].name'],
    [
      'the latest tag',
      withService({ image: { repository: 'orders/orders-api', tag: 'latest' } }),
      'workloads[0].image.tag',
    ],
    ['a privileged port', withService({ port: 80 }), 'workloads[0].port'],
    [
      'a path prefix with two segments',
      withService({ routing: { pathPrefix: '/a/b', priority: 1 } }),
      'workloads[0].routing.pathPrefix',
    ],
    ['a health path outside the prefix', withService({ healthPath: '/health' }), 'workloads[0].healthPath'],
    [
      'a lower-case variable name',
      withService({ environment: { 'lower-case': 'x' } }),
      'workloads[0].environment',
    ],
    [
      'a variable the platform sets',
      withService({ environment: { DB_HOST: 'evil.example.com' } }),
      'workloads[0].environment',
    ],
    [
      'a secret named as a platform variable',
      withService({ secrets: { DB_USER: 'x' } }),
      'workloads[0].secrets',
    ],
    ['a sendsTo naming no worker', withService({ sendsTo: ['nobody'] }), 'workloads[0].sendsTo[0]'],
    [
      'max tasks below min tasks',
      withService({ size: { cpu: 256, memoryMiB: 512, minTasks: 3, maxTasks: 2 } }),
      'workloads[0].size.maxTasks',
    ],
    ['an unknown setting', withService({ replicas: 3 }), 'workloads[0]'],
    ['a secret name with spaces', withService({ secrets: { API_KEY: 'my secret' } }), 'workloads[0].secrets'],
    [
      'a database role with a quote',
      withService({ databaseRole: 'orders"; DROP' }),
      'workloads[0].databaseRole',
    ],
    [
      'a job whose timeout exceeds its interval',
      {
        workloads: [
          { kind: 'job', name: 'nightly', command: ['x'], every: { minutes: 10 }, timeoutMinutes: 11 },
        ],
      },
      'workloads[0].timeoutMinutes',
    ],
    [
      'two services on one path',
      {
        workloads: [
          orders,
          { ...orders, name: 'orders-v2', routing: { pathPrefix: '/orders', priority: 11 } },
        ],
      },
      'workloads[1].routing.pathPrefix',
    ],
    [
      'two services with one rule priority',
      {
        workloads: [
          orders,
          {
            ...orders,
            name: 'billing',
            healthPath: '/billing/health',
            routing: { pathPrefix: '/billing', priority: 10 },
          },
        ],
      },
      'workloads[1].routing.priority',
    ],
    ['no workloads list', { services: [] }, 'services'],
  ] as [string, unknown, string][])('refuses %s, naming the field', (_case, candidate, field) => {
    const error = refusal(candidate);
    expect(error.field.startsWith(field)).toBe(true);
    expect(error.message).toContain('"orders"');
  });

  it('never throws anything but a ConfigError, and never changes what it checks', () => {
    fc.assert(
      fc.property(
        fc.anything(),
        fc.constantFrom('name', 'port', 'routing', 'size', 'image', 'sizes', 'secrets', 'kind'),
        (value, field) => {
          const candidate = { workloads: [{ ...orders, [field]: value }, fulfilment] };
          const before = JSON.stringify(candidate);
          try {
            validateApplication(candidate, 'orders');
          } catch (error) {
            expect(error).toBeInstanceOf(ConfigError);
          }
          expect(JSON.stringify(candidate)).toBe(before);
        },
      ),
      { numRuns: 1500, seed: 20261130 },
    );
  });
});
