/**
 * How many requests one API task serves, and the scaling target derived from it.
 *
 * ALB request-count target tracking (`ALBRequestCountPerTarget`) holds the average number
 * of requests each task receives per minute at the target value: the figure below is
 * requests per target per minute, not per second. docs/performance.md shows the
 * measurement and the derivation.
 */

/**
 * What the API sustains held to one core (a 1-vCPU task, 1,024 CPU units) with p99 under
 * 100 ms, as `npm run bench` measured it. Of the routes measured, the lowest figure is used
 * (`POST /v1/payments`, six database statements and a queue send): the request-count metric
 * cannot tell routes apart, so the target must hold when every request is the dearest one.
 * On a 2-core machine the rest of the benchmark (PostgreSQL, load generator) fills the other
 * core before the API fills its own, so the figure is a lower bound of the API's capacity.
 */
export const API_ONE_CORE_CAPACITY = {
  /** The bench results file that holds the measurement (`oneCore` in it). */
  results: 'bench/results/bench-2026-11-30T18-58-08Z.json',
  scenario: 'create-payment',
  requestsPerSecond: 531,
  p99LimitMs: 100,
} as const;

/**
 * Share of the measured capacity a task is scaled to hold. The other half absorbs what
 * the measurement does not: the 1–3 minutes between a rise in traffic and a new task
 * passing its health checks, per-minute averaging that hides bursts, TLS and IAM
 * authentication to RDS and a real network to SQS, and a different CPU than the one measured.
 */
export const REQUEST_SCALING_HEADROOM = 0.5;

/** Fargate CPU units of one vCPU. */
const CPU_UNITS_PER_VCPU = 1024;

/**
 * The `requestsPerTarget` (requests per task per minute) for a task of `cpuUnits`:
 * measured requests/s × vCPUs × 60 × headroom, rounded down. Below one vCPU a task gets
 * that share of one core's time, so the figure scales with it; above one vCPU it does not
 * grow, because one Node.js process runs its JavaScript on one core.
 */
export function requestsPerTargetFor(cpuUnits: number): number {
  const cores = Math.min(cpuUnits / CPU_UNITS_PER_VCPU, 1);
  return Math.floor(API_ONE_CORE_CAPACITY.requestsPerSecond * cores * 60 * REQUEST_SCALING_HEADROOM);
}
