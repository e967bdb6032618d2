import { defineEnvironment } from '@citadel/infra/environments';

/**
 * Production of the orders team: its own AWS account (555555555555, a placeholder) in
 * eu-west-1, three zones, a larger Multi-AZ database, logs kept a year; DNS in Route 53
 * (the zone id is a placeholder too). The application's `sizes.prod` entries apply here.
 * Alone in its account, it owns the account's trail and the region's detective controls.
 */
export default defineEnvironment({
  name: 'prod',
  account: '555555555555',
  region: 'eu-west-1',
  availabilityZones: ['eu-west-1a', 'eu-west-1b', 'eu-west-1c'],
  vpcCidr: '10.60.0.0/16',
  logRetentionDays: 365,
  alarmEmail: 'orders-alerts-prod@example.com',
  service: {
    cpu: 1024,
    memoryMiB: 2048,
    minTasks: 3,
    maxTasks: 12,
    cpuTargetPercent: 60,
    requestsPerTarget: 500,
  },
  edge: {
    domainName: 'api.orders.example.com',
    albDeletionProtection: true,
    wafRateLimitPer5Min: 5000,
  },
  dns: { provider: 'route53', hostedZoneId: 'Z00000000000000000055', zoneName: 'orders.example.com' },
  payments: { maxReceiveCount: 5, processorReservedConcurrency: 10 },
  database: {
    instanceClass: 'm7g',
    instanceSize: 'large',
    allocatedStorageGiB: 100,
    maxAllocatedStorageGiB: 500,
    multiAz: true,
    backupRetentionDays: 35,
    deletionProtection: true,
    snapshotOnDelete: true,
    backupPlanRetentionDays: 35,
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
  github: { repository: 'example-org/orders-platform' },
  features: { waf: true, containerInsights: true, ecsExec: false },
});
