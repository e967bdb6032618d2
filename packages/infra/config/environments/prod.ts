import { requestsPerTargetFor } from '../capacity.js';
import { defineEnvironment } from '../schema.js';

/** Fargate CPU units of one API task; the request-scaling target follows from it. */
const TASK_CPU = 1024;

/**
 * Production: three AZs, Multi-AZ database, 35-day backups, one year of logs. Account
 * and zone ids are placeholders (333333333333, Z…0003): replace them before deploying.
 */
export default defineEnvironment({
  name: 'prod',
  account: '333333333333',
  region: 'eu-west-1',
  availabilityZones: ['eu-west-1a', 'eu-west-1b', 'eu-west-1c'],
  vpcCidr: '10.30.0.0/16',
  logRetentionDays: 365,
  alarmEmail: 'citadel-alerts-prod@example.com',
  service: {
    cpu: TASK_CPU,
    memoryMiB: 2048,
    minTasks: 3,
    maxTasks: 12,
    cpuTargetPercent: 50,
    requestsPerTarget: requestsPerTargetFor(TASK_CPU),
  },
  edge: { domainName: 'api.citadel.example.com', albDeletionProtection: true, wafRateLimitPer5Min: 5000 },
  dns: { provider: 'route53', hostedZoneId: 'Z00000000000000000003', zoneName: 'citadel.example.com' },
  payments: { maxReceiveCount: 5, processorReservedConcurrency: 20 },
  database: {
    instanceClass: 'm7g',
    instanceSize: 'large',
    allocatedStorageGiB: 100,
    maxAllocatedStorageGiB: 1000,
    multiAz: true,
    backupRetentionDays: 35,
    deletionProtection: true,
    snapshotOnDelete: true,
    backupPlanRetentionDays: 365,
    vaultMinRetentionDays: 35,
    monitoringIntervalSeconds: 15,
    recoveryObjectives: {
      rpoMinutes: 1680,
      rtoMinutes: 240,
      measuredRestoreMinutes: 60,
      maxDaysBetweenDrills: 7,
    },
    restoreTesting: {
      everyDays: 7,
      startHourUtc: 8,
      validationWindowHours: 4,
      instanceClass: 'db.t4g.medium',
    },
  },
  baseline: {
    account: { cloudTrail: true, configGlobalResources: true },
    region: { config: true, guardDuty: true, securityHub: true },
  },
  github: { repository: 'example-org/citadel' },
  features: { waf: true, containerInsights: true, ecsExec: false },
  // A release serves 10 % of traffic for 5 minutes, then all of it for 15 more, before it is final.
  deployment: {
    strategy: 'canary',
    canaryPercent: 10,
    stepMinutes: 5,
    bakeMinutes: 15,
    testPort: 9443,
    alarms: {
      error5xxPercent: 2,
      p99LatencyMs: 2000,
      unhealthyTargets: 1,
      authFailuresPerMinute: 50,
      evaluationMinutes: 2,
    },
    // Placeholder public key: replace it with the public half of the key kept in the secret.
    probe: {
      publicJwk: {
        kty: 'EC',
        crv: 'P-256',
        kid: 'deployment-check-prod-1',
        x: 'wF8s8tSxVaH5Y--jtaWj6KB-IHAS8Aw0iXg2ywtXfdI',
        y: 'I8Ttr7ctStoN1mhI4SmafcZYUHZzx6ugUFyZvPo0rqI',
      },
      privateKeySecretName: 'citadel/prod/deployment-check-key',
    },
  },
  // A copy of every recovery point and replicas of the audit evidence in a second region,
  // locked in compliance mode: after the 3-day grace period no one can shorten or delete them.
  recovery: {
    region: 'eu-central-1',
    vaultLockMode: 'compliance',
    copyRetentionDays: 365,
    vaultMinRetentionDays: 35,
  },
  changeRecords: { objectLockMode: 'COMPLIANCE', retentionDays: 365 },
});
