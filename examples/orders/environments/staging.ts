import { defineEnvironment } from '@citadel/infra/environments';

/**
 * Staging of the orders team: its own AWS account (444444444444, a placeholder) in
 * eu-west-1, DNS in Route 53 (the zone id is a placeholder too). Being alone in its
 * account, it owns the account's trail and the region's detective controls.
 */
export default defineEnvironment({
  name: 'staging',
  account: '444444444444',
  region: 'eu-west-1',
  availabilityZones: ['eu-west-1a', 'eu-west-1b'],
  vpcCidr: '10.50.0.0/16',
  logRetentionDays: 180,
  alarmEmail: 'orders-alerts-staging@example.com',
  service: {
    cpu: 512,
    memoryMiB: 1024,
    minTasks: 1,
    maxTasks: 2,
    cpuTargetPercent: 60,
    requestsPerTarget: 500,
  },
  edge: {
    domainName: 'api.staging.orders.example.com',
    albDeletionProtection: true,
    wafRateLimitPer5Min: 2000,
  },
  dns: { provider: 'route53', hostedZoneId: 'Z00000000000000000044', zoneName: 'staging.orders.example.com' },
  payments: { maxReceiveCount: 5, processorReservedConcurrency: 2 },
  database: {
    instanceClass: 't4g',
    instanceSize: 'medium',
    allocatedStorageGiB: 20,
    maxAllocatedStorageGiB: 100,
    multiAz: true,
    backupRetentionDays: 14,
    deletionProtection: true,
    snapshotOnDelete: true,
    backupPlanRetentionDays: 35,
    vaultMinRetentionDays: 14,
    monitoringIntervalSeconds: 60,
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
  github: { repository: 'example-org/orders-platform' },
  features: { waf: true, containerInsights: true, ecsExec: false },
});
