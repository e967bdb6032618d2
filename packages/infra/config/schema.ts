import { Type, type Static, type TSchema } from 'typebox';

/**
 * The shape of one Citadel environment: one TypeBox schema, from which the types come
 * (`Static<>`), against which every config file is checked when the app starts, and from
 * which an editor can read the JSON Schema. Every difference between environments is data
 * in this shape; constructs never branch on the environment name.
 *
 * `problem` on a schema is the fix the error message gives when a value does not match.
 */

/** Retention periods CloudWatch Logs accepts, in days. */
export const LOG_RETENTION_DAYS_ALLOWED = [
  1, 3, 5, 7, 14, 30, 60, 90, 120, 150, 180, 365, 400, 545, 731, 1096, 1827, 2192, 2557, 2922, 3288, 3653,
] as const;

import { MIN_LOG_RETENTION_DAYS } from '../policy/workload-policy.js';

export { MIN_LOG_RETENTION_DAYS };

/**
 * An environment name: lower-case letters, digits and hyphens, starting with a letter, at
 * most 16 characters (it is part of every stack and many resource names, which AWS limits).
 */
export const ENVIRONMENT_NAME_PATTERN = '^[a-z][a-z0-9-]{0,15}$';

const integer = (minimum: number, maximum: number, description: string) =>
  Type.Integer({ minimum, maximum, description });
const text = (pattern: string, problem: string, description: string) =>
  Type.String({ pattern, problem, description });

export const ServiceSchema = Type.Object(
  {
    cpu: Type.Integer({
      enum: [256, 512, 1024, 2048, 4096],
      problem: 'expected one of 256, 512, 1024, 2048, 4096',
      description: 'Fargate task CPU units.',
    }),
    memoryMiB: integer(512, 30720, 'Fargate task memory in MiB; must be a valid pairing with `cpu`.'),
    minTasks: integer(1, 100, 'Lower autoscaling bound and the task count of the first deploy.'),
    maxTasks: integer(1, 100, 'Upper autoscaling bound.'),
    cpuTargetPercent: integer(10, 90, 'Average CPU utilisation the service scales to hold, in percent.'),
    requestsPerTarget: integer(
      1,
      1_000_000,
      'ALB requests per task per minute the service scales to hold (see config/capacity.ts).',
    ),
  },
  { additionalProperties: false, description: 'The API service on ECS Fargate: size and scaling bounds.' },
);

export const EdgeSchema = Type.Object(
  {
    domainName: text(
      '^(?=.{1,253}$)([a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?\\.)+[a-z]{2,63}$',
      'expected a lower-case fully qualified domain name',
      'Fully qualified name the API is served on; the certificate covers exactly this name.',
    ),
    albDeletionProtection: Type.Boolean({
      description: 'Keep the load balancer from being deleted by a stack update or delete.',
    }),
    wafRateLimitPer5Min: integer(
      100,
      2_000_000_000,
      'Requests one client IP may send in any 5-minute window before WAF blocks it.',
    ),
  },
  { additionalProperties: false, description: 'The HTTPS edge: load balancer, certificate and WAF.' },
);

const ZONE_NAME = text(
  '^([a-z0-9-]+\\.)+[a-z]{2,63}$',
  'expected a lower-case zone name',
  'Zone apex; `edge.domainName` must be inside it.',
);

export const Route53DnsSchema = Type.Object(
  {
    provider: Type.Literal('route53'),
    hostedZoneId: text(
      '^Z[A-Z0-9]{1,31}$',
      'expected a Route 53 hosted zone id such as Z0123456789ABC',
      'Hosted zone id; referenced by id, never looked up.',
    ),
    zoneName: ZONE_NAME,
  },
  { additionalProperties: false, description: 'DNS hosted in Route 53.' },
);

export const CloudflareDnsSchema = Type.Object(
  {
    provider: Type.Literal('cloudflare'),
    zoneId: text(
      '^[a-f0-9]{32}$',
      'expected a Cloudflare zone id (32 hexadecimal characters)',
      'Cloudflare zone id.',
    ),
    zoneName: ZONE_NAME,
    apiTokenSecretName: text(
      '^[A-Za-z0-9/_+=.@-]{1,512}$',
      'expected a Secrets Manager secret name',
      'Name of the Secrets Manager secret that holds the Cloudflare API token (never the token itself).',
    ),
  },
  {
    additionalProperties: false,
    description: "DNS hosted in Cloudflare, managed through Cloudflare's v4 API.",
  },
);

export const DnsSchema = Type.Union([Route53DnsSchema, CloudflareDnsSchema]);

export const PaymentsSchema = Type.Object(
  {
    maxReceiveCount: integer(3, 5, 'Deliveries before a message moves to the dead-letter queue.'),
    processorReservedConcurrency: integer(
      1,
      100,
      'Concurrent executions reserved for (and capping) the payment processor.',
    ),
  },
  { additionalProperties: false, description: 'The payments queue and its processor.' },
);

export const AccountControlsSchema = Type.Object(
  {
    cloudTrail: Type.Optional(
      Type.Boolean({
        description:
          'A multi-region CloudTrail trail with log file validation. At most one environment per account.',
      }),
    ),
    configGlobalResources: Type.Optional(
      Type.Boolean({
        description:
          "Record IAM and the other global resource types in this environment's AWS Config recorder; one environment per account.",
      }),
    ),
  },
  { additionalProperties: false, description: 'Detective controls that exist once per AWS account.' },
);

export const RegionalControlsSchema = Type.Object(
  {
    config: Type.Optional(
      Type.Boolean({ description: 'An AWS Config recorder of every supported resource type.' }),
    ),
    guardDuty: Type.Optional(Type.Boolean({ description: 'A GuardDuty detector.' })),
    securityHub: Type.Optional(
      Type.Boolean({
        description: 'Security Hub with its standards; needs `config` in the same environment.',
      }),
    ),
  },
  { additionalProperties: false, description: 'Detective controls that exist once per account and region.' },
);

export const BaselineSchema = Type.Object(
  {
    account: Type.Optional(AccountControlsSchema),
    region: Type.Optional(RegionalControlsSchema),
  },
  {
    additionalProperties: false,
    problem: 'expected an object, {} when the environment owns no detective control',
    description: 'Which detective controls this environment deploys in its `baseline` stack.',
  },
);

export const GithubSchema = Type.Object(
  {
    repository: text(
      '^[A-Za-z0-9_.-]+/[A-Za-z0-9_.-]+$',
      'expected owner/name',
      'Repository allowed to deploy.',
    ),
    oidcProviderArn: Type.Optional(
      text(
        '^arn:aws[a-z-]*:iam::\\d{12}:oidc-provider/token\\.actions\\.githubusercontent\\.com$',
        'expected the ARN of the token.actions.githubusercontent.com OIDC provider',
        "ARN of the account's existing GitHub OIDC provider; without it this environment creates one.",
      ),
    ),
  },
  { additionalProperties: false, description: 'Continuous delivery from GitHub Actions through OIDC.' },
);

export const RecoveryObjectivesSchema = Type.Object(
  {
    rpoMinutes: integer(
      5,
      10_080,
      'Recovery point objective: the most data, in minutes, a restore from the backup vault may lose. At least the daily plan can promise (see config/recovery.ts).',
    ),
    rtoMinutes: integer(
      15,
      10_080,
      'Recovery time objective: the longest a restore of the database may take, in minutes. A restore drill slower than this raises an alarm.',
    ),
    measuredRestoreMinutes: integer(
      1,
      10_080,
      'Duration of the latest restore drill (metric RestoreDurationMinutes, or the drill record in the restore-validation logs), in minutes; rtoMinutes must be at least this.',
    ),
    maxDaysBetweenDrills: integer(
      1,
      31,
      'Longest allowed gap between two restore drills, in days; restoreTesting.everyDays must not exceed it.',
    ),
  },
  {
    additionalProperties: false,
    description: 'How much data a restore may lose and how long it may take, and how often that is proven.',
  },
);

export const RestoreTestingSchema = Type.Object(
  {
    everyDays: integer(
      1,
      31,
      'A restore drill runs every this many days: 1 daily, 7 weekly on Sunday, otherwise on every everyDays-th day of the month.',
    ),
    startHourUtc: integer(
      0,
      23,
      'Hour (UTC) the drill starts; after the daily backup (03:30 UTC) has finished.',
    ),
    validationWindowHours: integer(
      1,
      168,
      'Hours the restored copy may exist before AWS Backup deletes it; bounds the cost of each drill.',
    ),
    instanceClass: text(
      '^db\\.[a-z][a-z0-9-]*\\.(micro|small|medium|\\d*x?large)$',
      'expected an RDS instance class such as db.t4g.medium',
      'Instance class of the restored copy: small, it only has to start and answer a few queries.',
    ),
  },
  {
    additionalProperties: false,
    description:
      'AWS Backup restore testing of the database: a scheduled restore of the latest recovery point, checked and deleted.',
  },
);

export const DatabaseSchema = Type.Object(
  {
    instanceClass: text(
      '^[a-z][a-z0-9-]*$',
      'expected an instance class such as t4g or m7g',
      'Instance class (Graviton classes with Performance Insights support).',
    ),
    instanceSize: text(
      '^(nano|micro|small|medium|\\d*x?large|metal)$',
      'expected a size such as medium or large',
      'Instance size.',
    ),
    allocatedStorageGiB: integer(20, 65_536, 'Storage allocated at creation, in GiB.'),
    maxAllocatedStorageGiB: integer(
      20,
      65_536,
      'Storage autoscaling ceiling, in GiB; at least allocatedStorageGiB.',
    ),
    multiAz: Type.Boolean({ description: 'Standby in a second AZ.' }),
    backupRetentionDays: integer(1, 35, 'Automated backup retention, in days.'),
    deletionProtection: Type.Boolean({ description: 'Refuse to delete the instance.' }),
    snapshotOnDelete: Type.Boolean({ description: 'Take a final snapshot when the instance is removed.' }),
    backupPlanRetentionDays: integer(
      7,
      36_500,
      'How long AWS Backup keeps each daily recovery point, in days.',
    ),
    vaultMinRetentionDays: integer(
      1,
      36_500,
      'Vault lock: no recovery point can be deleted sooner than this, in days (at most backupPlanRetentionDays).',
    ),
    monitoringIntervalSeconds: Type.Integer({
      enum: [1, 5, 10, 15, 30, 60],
      problem: 'expected one of 1, 5, 10, 15, 30, 60',
      description: 'Enhanced monitoring granularity, in seconds.',
    }),
    recoveryObjectives: RecoveryObjectivesSchema,
    restoreTesting: RestoreTestingSchema,
  },
  { additionalProperties: false, description: 'RDS for PostgreSQL.' },
);

export const RecoverySchema = Type.Object(
  {
    region: text(
      '^[a-z]{2}(-gov)?-[a-z]+-\\d$',
      'expected a region such as eu-central-1, other than the primary region',
      'Region that holds the copies of the database recovery points and the replicas of the audit evidence.',
    ),
    vaultLockMode: Type.Optional(
      Type.Union([Type.Literal('governance'), Type.Literal('compliance')], {
        problem: 'expected "governance" or "compliance"',
        description:
          'Lock of the recovery vault and the Object Lock of the evidence replicas. `compliance` cannot be lifted by anyone, the root user included, once its 3-day grace period has passed. @default governance',
      }),
    ),
    copyRetentionDays: integer(
      7,
      36_500,
      'How long each copied recovery point is kept in the recovery vault, in days (at least vaultMinRetentionDays).',
    ),
    vaultMinRetentionDays: integer(
      1,
      36_500,
      'Lock of the recovery vault: no copied recovery point can be deleted sooner than this, in days.',
    ),
  },
  {
    additionalProperties: false,
    description:
      'Disaster recovery in a second region of the same account: a locked backup vault that receives a copy of every database recovery point, and replicas of the audit-evidence buckets.',
  },
);

export const FeaturesSchema = Type.Object(
  {
    waf: Type.Boolean({ description: 'WAF web ACL on the load balancer.' }),
    containerInsights: Type.Boolean({ description: 'ECS Container Insights on the cluster.' }),
    ecsExec: Type.Boolean({
      description: 'Allow `ecs execute-command` into running tasks (keep off outside dev).',
    }),
  },
  { additionalProperties: false, description: 'Switches for optional features.' },
);

/** The ways ECS can replace a public service's tasks with a new revision. */
export const RELEASE_STRATEGIES = ['rolling', 'blue-green', 'canary', 'linear'] as const;

/** ECS's own bounds on a progressive deployment (bakeTimeInMinutes, canary/linear step bake time). */
export const ECS_MAX_BAKE_MINUTES = 1440;

export const ReleaseAlarmsSchema = Type.Object(
  {
    error5xxPercent: integer(
      1,
      100,
      'Share of requests a revision answers with 5xx, per minute, above which the release rolls back.',
    ),
    p99LatencyMs: integer(
      10,
      60_000,
      'p99 target response time, in milliseconds, above which it rolls back.',
    ),
    unhealthyTargets: integer(1, 100, 'Unhealthy targets in a target group at which it rolls back.'),
    authFailuresPerMinute: integer(
      1,
      1_000_000,
      'API `auth_failed` events per minute above which it rolls back (a release that rejects every token).',
    ),
    evaluationMinutes: integer(
      1,
      10,
      'Consecutive one-minute periods a threshold must be crossed before an alarm fires.',
    ),
  },
  { additionalProperties: false, description: 'Deployment alarms: any one in ALARM rolls the release back.' },
);

export const ProbeSchema = Type.Object(
  {
    publicJwk: Type.Object(
      {
        kty: Type.Literal('EC'),
        crv: Type.Literal('P-256'),
        kid: text(
          '^[A-Za-z0-9._-]{1,64}$',
          'expected a key id of letters, digits, ".", "_" or "-"',
          'Key id.',
        ),
        x: text('^[A-Za-z0-9_-]{43}$', 'expected a base64url P-256 coordinate (43 characters)', 'x.'),
        y: text('^[A-Za-z0-9_-]{43}$', 'expected a base64url P-256 coordinate (43 characters)', 'y.'),
        alg: Type.Optional(Type.Literal('ES256')),
        use: Type.Optional(Type.Literal('sig')),
      },
      {
        additionalProperties: false,
        problem: 'expected a public P-256 JWK {kty:"EC",crv:"P-256",kid,x,y}; never the private key ("d")',
        description: "Public key the API accepts the pre-traffic check's tokens with (AUTH_PROBE_JWKS).",
      },
    ),
    privateKeySecretName: text(
      '^[A-Za-z0-9/_+=.@-]{1,512}$',
      'expected a Secrets Manager secret name',
      "Secrets Manager secret holding the check's private JWK as JSON (never the key itself).",
    ),
  },
  {
    additionalProperties: false,
    description: 'The pre-traffic check: it signs a token the new revision must accept.',
  },
);

export const DeploymentSchema = Type.Object(
  {
    strategy: Type.Union(
      [Type.Literal('rolling'), Type.Literal('blue-green'), Type.Literal('canary'), Type.Literal('linear')],
      {
        problem: `expected one of ${RELEASE_STRATEGIES.join(', ')}`,
        description: 'How a release replaces the tasks of every public service.',
      },
    ),
    canaryPercent: Type.Optional(
      Type.Number({
        problem: 'expected a number of percent from 0.1 to 99.9, for example 10',
        description: 'canary: share of production traffic the new revision gets first (0.1–99.9).',
      }),
    ),
    stepPercent: Type.Optional(
      Type.Number({
        problem: 'expected a number of percent from 3 to 99.9, for example 10',
        description: 'linear: share of production traffic moved per step (3–99.9).',
      }),
    ),
    stepMinutes: Type.Optional(
      integer(1, ECS_MAX_BAKE_MINUTES, 'canary/linear: minutes each share is held before the next.'),
    ),
    bakeMinutes: Type.Optional(
      integer(
        0,
        ECS_MAX_BAKE_MINUTES,
        'blue-green/canary/linear: minutes both revisions stay after all traffic moved; a rollback is instant.',
      ),
    ),
    testPort: Type.Optional(
      integer(1024, 65_535, 'blue-green/canary/linear: load balancer port of the test listener.'),
    ),
    alarms: ReleaseAlarmsSchema,
    probe: Type.Optional(ProbeSchema),
  },
  {
    additionalProperties: false,
    description: 'How releases of the public services reach users and how a bad one is rolled back.',
  },
);

export const ChangeRecordsSchema = Type.Object(
  {
    objectLockMode: Type.Union([Type.Literal('COMPLIANCE'), Type.Literal('GOVERNANCE')], {
      problem: 'expected "COMPLIANCE" (no one can delete a record before it expires) or "GOVERNANCE"',
      description:
        'S3 Object Lock mode of the change-record bucket: COMPLIANCE for production (not even the account root can shorten it), GOVERNANCE elsewhere.',
    }),
    retentionDays: integer(
      1,
      3653,
      'Days each change record is locked: at least logRetentionDays, and at least 365 in COMPLIANCE mode.',
    ),
  },
  {
    additionalProperties: false,
    description:
      'How deploy change records are kept. @default - GOVERNANCE mode for max(logRetentionDays, 365) days',
  },
);

export const EnvironmentSchema = Type.Object(
  {
    name: text(
      ENVIRONMENT_NAME_PATTERN,
      'expected lower-case letters, digits and hyphens, starting with a letter, at most 16 characters',
      'Environment name; also the CDK stage id and part of every stack name. Must match the file name.',
    ),
    account: text('^\\d{12}$', 'expected a 12-digit AWS account id', 'AWS account id.'),
    region: text('^[a-z]{2}(-gov)?-[a-z]+-\\d$', 'expected a region such as eu-west-1', 'AWS region.'),
    availabilityZones: Type.Array(Type.String(), {
      minItems: 2,
      maxItems: 3,
      problem: 'expected 2 or 3 availability zones',
      description: 'Availability zones to use, in this region; explicit so synth never looks them up.',
    }),
    vpcCidr: Type.String({
      problem: 'expected an IPv4 CIDR block such as 10.20.0.0/16',
      description: 'VPC IPv4 range, a private (RFC 1918) block from /16 to /18.',
    }),
    logRetentionDays: integer(
      MIN_LOG_RETENTION_DAYS,
      3653,
      'Retention of every log group and of flow-log objects, in days (a CloudWatch value, at least 90).',
    ),
    alarmEmail: text(
      '^[^\\s@]+@[^\\s@]+\\.[^\\s@]+$',
      'expected an email address',
      'Address that receives alarms.',
    ),
    service: ServiceSchema,
    edge: EdgeSchema,
    dns: DnsSchema,
    payments: PaymentsSchema,
    database: DatabaseSchema,
    baseline: BaselineSchema,
    github: GithubSchema,
    features: FeaturesSchema,
    deployment: Type.Optional(DeploymentSchema),
    recovery: Type.Optional(RecoverySchema),
    changeRecords: Type.Optional(ChangeRecordsSchema),
  },
  { additionalProperties: false, $id: 'CitadelEnvironment', description: 'One Citadel environment.' },
);

export type EnvironmentConfig = Static<typeof EnvironmentSchema>;
export type EnvironmentName = EnvironmentConfig['name'];
export type ServiceConfig = Static<typeof ServiceSchema>;
export type EdgeConfig = Static<typeof EdgeSchema>;
export type Route53DnsConfig = Static<typeof Route53DnsSchema>;
export type CloudflareDnsConfig = Static<typeof CloudflareDnsSchema>;
export type DnsConfig = Static<typeof DnsSchema>;
export type PaymentsConfig = Static<typeof PaymentsSchema>;
export type AccountControlsConfig = Static<typeof AccountControlsSchema>;
export type RegionalControlsConfig = Static<typeof RegionalControlsSchema>;
export type BaselineConfig = Static<typeof BaselineSchema>;
export type GithubConfig = Static<typeof GithubSchema>;
export type DatabaseConfig = Static<typeof DatabaseSchema>;
export type RecoveryObjectivesConfig = Static<typeof RecoveryObjectivesSchema>;
export type RestoreTestingConfig = Static<typeof RestoreTestingSchema>;
export type FeatureSwitches = Static<typeof FeaturesSchema>;
export type DeploymentConfig = Static<typeof DeploymentSchema>;
export type ReleaseStrategyName = (typeof RELEASE_STRATEGIES)[number];

/**
 * The release settings of an environment that names none: a rolling update that the ECS
 * circuit breaker and the deployment alarms roll back.
 */
export const DEFAULT_DEPLOYMENT: DeploymentConfig = {
  strategy: 'rolling',
  alarms: {
    error5xxPercent: 5,
    p99LatencyMs: 3000,
    unhealthyTargets: 1,
    authFailuresPerMinute: 50,
    evaluationMinutes: 2,
  },
};

/** The environment's release settings, or the rolling default. */
export function deploymentOf(config: Pick<EnvironmentConfig, 'deployment'>): DeploymentConfig {
  return config.deployment ?? DEFAULT_DEPLOYMENT;
}
export type RecoveryConfig = Static<typeof RecoverySchema>;
export type ChangeRecordsConfig = Static<typeof ChangeRecordsSchema>;

/** Identity with a type: `export default defineEnvironment({ … })` gives a config file completion and checking. */
export function defineEnvironment<const T extends EnvironmentConfig>(config: T): T {
  return config;
}

/** True when the environment owns at least one detective control, so it has a `baseline` stack. */
export function ownsBaselineControls(baseline: BaselineConfig): boolean {
  const { account = {}, region = {} } = baseline;
  return Boolean(account.cloudTrail || region.config || region.guardDuty || region.securityHub);
}

/** The fix a schema gives for a value that does not match it, when it names one. */
export function problemOf(schema: TSchema): string | undefined {
  const problem = (schema as { problem?: unknown }).problem;
  return typeof problem === 'string' ? problem : undefined;
}
