import {
  ENVIRONMENT_NAMES,
  LOG_RETENTION_DAYS_ALLOWED,
  MIN_LOG_RETENTION_DAYS,
  type EnvironmentConfig,
  type EnvironmentName,
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

const FARGATE_MEMORY_BY_CPU: Readonly<Record<number, readonly number[]>> = {
  256: [512, 1024, 2048],
  512: [1024, 2048, 3072, 4096],
  1024: [2048, 3072, 4096, 5120, 6144, 7168, 8192],
  2048: range(4096, 16384, 1024),
  4096: range(8192, 30720, 1024),
};

function range(from: number, to: number, step: number): number[] {
  const values: number[] = [];
  for (let value = from; value <= to; value += step) values.push(value);
  return values;
}

export function isEnvironmentName(name: string): name is EnvironmentName {
  return (ENVIRONMENT_NAMES as readonly string[]).includes(name);
}

/**
 * Checks a candidate environment config and returns it typed, or throws one ConfigError
 * for the first rule it breaks. Changes nothing.
 */
export function validateEnvironmentConfig(candidate: unknown): EnvironmentConfig {
  const check = new Checker(candidate);
  const name = check.string('name');
  if (!isEnvironmentName(name)) {
    check.fail('name', name, `unknown environment; expected one of ${ENVIRONMENT_NAMES.join(', ')}`);
  }

  check.matches('account', /^\d{12}$/, 'expected a 12-digit AWS account id');
  const region = check.matches(
    'region',
    /^[a-z]{2}(-gov)?-[a-z]+-\d$/,
    'expected a region such as eu-west-1',
  );
  const zones = check.array('availabilityZones');
  if (zones.length < 2 || zones.length > 3) {
    check.fail('availabilityZones', zones, 'expected 2 or 3 availability zones');
  }
  zones.forEach((zone, index) => {
    if (typeof zone !== 'string' || !new RegExp(`^${region}[a-z]$`).test(zone)) {
      check.fail(`availabilityZones[${index}]`, zone, `availability zone is not in region ${region}`);
    }
  });
  if (new Set(zones).size !== zones.length) {
    check.fail('availabilityZones', zones, 'availability zones must be distinct');
  }
  check.cidr('vpcCidr');
  const retention = check.integer('logRetentionDays', MIN_LOG_RETENTION_DAYS, 3653);
  if (!(LOG_RETENTION_DAYS_ALLOWED as readonly number[]).includes(retention)) {
    check.fail(
      'logRetentionDays',
      retention,
      `not a CloudWatch Logs retention; use one of ${LOG_RETENTION_DAYS_ALLOWED.filter((d) => d >= MIN_LOG_RETENTION_DAYS).join(', ')}`,
    );
  }
  check.matches('alarmEmail', /^[^\s@]+@[^\s@]+\.[^\s@]+$/, 'expected an email address');

  const cpu = check.integer('service.cpu', 256, 4096);
  const memory = check.integer('service.memoryMiB', 512, 30720);
  const allowedMemory = FARGATE_MEMORY_BY_CPU[cpu];
  if (allowedMemory === undefined) {
    check.fail('service.cpu', cpu, 'expected one of 256, 512, 1024, 2048, 4096');
  } else if (!allowedMemory.includes(memory)) {
    check.fail(
      'service.memoryMiB',
      memory,
      `not a Fargate size for ${cpu} CPU units; use one of ${allowedMemory.join(', ')}`,
    );
  }
  const minTasks = check.integer('service.minTasks', 1, 100);
  const maxTasks = check.integer('service.maxTasks', 1, 100);
  if (maxTasks < minTasks)
    check.fail('service.maxTasks', maxTasks, `must be at least service.minTasks (${minTasks})`);
  const desiredCount = check.get('service.desiredCount');
  if (desiredCount !== undefined) {
    check.fail(
      'service.desiredCount',
      desiredCount,
      'no longer used: autoscaling owns the running task count, so a deploy cannot scale a busy service back; remove it and set service.minTasks',
    );
  }
  check.integer('service.cpuTargetPercent', 10, 90);
  check.integer('service.requestsPerTarget', 1, 100_000);

  const domainName = check.matches(
    'edge.domainName',
    /^(?=.{1,253}$)([a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?\.)+[a-z]{2,63}$/,
    'expected a lower-case fully qualified domain name',
  );
  check.boolean('edge.albDeletionProtection');
  check.integer('edge.wafRateLimitPer5Min', 100, 2_000_000_000);

  const provider = check.string('dns.provider');
  const zoneName = check.matches(
    'dns.zoneName',
    /^([a-z0-9-]+\.)+[a-z]{2,63}$/,
    'expected a lower-case zone name',
  );
  if (domainName !== zoneName && !domainName.endsWith(`.${zoneName}`)) {
    check.fail('edge.domainName', domainName, `is not inside the DNS zone ${zoneName}`);
  }
  if (provider === 'route53') {
    check.matches(
      'dns.hostedZoneId',
      /^Z[A-Z0-9]{1,31}$/,
      'expected a Route 53 hosted zone id such as Z0123456789ABC',
    );
  } else if (provider === 'cloudflare') {
    check.matches(
      'dns.zoneId',
      /^[a-f0-9]{32}$/,
      'expected a Cloudflare zone id (32 hexadecimal characters)',
    );
    check.matches(
      'dns.apiTokenSecretName',
      /^[A-Za-z0-9/_+=.@-]{1,512}$/,
      'expected a Secrets Manager secret name',
    );
  } else {
    check.fail('dns.provider', provider, 'expected "route53" or "cloudflare"');
  }

  check.integer('payments.maxReceiveCount', 3, 5);
  check.integer('payments.processorReservedConcurrency', 1, 100);

  check.matches(
    'database.instanceClass',
    /^[a-z][a-z0-9-]*$/,
    'expected an instance class such as t4g or m7g',
  );
  check.matches(
    'database.instanceSize',
    /^(nano|micro|small|medium|\d*x?large|metal)$/,
    'expected a size such as medium or large',
  );
  const allocated = check.integer('database.allocatedStorageGiB', 20, 65_536);
  check.integer('database.maxAllocatedStorageGiB', allocated, 65_536);
  check.boolean('database.multiAz');
  check.integer('database.backupRetentionDays', 1, 35);
  check.boolean('database.deletionProtection');
  check.boolean('database.snapshotOnDelete');
  const planRetention = check.integer('database.backupPlanRetentionDays', 7, 36_500);
  check.integer('database.vaultMinRetentionDays', 1, planRetention);
  const interval = check.integer('database.monitoringIntervalSeconds', 1, 60);
  if (![1, 5, 10, 15, 30, 60].includes(interval)) {
    check.fail('database.monitoringIntervalSeconds', interval, 'expected one of 1, 5, 10, 15, 30, 60');
  }

  checkBaseline(check);

  check.matches('github.repository', /^[A-Za-z0-9_.-]+\/[A-Za-z0-9_.-]+$/, 'expected owner/name');
  if (check.get('github.oidcProviderArn') !== undefined) {
    check.matches(
      'github.oidcProviderArn',
      /^arn:aws[a-z-]*:iam::\d{12}:oidc-provider\/token\.actions\.githubusercontent\.com$/,
      'expected the ARN of the token.actions.githubusercontent.com OIDC provider',
    );
  }

  check.boolean('features.waf');
  check.boolean('features.containerInsights');
  check.boolean('features.ecsExec');

  return candidate as EnvironmentConfig;
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
  return `packages/infra/config/${config.name}.ts`;
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
    this.environment = typeof name === 'string' ? name : '<unnamed>';
  }

  get(field: string): unknown {
    let current: unknown = this.candidate;
    for (const part of field.split('.')) {
      if (current === null || typeof current !== 'object') return undefined;
      current = (current as Record<string, unknown>)[part];
    }
    return current;
  }

  fail(field: string, value: unknown, problem: string): never {
    throw new ConfigError(this.environment, field, value, problem);
  }

  string(field: string): string {
    const value = this.get(field);
    if (typeof value !== 'string' || value.length === 0)
      this.fail(field, value, 'expected a non-empty string');
    return value;
  }

  matches(field: string, pattern: RegExp, problem: string): string {
    const value = this.string(field);
    if (!pattern.test(value)) this.fail(field, value, problem);
    return value;
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

  boolean(field: string): boolean {
    const value = this.get(field);
    if (typeof value !== 'boolean') this.fail(field, value, 'expected true or false');
    return value;
  }

  integer(field: string, min: number, max: number): number {
    const value = this.get(field);
    if (typeof value !== 'number' || !Number.isInteger(value)) this.fail(field, value, 'expected an integer');
    if (value < min || value > max) this.fail(field, value, `expected a value from ${min} to ${max}`);
    return value;
  }

  array(field: string): readonly unknown[] {
    const value = this.get(field);
    if (!Array.isArray(value)) this.fail(field, value, 'expected a list');
    return value;
  }

  cidr(field: string): string {
    const value = this.string(field);
    const match = /^(\d{1,3})\.(\d{1,3})\.(\d{1,3})\.(\d{1,3})\/(\d{1,2})$/.exec(value);
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
    return value;
  }
}
