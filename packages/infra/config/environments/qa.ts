import { requestsPerTargetFor } from '../capacity.js';
import { defineEnvironment } from '../schema.js';

/** Fargate CPU units of one API task; the request-scaling target follows from it. */
const TASK_CPU = 512;

/**
 * QA: production-shaped (Multi-AZ, deletion protection) at a smaller size. Account and
 * zone ids are placeholders (222222222222, Z…0002): replace them before deploying.
 */
export default defineEnvironment({
  name: 'qa',
  account: '222222222222',
  region: 'eu-west-1',
  availabilityZones: ['eu-west-1a', 'eu-west-1b'],
  vpcCidr: '10.20.0.0/16',
  logRetentionDays: 180,
  alarmEmail: 'citadel-alerts-qa@example.com',
  service: {
    cpu: TASK_CPU,
    memoryMiB: 1024,
    minTasks: 2,
    maxTasks: 4,
    cpuTargetPercent: 60,
    requestsPerTarget: requestsPerTargetFor(TASK_CPU),
  },
  edge: { domainName: 'api.qa.citadel.example.com', albDeletionProtection: true, wafRateLimitPer5Min: 2000 },
  dns: { provider: 'route53', hostedZoneId: 'Z00000000000000000002', zoneName: 'qa.citadel.example.com' },
  payments: { maxReceiveCount: 5, processorReservedConcurrency: 5 },
  database: {
    instanceClass: 't4g',
    instanceSize: 'large',
    allocatedStorageGiB: 50,
    maxAllocatedStorageGiB: 200,
    multiAz: true,
    backupRetentionDays: 14,
    deletionProtection: true,
    snapshotOnDelete: true,
    backupPlanRetentionDays: 35,
    vaultMinRetentionDays: 14,
    monitoringIntervalSeconds: 30,
    recoveryObjectives: {
      rpoMinutes: 1680,
      rtoMinutes: 240,
      measuredRestoreMinutes: 45,
      maxDaysBetweenDrills: 14,
    },
    restoreTesting: {
      everyDays: 14,
      startHourUtc: 8,
      validationWindowHours: 2,
      instanceClass: 'db.t4g.small',
    },
  },
  baseline: {
    account: { cloudTrail: true, configGlobalResources: true },
    region: { config: true, guardDuty: true, securityHub: true },
  },
  github: { repository: 'example-org/citadel' },
  features: { waf: true, containerInsights: true, ecsExec: false },
  // A release serves 20 % of traffic for 5 minutes, then all of it for 10 more, before it is final.
  deployment: {
    strategy: 'canary',
    canaryPercent: 20,
    stepMinutes: 5,
    bakeMinutes: 10,
    testPort: 9443,
    alarms: {
      error5xxPercent: 5,
      p99LatencyMs: 3000,
      unhealthyTargets: 1,
      authFailuresPerMinute: 50,
      evaluationMinutes: 2,
    },
    // Placeholder public key: replace it with the public half of the key kept in the secret.
    probe: {
      publicJwk: {
        kty: 'EC',
        crv: 'P-256',
        kid: 'deployment-check-qa-1',
        x: 'z3wsI4CZvVDw5xHMJ65I1IMOBZzrs0LxRqyeDc0lnqw',
        y: 'IoUTJu-Y81HmV0sspKUnk57e0mHQRsNOUpPEKmQhFY0',
      },
      privateKeySecretName: 'citadel/qa/deployment-check-key',
    },
  },
  // A copy of every recovery point and replicas of the audit evidence in a second region.
  recovery: { region: 'eu-central-1', copyRetentionDays: 35, vaultMinRetentionDays: 14 },
});
