import { Type, type TSchema } from 'typebox';
import { Value } from 'typebox/value';
import { RegionInfo } from 'aws-cdk-lib/region-info';
import { FARGATE_MEMORY_BY_CPU } from '../policy/workload-policy.js';
import { recoveryObjectiveProblems } from './recovery.js';
import {
  CloudflareDnsSchema,
  ECS_MAX_BAKE_MINUTES,
  EnvironmentSchema,
  LOG_RETENTION_DAYS_ALLOWED,
  MIN_LOG_RETENTION_DAYS,
  problemOf,
  Route53DnsSchema,
  type EnvironmentConfig,
} from './schema.js';
/** A config value that Citadel refuses to synthesize. Names the environment, the field and the value. */
export class ConfigError extends Error {
  override readonly name = 'ConfigError';
  readonly environment: string;
  readonly field: string;
  readonly value: unknown;

  constructor(environment: string, field: string, value: unknown, problem: string, options?: ErrorOptions) {
    super(
      `Invalid config for environment "${environment}": ${field} = ${JSON.stringify(value) ?? 'undefined'}: ${problem}`,
      options,
    );
    this.environment = environment;
    this.field = field;
    this.value = value;
  }
}

/** Settings Citadel once read and now refuses, with what to do instead. */
const RETIRED_SETTINGS: Readonly<Record<string, string>> = {
  'service.desiredCount':
    'no longer used: autoscaling owns the running task count, so a deploy cannot scale a busy service back; remove it and set service.minTasks',
};

const SCHEMA_BY_PROVIDER: Readonly<Record<string, TSchema>> = {
  route53: Type.Object(
    { ...EnvironmentSchema.properties, dns: Route53DnsSchema },
    { additionalProperties: false },
  ),
  cloudflare: Type.Object(
    { ...EnvironmentSchema.properties, dns: CloudflareDnsSchema },
    { additionalProperties: false },
  ),
};

/**
 * Checks a candidate environment config against the schema (config/schema.ts), then the
 * rules a schema cannot say (memory that fits the CPU, zones in the region, a private
 * CIDR, a domain inside its zone, ...). Returns it typed, or throws one ConfigError for
 * the first problem, naming the field, the value and the fix. Changes nothing.
 */
export function validateEnvironmentConfig(candidate: unknown): EnvironmentConfig {
  const check = new Checker(candidate);
  if (candidate === null || typeof candidate !== 'object' || Array.isArray(candidate)) {
    check.fail('(config)', candidate, 'expected an object');
  }
  for (const [field, problem] of Object.entries(RETIRED_SETTINGS)) {
    const value = check.get(field);
    if (value !== undefined) check.fail(field, value, problem);
  }
  if (check.get('deployment.probe.publicJwk.d') !== undefined) {
    // Never echo it: the error would carry the private key into logs.
    check.fail(
      'deployment.probe.publicJwk.d',
      '(redacted)',
      'this is a private key: remove "d", keep the private JWK only in the Secrets Manager secret deployment.probe.privateKeySecretName, and rotate it since it was in config',
    );
  }
  const provider = check.get('dns.provider');
  const schema = typeof provider === 'string' ? SCHEMA_BY_PROVIDER[provider] : undefined;
  if (check.get('dns') !== undefined && schema === undefined) {
    check.fail('dns.provider', provider, 'expected "route53" or "cloudflare"');
  }
  const [first] = Value.Errors(schema ?? EnvironmentSchema, candidate);
  if (first) check.schemaError(schema ?? EnvironmentSchema, first);
  const config = candidate as EnvironmentConfig;

  const { region } = config;
  config.availabilityZones.forEach((zone, index) => {
    if (!new RegExp(`^${region}[a-z]$`).test(zone)) {
      check.fail(`availabilityZones[${index}]`, zone, `availability zone is not in region ${region}`);
    }
  });
  if (new Set(config.availabilityZones).size !== config.availabilityZones.length) {
    check.fail('availabilityZones', config.availabilityZones, 'availability zones must be distinct');
  }
  check.cidr('vpcCidr');
  if (!(LOG_RETENTION_DAYS_ALLOWED as readonly number[]).includes(config.logRetentionDays)) {
    check.fail(
      'logRetentionDays',
      config.logRetentionDays,
      `not a CloudWatch Logs retention; use one of ${LOG_RETENTION_DAYS_ALLOWED.filter((d) => d >= MIN_LOG_RETENTION_DAYS).join(', ')}`,
    );
  }

  const { cpu, memoryMiB, minTasks, maxTasks } = config.service;
  const allowedMemory = FARGATE_MEMORY_BY_CPU[cpu] ?? [];
  if (!allowedMemory.includes(memoryMiB)) {
    check.fail(
      'service.memoryMiB',
      memoryMiB,
      `not a Fargate size for ${cpu} CPU units; use one of ${allowedMemory.join(', ')}`,
    );
  }
  if (maxTasks < minTasks)
    check.fail('service.maxTasks', maxTasks, `must be at least service.minTasks (${minTasks})`);

  const { domainName } = config.edge;
  const { zoneName } = config.dns;
  if (domainName !== zoneName && !domainName.endsWith(`.${zoneName}`)) {
    check.fail('edge.domainName', domainName, `is not inside the DNS zone ${zoneName}`);
  }

  const database = config.database;
  if (database.maxAllocatedStorageGiB < database.allocatedStorageGiB) {
    check.fail(
      'database.maxAllocatedStorageGiB',
      database.maxAllocatedStorageGiB,
      `expected a value from ${database.allocatedStorageGiB} to 65536`,
    );
  }
  for (const { field, value, problem } of recoveryObjectiveProblems(database))
    check.fail(field, value, problem);
  if (database.vaultMinRetentionDays > database.backupPlanRetentionDays) {
    check.fail(
      'database.vaultMinRetentionDays',
      database.vaultMinRetentionDays,
      `expected a value from 1 to ${database.backupPlanRetentionDays}`,
    );
  }

  checkBaseline(check);
  checkDeployment(check, config);
  checkRecovery(config, check);
  return config;
}

/** One decimal place, as ECS takes traffic percentages. */
function isTenth(value: number): boolean {
  return Math.abs(value * 10 - Math.round(value * 10)) < 1e-9;
}

/**
 * The release settings a schema cannot say: which fields each strategy needs, ECS's bounds on
 * traffic shares, and a step long enough for the alarms to see the share it exposes.
 */
function checkDeployment(check: Checker, config: EnvironmentConfig): void {
  const deployment = config.deployment;
  if (deployment === undefined) return;
  const { strategy, alarms } = deployment;
  const onlyFor = (field: 'canaryPercent' | 'stepPercent' | 'stepMinutes', strategies: string[]) => {
    if (deployment[field] !== undefined && !strategies.includes(strategy)) {
      check.fail(
        `deployment.${field}`,
        deployment[field],
        `only used by the ${strategies.join(' and ')} strategies; remove it or set deployment.strategy accordingly`,
      );
    }
  };
  onlyFor('canaryPercent', ['canary']);
  onlyFor('stepPercent', ['linear']);
  onlyFor('stepMinutes', ['canary', 'linear']);
  if (strategy === 'rolling') {
    for (const field of ['bakeMinutes', 'testPort', 'probe'] as const) {
      if (deployment[field] !== undefined) {
        check.fail(
          `deployment.${field}`,
          deployment[field],
          'a rolling update has no bake time, test listener or pre-traffic check; remove it or choose blue-green, canary or linear',
        );
      }
    }
    return;
  }
  if (strategy === 'canary') {
    const percent = deployment.canaryPercent;
    if (typeof percent !== 'number' || !(percent >= 0.1 && percent <= 99.9) || !isTenth(percent)) {
      check.fail(
        'deployment.canaryPercent',
        percent,
        'give the share of traffic the canary gets first, from 0.1 to 99.9 in steps of 0.1 (0 sends it nothing, 100 is blue-green)',
      );
    }
  }
  if (strategy === 'linear') {
    const percent = deployment.stepPercent;
    if (typeof percent !== 'number' || !(percent >= 3 && percent <= 99.9) || !isTenth(percent)) {
      check.fail(
        'deployment.stepPercent',
        percent,
        'give the share of traffic moved per step, from 3 to 99.9 in steps of 0.1 (ECS takes no smaller step; 100 is blue-green)',
      );
    }
  }
  if (strategy === 'canary' || strategy === 'linear') {
    const minutes = deployment.stepMinutes;
    if (minutes === undefined) {
      check.fail(
        'deployment.stepMinutes',
        minutes,
        `give the minutes each share is held (1 to ${ECS_MAX_BAKE_MINUTES})`,
      );
    }
    if (minutes < alarms.evaluationMinutes + 1) {
      check.fail(
        'deployment.stepMinutes',
        minutes,
        `must be at least deployment.alarms.evaluationMinutes + 1 (${alarms.evaluationMinutes + 1}): a share held shorter ends before its alarms can fire (metrics arrive about a minute late)`,
      );
    }
  }
  if (deployment.bakeMinutes === undefined) {
    check.fail(
      'deployment.bakeMinutes',
      undefined,
      `give the minutes both revisions stay after the shift, 0 to ${ECS_MAX_BAKE_MINUTES}; a rollback during them is instant`,
    );
  }
  if (deployment.testPort === undefined || [80, 443].includes(deployment.testPort)) {
    check.fail(
      'deployment.testPort',
      deployment.testPort,
      'give the load balancer port of the test listener, from 1024 to 65535 (not a production port), for example 9443',
    );
  }
}

/**
 * The recovery region, when the environment has one: a real region of the primary's
 * partition, not the primary itself, and a copy retention the recovery vault's lock
 * accepts (AWS Backup fails every copy job whose lifecycle is shorter than the
 * destination vault's minimum retention). Optional here, so that an existing project's
 * environments keep validating; Citadel's own prod is required to have one by its tests.
 */
function checkRecovery(config: EnvironmentConfig, check: Checker): void {
  const { recovery } = config;
  if (!recovery) return;
  const known = RegionInfo.regions.map((info) => info.name);
  if (!known.includes(recovery.region)) {
    check.fail(
      'recovery.region',
      recovery.region,
      'not an AWS region; use a region name such as eu-central-1',
    );
  }
  if (recovery.region === config.region) {
    check.fail(
      'recovery.region',
      recovery.region,
      `is the primary region; a region loss would take the copies with the originals. Choose another region than ${config.region}`,
    );
  }
  const primaryPartition = RegionInfo.get(config.region).partition;
  const recoveryPartition = RegionInfo.get(recovery.region).partition;
  if (primaryPartition !== undefined && recoveryPartition !== primaryPartition) {
    check.fail(
      'recovery.region',
      recovery.region,
      `is in partition ${recoveryPartition ?? 'unknown'}, ${config.region} in ${primaryPartition}; AWS Backup and S3 replication cannot cross partitions. Choose a region of ${primaryPartition}`,
    );
  }
  if (recovery.copyRetentionDays < recovery.vaultMinRetentionDays) {
    check.fail(
      'recovery.copyRetentionDays',
      recovery.copyRetentionDays,
      `is shorter than recovery.vaultMinRetentionDays (${recovery.vaultMinRetentionDays}), so the recovery vault's lock would refuse every copy; use at least ${recovery.vaultMinRetentionDays}`,
    );
  }
}

/**
 * Rules that span environments. The GitHub OIDC provider is account-wide: at most one
 * environment per account creates it, the others import it by `github.oidcProviderArn`.
 * Detective controls: one CloudTrail trail per account, global resources recorded in one
 * region per account, and AWS Config, GuardDuty and Security Hub from exactly one
 * environment in every (account, region) any environment uses.
 */
export function validateAcrossEnvironments(configs: readonly EnvironmentConfig[]): void {
  const providerOwner = new Map<string, string>();
  for (const config of configs) {
    if (config.github.oidcProviderArn !== undefined) continue;
    const owner = providerOwner.get(config.account);
    if (owner !== undefined) {
      throw new ConfigError(
        config.name,
        'github.oidcProviderArn',
        undefined,
        `account ${config.account} gets its GitHub OIDC provider from environment "${owner}" (one per account); set it to arn:aws:iam::${config.account}:oidc-provider/token.actions.githubusercontent.com`,
      );
    }
    providerOwner.set(config.account, config.name);
  }

  for (const config of configs) checkBaseline(new Checker(config));
  checkAccountControls(configs);
  checkRegionalControls(configs);
}

const ACCOUNT_CONTROLS = ['cloudTrail', 'configGlobalResources'] as const;
const REGIONAL_CONTROLS = ['config', 'guardDuty', 'securityHub'] as const;
const REGIONAL_CONTROL_NAMES: Readonly<Record<(typeof REGIONAL_CONTROLS)[number], string>> = {
  config: 'AWS Config',
  guardDuty: 'GuardDuty',
  securityHub: 'Security Hub',
};

/** The `baseline` block of one environment: known switches only, each a boolean, and their prerequisites. */
function checkBaseline(check: Checker): void {
  if (check.get('baseline') === undefined) {
    check.fail(
      'baseline',
      undefined,
      'expected an object, {} when the environment owns no detective control',
    );
  }
  check.onlyKeys('baseline', ['account', 'region']);
  check.onlyKeys('baseline.account', ACCOUNT_CONTROLS);
  check.onlyKeys('baseline.region', REGIONAL_CONTROLS);
  for (const control of ACCOUNT_CONTROLS) check.optionalBoolean(`baseline.account.${control}`);
  for (const control of REGIONAL_CONTROLS) check.optionalBoolean(`baseline.region.${control}`);
  const config = check.get('baseline.region.config') === true;
  if (check.get('baseline.region.securityHub') === true && !config) {
    check.fail(
      'baseline.region.securityHub',
      true,
      'Security Hub evaluates what AWS Config records, so without a recorder its controls report nothing; set baseline.region.config to true in the same environment',
    );
  }
  if (check.get('baseline.account.configGlobalResources') === true && !config) {
    check.fail(
      'baseline.account.configGlobalResources',
      true,
      "global resources are recorded by this environment's AWS Config recorder; set baseline.region.config to true in the same environment",
    );
  }
}

function configFile(config: EnvironmentConfig): string {
  return `packages/infra/config/environments/${config.name}.ts`;
}

/** One CloudTrail trail per account, and global resources recorded in exactly one region of it. */
function checkAccountControls(configs: readonly EnvironmentConfig[]): void {
  const accounts = [...new Set(configs.map((config) => config.account))];
  for (const account of accounts) {
    const inAccount = configs.filter((config) => config.account === account);
    const trailOwners = inAccount.filter((config) => config.baseline.account?.cloudTrail === true);
    const [firstTrail, secondTrail] = trailOwners;
    if (firstTrail && secondTrail) {
      throw new ConfigError(
        secondTrail.name,
        'baseline.account.cloudTrail',
        true,
        `account ${account} already gets its multi-region CloudTrail trail from environment "${firstTrail.name}"; own it in one environment per account and set it to false in ${configFile(secondTrail)}`,
      );
    }
    if (!firstTrail) {
      const [first] = inAccount;
      throw new ConfigError(
        first?.name ?? '<none>',
        'baseline.account.cloudTrail',
        undefined,
        `no environment of account ${account} owns its CloudTrail trail; set it to true in ${first ? configFile(first) : 'one config file'} (or in another environment of that account)`,
      );
    }
    const globalRecorders = inAccount.filter(
      (config) => config.baseline.account?.configGlobalResources === true,
    );
    const [firstGlobal, secondGlobal] = globalRecorders;
    if (firstGlobal && secondGlobal) {
      throw new ConfigError(
        secondGlobal.name,
        'baseline.account.configGlobalResources',
        true,
        `account ${account} already records IAM and other global resources in ${firstGlobal.region} (environment "${firstGlobal.name}"); recording them in a second region duplicates every item. Set it to false in ${configFile(secondGlobal)}`,
      );
    }
    const recorders = inAccount.filter((config) => config.baseline.region?.config === true);
    const [firstRecorder] = recorders;
    if (firstRecorder && !firstGlobal) {
      throw new ConfigError(
        firstRecorder.name,
        'baseline.account.configGlobalResources',
        undefined,
        `no AWS Config recorder of account ${account} records IAM and the other global resources; set it to true in ${configFile(firstRecorder)} (one region per account)`,
      );
    }
  }
}

/** Every (account, region) any environment uses gets each regional control from exactly one environment. */
function checkRegionalControls(configs: readonly EnvironmentConfig[]): void {
  const places = new Map<string, EnvironmentConfig[]>();
  for (const config of configs) {
    const place = `${config.account}/${config.region}`;
    places.set(place, [...(places.get(place) ?? []), config]);
  }
  for (const inPlace of places.values()) {
    for (const control of REGIONAL_CONTROLS) {
      const owners = inPlace.filter((config) => config.baseline.region?.[control] === true);
      const [first, second] = owners;
      const field = `baseline.region.${control}`;
      const name = REGIONAL_CONTROL_NAMES[control];
      if (first && second) {
        throw new ConfigError(
          second.name,
          field,
          true,
          `account ${second.account} in ${second.region} already gets ${name} from environment "${first.name}" (one per account and region); set it to false in ${configFile(second)}`,
        );
      }
      if (!first) {
        const [user] = inPlace;
        if (!user) continue;
        throw new ConfigError(
          user.name,
          field,
          user.baseline.region?.[control],
          `environment "${user.name}" uses account ${user.account} in ${user.region}, where no environment runs ${name}; set ${field} to true in ${configFile(user)}`,
        );
      }
    }
  }
}

class Checker {
  private readonly environment: string;

  constructor(private readonly candidate: unknown) {
    const name = this.get('name');
    this.environment = typeof name === 'string' && name.length > 0 ? name : '<unnamed>';
  }

  get(field: string): unknown {
    let current: unknown = this.candidate;
    for (const part of field.replace(/\[(\d+)\]/g, '.$1').split('.')) {
      if (current === null || typeof current !== 'object') return undefined;
      current = (current as Record<string, unknown>)[part];
    }
    return current;
  }

  fail(field: string, value: unknown, problem: string): never {
    throw new ConfigError(this.environment, field, value, problem);
  }

  /** Turns the schema's first complaint into a ConfigError naming the field, the value and the fix. */
  schemaError(root: TSchema, error: SchemaError): never {
    const parts = error.instancePath.split('/').slice(1).map(decodePointer);
    if (error.keyword === 'boolean' && error.schemaPath.endsWith('/additionalProperties')) {
      // A key the schema does not know (`additionalProperties: false` reports the key itself).
      const known = Object.keys(
        (schemaAt(root, parts.slice(0, -1)) as { properties?: object }).properties ?? {},
      );
      this.fail(
        fieldName(parts),
        this.get(fieldName(parts)),
        `unknown setting; expected one of ${known.join(', ')}`,
      );
    }
    let field = fieldName(parts);
    let schema = schemaAt(root, parts);
    if (error.keyword === 'required') {
      const [missing = '?'] = (error.params as { requiredProperties?: string[] }).requiredProperties ?? [];
      field = fieldName([...parts, missing]);
      schema = schemaAt(root, [...parts, missing]);
    }
    if (error.keyword === 'additionalProperties') {
      const [extra = '?'] = (error.params as { additionalProperties?: string[] }).additionalProperties ?? [];
      const known = Object.keys((schema as { properties?: object }).properties ?? {});
      this.fail(
        fieldName([...parts, extra]),
        this.get(fieldName([...parts, extra])),
        `unknown setting; expected one of ${known.join(', ')}`,
      );
    }
    const value = this.get(field);
    this.fail(field, value, describeExpected(schema, error.keyword, value));
  }

  optionalBoolean(field: string): boolean | undefined {
    const value = this.get(field);
    if (value !== undefined && typeof value !== 'boolean') this.fail(field, value, 'expected true or false');
    return value;
  }

  /** Fails on a key the schema does not know, so a misspelt switch cannot silently stay off. */
  onlyKeys(field: string, allowed: readonly string[]): void {
    const value = this.get(field);
    if (value === undefined) return;
    if (value === null || typeof value !== 'object' || Array.isArray(value)) {
      this.fail(field, value, 'expected an object');
    }
    for (const key of Object.keys(value)) {
      if (!allowed.includes(key)) {
        this.fail(
          `${field}.${key}`,
          (value as Record<string, unknown>)[key],
          `unknown setting; expected one of ${allowed.join(', ')}`,
        );
      }
    }
  }

  cidr(field: string): string {
    const value = this.get(field);
    const match =
      typeof value === 'string'
        ? /^(\d{1,3})\.(\d{1,3})\.(\d{1,3})\.(\d{1,3})\/(\d{1,2})$/.exec(value)
        : null;
    const octets = match?.slice(1, 5).map(Number) ?? [];
    const prefix = Number(match?.[5]);
    if (!match || octets.some((octet) => octet > 255))
      this.fail(field, value, 'expected an IPv4 CIDR block such as 10.20.0.0/16');
    if (prefix < 16 || prefix > 18) this.fail(field, value, 'expected a prefix length from /16 to /18');
    const address = octets.reduce((sum, octet) => sum * 256 + octet, 0);
    if (address % 2 ** (32 - prefix) !== 0)
      this.fail(field, value, 'host bits are set; use the network address of the block');
    const [first = 0, second = 0] = octets;
    const isPrivate =
      first === 10 || (first === 172 && second >= 16 && second <= 31) || (first === 192 && second === 168);
    if (!isPrivate) this.fail(field, value, 'expected a private (RFC 1918) range');
    return value as string;
  }
}

interface SchemaError {
  readonly keyword: string;
  readonly schemaPath: string;
  readonly instancePath: string;
  readonly params: object;
}

function decodePointer(part: string): string {
  return part.replaceAll('~1', '/').replaceAll('~0', '~');
}

/** `['availabilityZones', '1']` → `availabilityZones[1]`; `['service', 'cpu']` → `service.cpu`. */
function fieldName(parts: readonly string[]): string {
  return parts.reduce(
    (name, part) => (/^\d+$/.test(part) ? `${name}[${part}]` : name ? `${name}.${part}` : part),
    '',
  );
}

function schemaAt(root: TSchema, parts: readonly string[]): TSchema {
  let schema: TSchema = root;
  for (const part of parts) {
    const node = schema as { properties?: Record<string, TSchema>; items?: TSchema };
    const next = /^\d+$/.test(part) ? node.items : node.properties?.[part];
    if (!next) return schema;
    schema = next;
  }
  return schema;
}

/** What the schema expected, in the words a config author needs. */
function describeExpected(schema: TSchema, keyword: string, value: unknown): string {
  const node = schema as { type?: string; minimum?: number; maximum?: number; enum?: unknown[] };
  const problem = problemOf(schema);
  if (value === undefined && node.type === 'object') return problem ?? 'expected an object';
  if (node.type === 'boolean') return 'expected true or false';
  if (node.type === 'integer' || node.type === 'number') {
    if (node.type === 'number') {
      if (typeof value !== 'number' || !Number.isFinite(value)) return problem ?? 'expected a number';
    } else if (typeof value !== 'number' || !Number.isInteger(value)) return 'expected an integer';
    if (problem) return problem;
    return `expected a value from ${node.minimum ?? '-∞'} to ${node.maximum ?? '∞'}`;
  }
  if (node.type === 'string' && (typeof value !== 'string' || value.length === 0)) {
    return 'expected a non-empty string';
  }
  if (node.type === 'array' && !Array.isArray(value)) return 'expected a list';
  if (node.type === 'object') return problem ?? 'expected an object';
  return problem ?? `does not match the schema (${keyword})`;
}
