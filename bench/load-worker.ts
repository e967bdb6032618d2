import { randomUUID } from 'node:crypto';
import autocannon, { type Request } from 'autocannon';
import { paymentBody } from './support/seed.js';
import type { LoadResult, LoadSpec } from './support/load.js';

/**
 * Load generator, run in its own process so that its CPU is not the server's: reads a
 * LoadSpec (JSON) from argv, drives autocannon, and prints one LoadResult (JSON) line.
 */
const spec = JSON.parse(process.argv[2] ?? '') as LoadSpec;
const auth: Record<string, string> = spec.token ? { authorization: `Bearer ${spec.token}` } : {};

const readPayment: Request = { method: 'GET', path: `/v1/payments/${spec.paymentId}`, headers: auth };
const createPayment: Request = {
  method: 'POST',
  path: '/v1/payments',
  headers: { ...auth, 'content-type': 'application/json' },
  body: paymentBody(spec.patientId ?? ''),
  setupRequest: (request) => ({
    ...request,
    headers: { ...request.headers, 'idempotency-key': randomUUID() },
  }),
};
const health: Request = { method: 'GET', path: '/health' };

const requests: Record<LoadSpec['scenario'], Request[]> = {
  health: [health],
  'read-payment': [readPayment],
  'create-payment': [createPayment],
  mixed: [readPayment, createPayment, readPayment, health],
};

const cpuBefore = process.cpuUsage();
const result = await autocannon({
  url: spec.url,
  connections: spec.connections,
  duration: spec.durationSeconds,
  timeout: spec.timeoutSeconds ?? 10,
  requests: requests[spec.scenario],
});

const codes = Object.fromEntries(
  Object.entries(result.statusCodeStats ?? {}).map(([code, stats]) => [
    code,
    (stats as { count: number }).count,
  ]),
);
const output: LoadResult = {
  scenario: spec.scenario,
  connections: spec.connections,
  durationSeconds: result.duration,
  requests: result.requests.total,
  requestsPerSecond: result.requests.average,
  latencyMs: {
    p50: result.latency.p50,
    p90: result.latency.p90,
    p99: result.latency.p99,
    max: result.latency.max,
  },
  statusCodes: codes,
  non2xx: result.non2xx,
  errors: result.errors,
  timeouts: result.timeouts,
  generatorCpuMs: cpuMs(process.cpuUsage(cpuBefore)),
};
process.stdout.write(`${JSON.stringify(output)}\n`);

function cpuMs(usage: NodeJS.CpuUsage): number {
  return Math.round((usage.user + usage.system) / 1000);
}
