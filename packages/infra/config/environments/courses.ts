import { requestsPerTargetFor } from '../capacity.js';
import { defineEnvironment } from '../schema.js';

/** Fargate CPU units of one API task; the request-scaling target follows from it. */
const TASK_CPU = 512;

/**
 * Courses: a training environment in the development account (111111111111, a
 * placeholder), in its own region, with DNS at Cloudflare. The account's CloudTrail trail
 * comes from `dev`; Config, GuardDuty and Security Hub of eu-central-1 come from here. The
 * Cloudflare zone id is a placeholder to replace.
 */
export default defineEnvironment({
  name: 'courses',
  account: '111111111111',
  region: 'eu-central-1',
  availabilityZones: ['eu-central-1a', 'eu-central-1b'],
  vpcCidr: '10.40.0.0/16',
  logRetentionDays: 90,
  alarmEmail: 'citadel-alerts-courses@example.com',
  service: {
    cpu: TASK_CPU,
    memoryMiB: 1024,
    minTasks: 1,
    maxTasks: 3,
    cpuTargetPercent: 60,
    requestsPerTarget: requestsPerTargetFor(TASK_CPU),
  },
  edge: { domainName: 'api.courses.example.org', albDeletionProtection: false, wafRateLimitPer5Min: 1000 },
  dns: {
    provider: 'cloudflare',
    zoneId: '0123456789abcdef0123456789abcdef',
    zoneName: 'courses.example.org',
    apiTokenSecretName: 'citadel/courses/cloudflare-api-token',
  },
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
  // The account's trail and its recording of global resources come from dev; this region's
  // Config, GuardDuty and Security Hub are courses' own.
  baseline: { region: { config: true, guardDuty: true, securityHub: true } },
  // dev, in the same account, creates the account's one GitHub OIDC provider; deploy dev's
  // `shared` stack first.
  github: {
    repository: 'example-org/citadel',
    oidcProviderArn: 'arn:aws:iam::111111111111:oidc-provider/token.actions.githubusercontent.com',
  },
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
        kid: 'deployment-check-courses-1',
        x: 'kXPhfcnYj8ZUxVgGQxKGP95W0sruZ7_qTKmIYBv_1uA',
        y: '3WsIu3iWGeVkRzVwRQ9MvELcyDxWa-AZJYdy8_cEdlA',
      },
      privateKeySecretName: 'citadel/courses/deployment-check-key',
    },
  },
  // Copies and evidence replicas in eu-west-1, the other region this account uses.
  recovery: { region: 'eu-west-1', copyRetentionDays: 35, vaultMinRetentionDays: 7 },
});
