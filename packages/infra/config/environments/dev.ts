import { requestsPerTargetFor } from '../capacity.js';
import { defineEnvironment } from '../schema.js';

/** Fargate CPU units of one API task; the request-scaling target follows from it. */
const TASK_CPU = 512;

/**
 * Development: smallest footprint, data disposable. Account and zone ids are
 * placeholders (111111111111, Z…0001): replace them with your own before deploying.
 */
export default defineEnvironment({
  name: 'dev',
  account: '111111111111',
  region: 'eu-west-1',
  availabilityZones: ['eu-west-1a', 'eu-west-1b'],
  vpcCidr: '10.10.0.0/16',
  logRetentionDays: 90,
  alarmEmail: 'citadel-alerts-dev@example.com',
  service: {
    cpu: TASK_CPU,
    memoryMiB: 1024,
    minTasks: 1,
    maxTasks: 2,
    cpuTargetPercent: 60,
    requestsPerTarget: requestsPerTargetFor(TASK_CPU),
  },
  edge: {
    domainName: 'api.dev.citadel.example.com',
    albDeletionProtection: false,
    wafRateLimitPer5Min: 2000,
  },
  dns: { provider: 'route53', hostedZoneId: 'Z00000000000000000001', zoneName: 'dev.citadel.example.com' },
  payments: { maxReceiveCount: 3, processorReservedConcurrency: 2 },
  database: {
    instanceClass: 't4g',
    instanceSize: 'medium',
    allocatedStorageGiB: 20,
    maxAllocatedStorageGiB: 50,
    multiAz: false,
    backupRetentionDays: 7,
    deletionProtection: false,
    snapshotOnDelete: false,
    backupPlanRetentionDays: 35,
    vaultMinRetentionDays: 7,
    monitoringIntervalSeconds: 60,
    recoveryObjectives: {
      rpoMinutes: 1680,
      rtoMinutes: 480,
      measuredRestoreMinutes: 30,
      maxDaysBetweenDrills: 31,
    },
    restoreTesting: {
      everyDays: 30,
      startHourUtc: 8,
      validationWindowHours: 1,
      instanceClass: 'db.t4g.micro',
    },
  },
  baseline: {
    account: { cloudTrail: true, configGlobalResources: true },
    region: { config: true, guardDuty: true, securityHub: true },
  },
  github: { repository: 'example-org/citadel' },
  features: { waf: true, containerInsights: true, ecsExec: false },
  // A release gets all traffic at once, only after the pre-traffic check passed through the test
  // port; an alarm or a failed check puts the previous revision back.
  deployment: {
    strategy: 'blue-green',
    bakeMinutes: 0,
    testPort: 9443,
    alarms: {
      error5xxPercent: 10,
      p99LatencyMs: 5000,
      unhealthyTargets: 1,
      authFailuresPerMinute: 100,
      evaluationMinutes: 2,
    },
    // Placeholder public key: replace it with the public half of the key kept in the secret.
    probe: {
      publicJwk: {
        kty: 'EC',
        crv: 'P-256',
        kid: 'deployment-check-dev-1',
        x: '392BvNsaosnEWGjC2O_pp_wv3tqX4ytnJPgd9h0gW4Y',
        y: 'wO3yO92NooWqDoQ_K2UIA6YceDIxUBGjoWlZxrLAFzU',
      },
      privateKeySecretName: 'citadel/dev/deployment-check-key',
    },
  },
});
