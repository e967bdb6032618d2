import type { ApiServiceSizing } from '../lib/constructs/api-service.js';

/**
 * The shape of one Citadel environment and the rules a config file must satisfy.
 *
 * Every difference between environments is data in this shape; constructs never
 * branch on the environment name. `validateEnvironmentConfig` runs when the app
 * starts, so a bad value stops synth before any construct is created.
 */

export const ENVIRONMENT_NAMES = ['dev', 'qa', 'prod', 'courses'] as const;
export type EnvironmentName = (typeof ENVIRONMENT_NAMES)[number];

/** Retention periods CloudWatch Logs accepts, in days. */
export const LOG_RETENTION_DAYS_ALLOWED = [
  1, 3, 5, 7, 14, 30, 60, 90, 120, 150, 180, 365, 400, 545, 731, 1096, 1827, 2192, 2557, 2922, 3288, 3653,
] as const;

/** Audit logs (HIPAA, PCI DSS 10.7) are kept at least this long. */
export const MIN_LOG_RETENTION_DAYS = 90;

/** The API service on ECS Fargate: size and scaling bounds. */
export type ServiceConfig = ApiServiceSizing;

/** The HTTPS edge: load balancer, certificate and WAF. */
export interface EdgeConfig {
  /** Fully qualified name the API is served on; the certificate covers exactly this name. */
  readonly domainName: string;
  /** Keep the load balancer from being deleted by a stack update or delete. */
  readonly albDeletionProtection: boolean;
  /** Requests one client IP may send in any 5-minute window before WAF blocks it (100–2,000,000,000). */
  readonly wafRateLimitPer5Min: number;
}

/** DNS hosted in Route 53. Referenced by id and name: synth never looks the zone up. */
export interface Route53DnsConfig {
  readonly provider: 'route53';
  /** Hosted zone id, for example `Z0123456789ABCDEFGHIJ`. */
  readonly hostedZoneId: string;
  /** Zone apex; `edge.domainName` must be inside it. */
  readonly zoneName: string;
}

/** DNS hosted in Cloudflare, managed by a custom resource through Cloudflare's v4 API. */
export interface CloudflareDnsConfig {
  readonly provider: 'cloudflare';
  /** Cloudflare zone id (32 hexadecimal characters). */
  readonly zoneId: string;
  /** Zone apex; `edge.domainName` must be inside it. */
  readonly zoneName: string;
  /** Name of the Secrets Manager secret that holds the Cloudflare API token (never the token itself). */
  readonly apiTokenSecretName: string;
}

export type DnsConfig = Route53DnsConfig | CloudflareDnsConfig;

/** The payments queue and its processor. */
export interface PaymentsConfig {
  /** Deliveries before a message moves to the dead-letter queue (3–5). */
  readonly maxReceiveCount: number;
  /** Concurrent executions reserved for (and capping) the payment processor (1–100). */
  readonly processorReservedConcurrency: number;
}

/**
 * Detective controls that exist once per AWS account. One environment of the account owns
 * each of them; the others leave it off.
 */
export interface AccountControlsConfig {
  /**
   * A multi-region CloudTrail trail with log file validation, into a KMS-encrypted,
   * versioned, TLS-only bucket and a log group. At most one environment per account.
   * @default false
   */
  readonly cloudTrail?: boolean;
  /**
   * Record IAM and the other global resource types in this environment's AWS Config
   * recorder (so in its region only). Exactly one environment per account that runs
   * Config; needs `baseline.region.config` in the same environment.
   * @default false
   */
  readonly configGlobalResources?: boolean;
}

/**
 * Detective controls that exist once per account AND region. Every (account, region)
 * used by any environment needs exactly one environment owning each of them.
 */
export interface RegionalControlsConfig {
  /**
   * An AWS Config recorder of every supported resource type, delivering to an encrypted,
   * versioned, TLS-only bucket. Security Hub's controls evaluate what it records.
   * @default false
   */
  readonly config?: boolean;
  /** A GuardDuty detector. @default false */
  readonly guardDuty?: boolean;
  /**
   * Security Hub with the AWS Foundational Security Best Practices and PCI DSS standards;
   * needs `config` in the same environment.
   * @default false
   */
  readonly securityHub?: boolean;
}

/**
 * Which detective controls this environment deploys in its `baseline` stack. An
 * environment that owns none has no baseline stack.
 */
export interface BaselineConfig {
  /** Controls owned for the whole account. @default - none */
  readonly account?: AccountControlsConfig;
  /** Controls owned for this environment's account and region. @default - none */
  readonly region?: RegionalControlsConfig;
}

/** True when the environment owns at least one detective control, so it has a `baseline` stack. */
export function ownsBaselineControls(baseline: BaselineConfig): boolean {
  const { account = {}, region = {} } = baseline;
  return Boolean(account.cloudTrail || region.config || region.guardDuty || region.securityHub);
}

/** Continuous delivery from GitHub Actions through OIDC. */
export interface GithubConfig {
  /** Repository allowed to deploy, as `owner/name`. */
  readonly repository: string;
  /**
   * ARN of the account's existing GitHub OIDC provider (one per account).
   * @default - a provider is created in this environment's `shared` stack
   */
  readonly oidcProviderArn?: string;
}

/** RDS for PostgreSQL. */
export interface DatabaseConfig {
  /** Instance class, for example `t4g`, `m7g`, `r7g` (Graviton classes with Performance Insights support). */
  readonly instanceClass: string;
  /** Instance size, for example `medium`, `large`, `xlarge`. */
  readonly instanceSize: string;
  /** Storage allocated at creation, in GiB (20–65,536). */
  readonly allocatedStorageGiB: number;
  /** Storage autoscaling ceiling, in GiB; at least `allocatedStorageGiB`. */
  readonly maxAllocatedStorageGiB: number;
  /** Standby in a second AZ. Turning it off is acknowledged against the rule packs. */
  readonly multiAz: boolean;
  /** Automated backup retention, in days (1–35). */
  readonly backupRetentionDays: number;
  /** Refuse to delete the instance through the API or CloudFormation. */
  readonly deletionProtection: boolean;
  /** Take a final snapshot when the instance is removed from the stack (otherwise it is deleted). */
  readonly snapshotOnDelete: boolean;
  /** How long AWS Backup keeps each daily recovery point, in days. */
  readonly backupPlanRetentionDays: number;
  /** Vault lock: no recovery point can be deleted sooner than this, in days (1 – `backupPlanRetentionDays`). */
  readonly vaultMinRetentionDays: number;
  /** Enhanced monitoring granularity, in seconds (1, 5, 10, 15, 30 or 60). */
  readonly monitoringIntervalSeconds: number;
}

/** Switches for optional features. The secure choice is the default in every shipped config. */
export interface FeatureSwitches {
  /** WAF web ACL on the load balancer. */
  readonly waf: boolean;
  /** ECS Container Insights on the cluster. */
  readonly containerInsights: boolean;
  /** Allow `ecs execute-command` into running tasks (an interactive shell: keep off outside dev). */
  readonly ecsExec: boolean;
}

export interface EnvironmentConfig {
  /** Environment name; also the CDK stage id and part of every stack name. */
  readonly name: EnvironmentName;
  /** AWS account id (12 digits). */
  readonly account: string;
  /** AWS region, for example `eu-west-1`. */
  readonly region: string;
  /** Availability zones to use, in this region (2 or 3, distinct). Explicit so synth never looks them up. */
  readonly availabilityZones: readonly string[];
  /** VPC IPv4 range, a private (RFC 1918) block from /16 to /18 (room for a /21 app subnet in each of 3 AZs). */
  readonly vpcCidr: string;
  /** Retention of every log group and of flow-log objects, in days (a CloudWatch value, at least 90). */
  readonly logRetentionDays: number;
  /** Address that receives alarm notifications. */
  readonly alarmEmail: string;
  readonly service: ServiceConfig;
  readonly edge: EdgeConfig;
  readonly dns: DnsConfig;
  readonly payments: PaymentsConfig;
  readonly database: DatabaseConfig;
  readonly baseline: BaselineConfig;
  readonly github: GithubConfig;
  readonly features: FeatureSwitches;
}
