import { fileURLToPath } from 'node:url';
import {
  CITADEL_APPLICATION,
  validateApplication,
  type ApplicationDeclaration,
} from '@citadel/infra/workloads';

/**
 * The orders team's application: Citadel's own API, payment processor and maintenance
 * jobs, plus the team's four workloads, each inheriting the guardrails of its kind.
 *
 * - `orders-api`: the public HTTP API, served at shop.<the environment's DNS zone> under
 *   /orders on the environment's HTTPS load balancer, signing in to the database as
 *   `orders_api`, handing each accepted order to the fulfilment worker and to the
 *   receipts function.
 * - `orders-fulfilment`: consumes its own queue (with a dead-letter queue) and signs in
 *   as `orders_worker`.
 * - `orders-nightly-report`: a daily job from the same image, signing in as
 *   `orders_reports`.
 * - `orders-receipts`: the team's own Lambda function (the built handler in
 *   functions/orders-receipts), fed by its own queue and invoked directly by the
 *   fulfilment worker, signing in as `orders_receipts`.
 */

/** The team's image, in the ECR repository `orders/orders-api` of each environment's account and region. */
const ORDERS_IMAGE = { repository: 'orders/orders-api', tag: '2026.11.3' } as const;

export const ORDERS_APPLICATION: ApplicationDeclaration = validateApplication(
  {
    workloads: [
      ...CITADEL_APPLICATION.workloads,
      {
        kind: 'service',
        name: 'orders-api',
        image: ORDERS_IMAGE,
        port: 8080,
        healthPath: '/orders/health',
        // shop.staging.orders.example.com in staging, shop.orders.example.com in prod.
        routing: { host: 'shop', pathPrefix: '/orders', priority: 100 },
        size: { cpu: 256, memoryMiB: 512, minTasks: 1, maxTasks: 2 },
        sizes: { prod: { cpu: 1024, memoryMiB: 2048, minTasks: 3, maxTasks: 10, cpuTargetPercent: 50 } },
        environment: { LOG_LEVEL: 'info', ORDERS_CURRENCY: 'EUR' },
        secrets: { WEBHOOK_SIGNING_SECRET: 'orders/webhook-signing-secret' },
        databaseRole: 'orders_api',
        sendsTo: ['orders-fulfilment', 'orders-receipts'],
      },
      {
        kind: 'worker',
        name: 'orders-fulfilment',
        image: ORDERS_IMAGE,
        command: ['/app/worker.mjs'],
        queue: { maxReceiveCount: 5, visibilityTimeoutSeconds: 120, messagesPerTask: 50 },
        size: { cpu: 256, memoryMiB: 512, minTasks: 1, maxTasks: 4 },
        sizes: { prod: { minTasks: 2, maxTasks: 20 } },
        databaseRole: 'orders_worker',
      },
      {
        kind: 'job',
        name: 'orders-nightly-report',
        image: ORDERS_IMAGE,
        command: ['/app/jobs.mjs', 'nightly-report'],
        every: { days: 1 },
        timeoutMinutes: 60,
        size: { cpu: 512, memoryMiB: 1024 },
        databaseRole: 'orders_reports',
      },
      {
        kind: 'function',
        name: 'orders-receipts',
        code: {
          directory: fileURLToPath(new URL('./functions/orders-receipts/', import.meta.url)),
          handler: 'index.handler',
        },
        timeoutSeconds: 30,
        reservedConcurrency: 2,
        queue: { maxReceiveCount: 3, batchSize: 10 },
        calledBy: ['orders-fulfilment'],
        environment: { RECEIPT_SENDER: 'receipts@example.com' },
        databaseRole: 'orders_receipts',
      },
    ],
  },
  'orders',
);

export default ORDERS_APPLICATION;
