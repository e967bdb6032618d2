import { describe, expect, it } from 'vitest';
import {
  ConfigError,
  ENVIRONMENT_NAMES,
  loadAllEnvironmentConfigs,
  loadEnvironmentConfig,
  validateAcrossEnvironments,
  validateEnvironmentConfig,
  type EnvironmentConfig,
} from '../../config/index.js';

const dev = loadEnvironmentConfig('dev');
const courses = loadEnvironmentConfig('courses');

/** A copy of `base` with the value at a dotted path replaced. */
function withField(base: EnvironmentConfig, path: string, value: unknown): unknown {
  const copy = structuredClone(base) as unknown as Record<string, unknown>;
  const parts = path.split('.');
  let target = copy;
  for (const part of parts.slice(0, -1)) {
    target[part] ??= {};
    target = target[part] as Record<string, unknown>;
  }
  target[parts.at(-1) as string] = value;
  return copy;
}

function configErrorOf(action: () => unknown): ConfigError {
  try {
    action();
  } catch (error) {
    if (error instanceof ConfigError) return error;
    throw error;
  }
  throw new Error('expected a ConfigError, but nothing was thrown');
}

describe('environment config', () => {
  it('loads and validates every environment, named as its stage', () => {
    // Act
    const configs = loadAllEnvironmentConfigs();

    // Assess
    expect(configs.map((config) => config.name)).toEqual([...ENVIRONMENT_NAMES]);
  });

  it('uses Cloudflare DNS for at least one environment and Route 53 for another', () => {
    const providers = new Set(loadAllEnvironmentConfigs().map((config) => config.dns.provider));

    expect(providers).toEqual(new Set(['route53', 'cloudflare']));
  });

  it('fails when the environment is unknown, naming it', () => {
    // Act
    const error = configErrorOf(() => loadEnvironmentConfig('staging'));

    // Assess
    expect(error).toMatchObject({
      name: 'ConfigError',
      environment: 'staging',
      field: 'name',
      value: 'staging',
    });
    expect(error.message).toContain('unknown environment');
  });

  it.each([
    ['a malformed CIDR', 'vpcCidr', '10.10.0.0/33', 'prefix length'],
    ['a CIDR that is not an IPv4 block', 'vpcCidr', 'not-a-cidr', 'IPv4 CIDR'],
    ['a VPC too small for the app subnets', 'vpcCidr', '10.10.0.0/20', 'from /16 to /18'],
    ['a CIDR with host bits set', 'vpcCidr', '10.10.1.0/16', 'host bits'],
    ['a public CIDR', 'vpcCidr', '8.8.0.0/16', 'private'],
    [
      'an AZ outside the region',
      'availabilityZones',
      ['eu-west-1a', 'us-east-1b'],
      'not in region eu-west-1',
      'availabilityZones[1]',
    ],
    ['a single AZ', 'availabilityZones', ['eu-west-1a'], '2 or 3'],
    ['repeated AZs', 'availabilityZones', ['eu-west-1a', 'eu-west-1a'], 'distinct'],
    ['log retention below the minimum', 'logRetentionDays', 30, 'from 90'],
    ['a log retention CloudWatch does not offer', 'logRetentionDays', 100, 'not a CloudWatch Logs retention'],
    ['a malformed account id', 'account', '1234', '12-digit'],
    ['a malformed region', 'region', 'europe', 'region'],
    ['a malformed alarm email', 'alarmEmail', 'ops.example.com', 'email'],
    ['an invalid Fargate CPU', 'service.cpu', 300, 'expected one of'],
    ['memory that does not fit the CPU', 'service.memoryMiB', 8192, 'not a Fargate size'],
    ['max tasks below min tasks', 'service.maxTasks', 0, 'from 1 to 100'],
    ['a desired count, which autoscaling owns', 'service.desiredCount', 2, 'no longer used'],
    ['a CPU target out of range', 'service.cpuTargetPercent', 95, 'from 10 to 90'],
    ['a domain outside the DNS zone', 'edge.domainName', 'api.other.example.net', 'not inside the DNS zone'],
    ['a WAF rate limit below 100', 'edge.wafRateLimitPer5Min', 10, 'from 100'],
    ['an unknown DNS provider', 'dns.provider', 'godaddy', '"route53" or "cloudflare"'],
    ['a malformed Route 53 zone id', 'dns.hostedZoneId', 'zone-1', 'hosted zone id'],
    ['max receive count below 3', 'payments.maxReceiveCount', 2, 'from 3 to 5'],
    ['max receive count above 5', 'payments.maxReceiveCount', 6, 'from 3 to 5'],
    ['zero reserved concurrency', 'payments.processorReservedConcurrency', 0, 'from 1 to 100'],
    ['storage below the RDS minimum', 'database.allocatedStorageGiB', 10, 'from 20'],
    ['a storage ceiling below the allocation', 'database.maxAllocatedStorageGiB', 10, 'from 20'],
    ['backup retention above 35 days', 'database.backupRetentionDays', 36, 'from 1 to 35'],
    ['a vault lock longer than the plan retention', 'database.vaultMinRetentionDays', 60, 'from 1 to 35'],
    [
      'an enhanced monitoring interval RDS does not offer',
      'database.monitoringIntervalSeconds',
      20,
      'one of 1, 5',
    ],
    ['a malformed instance size', 'database.instanceSize', 'huge', 'size'],
    ['a non-boolean switch', 'database.multiAz', 'yes', 'true or false'],
    ['a repository that is not owner/name', 'github.repository', 'citadel', 'owner/name'],
    [
      'an OIDC provider ARN for another issuer',
      'github.oidcProviderArn',
      'arn:aws:iam::111111111111:oidc-provider/example.com',
      'token.actions',
    ],
    ['a missing feature switch', 'features.waf', undefined, 'true or false'],
    ['a malformed DNS zone name', 'dns.zoneName', 'Not A Zone', 'zone name'],
    ['zero requests per target', 'service.requestsPerTarget', 0, 'from 1'],
    ['a malformed instance class', 'database.instanceClass', 'M7G!', 'instance class'],
    ['a backup plan kept under a week', 'database.backupPlanRetentionDays', 3, 'from 7'],
    ['a non-boolean regional control', 'baseline.region.guardDuty', 'on', 'true or false'],
    ['a non-boolean account control', 'baseline.account.cloudTrail', 1, 'true or false'],
    ['a misspelt account control', 'baseline.account.cloudtrail', true, 'unknown setting'],
    ['a misspelt regional control', 'baseline.region.securityhub', true, 'unknown setting'],
    ['the old single baseline switch', 'baseline.enabled', true, 'unknown setting'],
    ['regional controls that are not an object', 'baseline.region', true, 'expected an object'],
    ['no baseline block', 'baseline', undefined, 'expected an object'],
    [
      'Security Hub without AWS Config',
      'baseline.region.config',
      false,
      'Security Hub evaluates',
      'baseline.region.securityHub',
    ],
  ] as [string, string, unknown, string, string?][])(
    'fails when the config has %s, naming the field and value',
    (_case, field, value, problem, reportedField) => {
      // Prepare
      const candidate = withField(dev, field, value);

      // Act
      const error = configErrorOf(() => validateEnvironmentConfig(candidate));

      // Assess
      expect(error.environment).toBe('dev');
      expect(error.field).toBe(reportedField ?? field);
      expect(error.message).toContain('"dev"');
      expect(error.message).toContain(problem);
    },
  );

  it('fails when a Cloudflare zone id is malformed', () => {
    const error = configErrorOf(() => validateEnvironmentConfig(withField(courses, 'dns.zoneId', 'not-hex')));

    expect(error).toMatchObject({ environment: 'courses', field: 'dns.zoneId', value: 'not-hex' });
  });

  it('fails when a Cloudflare API token secret name is malformed', () => {
    const error = configErrorOf(() =>
      validateEnvironmentConfig(withField(courses, 'dns.apiTokenSecretName', 'token with spaces')),
    );

    expect(error).toMatchObject({ environment: 'courses', field: 'dns.apiTokenSecretName' });
  });

  it('fails when two environments of one account would both create the GitHub OIDC provider', () => {
    // Prepare
    const { oidcProviderArn: _imported, ...github } = courses.github;
    const coursesCreating = { ...courses, github } as EnvironmentConfig;

    // Act
    const error = configErrorOf(() => validateAcrossEnvironments([dev, coursesCreating]));

    // Assess
    expect(error).toMatchObject({ environment: 'courses', field: 'github.oidcProviderArn' });
    expect(error.message).toContain('"dev"');
  });

  it('names the exact field and value in the message', () => {
    const error = configErrorOf(() => validateEnvironmentConfig(withField(dev, 'vpcCidr', '10.10.0.0/33')));

    expect(error.message).toBe(
      'Invalid config for environment "dev": vpcCidr = "10.10.0.0/33": expected a prefix length from /16 to /18',
    );
  });
});

describe('detective controls across environments', () => {
  const qa = loadEnvironmentConfig('qa');
  const prod = loadEnvironmentConfig('prod');
  const shipped = [dev, qa, prod, courses];
  const REGIONAL = ['config', 'guardDuty', 'securityHub'] as const;

  function replace(config: EnvironmentConfig, path: string, value: unknown): EnvironmentConfig[] {
    const changed = withField(config, path, value) as EnvironmentConfig;
    return shipped.map((candidate) => (candidate.name === config.name ? changed : candidate));
  }

  it('gives every (account, region) any environment uses AWS Config, GuardDuty and Security Hub from exactly one environment', () => {
    // Prepare
    const configs = loadAllEnvironmentConfigs();
    const places = [...new Set(configs.map((config) => `${config.account}/${config.region}`))];

    // Act
    const owners = places.map((place) =>
      REGIONAL.map(
        (control) =>
          configs.filter(
            (config) => `${config.account}/${config.region}` === place && config.baseline.region?.[control],
          ).length,
      ),
    );

    // Assess
    expect(places).toContain('111111111111/eu-central-1');
    expect(owners).toEqual(places.map(() => [1, 1, 1]));
  });

  it('gives every account one CloudTrail trail and records its global resources in exactly one region', () => {
    // Prepare
    const configs = loadAllEnvironmentConfigs();
    const accounts = [...new Set(configs.map((config) => config.account))];

    // Act
    const counts = accounts.map((account) => {
      const inAccount = configs.filter((config) => config.account === account);
      return [
        inAccount.filter((config) => config.baseline.account?.cloudTrail).length,
        new Set(
          inAccount
            .filter((config) => config.baseline.account?.configGlobalResources)
            .map((config) => config.region),
        ).size,
      ];
    });

    // Assess
    expect(counts).toEqual(accounts.map(() => [1, 1]));
  });

  it('fails when two environments of one account both own the CloudTrail trail', () => {
    // Act
    const error = configErrorOf(() =>
      validateAcrossEnvironments(replace(courses, 'baseline.account.cloudTrail', true)),
    );

    // Assess
    expect(error).toMatchObject({ environment: 'courses', field: 'baseline.account.cloudTrail' });
    expect(error.message).toContain('"dev"');
    expect(error.message).toContain('packages/infra/config/environments/courses.ts');
  });

  it('fails when no environment of an account owns its CloudTrail trail', () => {
    // Act
    const error = configErrorOf(() =>
      validateAcrossEnvironments(replace(qa, 'baseline.account.cloudTrail', false)),
    );

    // Assess
    expect(error).toMatchObject({ environment: 'qa', field: 'baseline.account.cloudTrail' });
    expect(error.message).toContain('account 222222222222');
    expect(error.message).toContain('packages/infra/config/environments/qa.ts');
  });

  it.each(REGIONAL)(
    'fails when an environment uses an account and region where nobody runs %s, naming the file to change',
    (control) => {
      // Act
      const error = configErrorOf(() =>
        validateAcrossEnvironments(
          replace(courses, 'baseline.region', {
            config: true,
            guardDuty: true,
            // Security Hub needs Config in its environment, so dropping Config drops both.
            securityHub: control !== 'config',
            [control]: false,
          }),
        ),
      );

      // Assess
      expect(error).toMatchObject({ environment: 'courses', field: `baseline.region.${control}` });
      expect(error.message).toContain('account 111111111111 in eu-central-1');
      expect(error.message).toContain('packages/infra/config/environments/courses.ts');
    },
  );

  it('fails when two environments of one account and region both own a regional control', () => {
    // Prepare
    const second = {
      ...courses,
      name: 'qa',
      baseline: { region: { guardDuty: true } },
    } as EnvironmentConfig;

    // Act
    const error = configErrorOf(() => validateAcrossEnvironments([dev, courses, second]));

    // Assess
    expect(error).toMatchObject({ environment: 'qa', field: 'baseline.region.guardDuty' });
    expect(error.message).toContain('already gets GuardDuty from environment "courses"');
  });

  it('fails when Security Hub is on without AWS Config in the same environment', () => {
    // Act
    const error = configErrorOf(() =>
      validateAcrossEnvironments(replace(courses, 'baseline.region.config', false)),
    );

    // Assess
    expect(error).toMatchObject({ environment: 'courses', field: 'baseline.region.securityHub' });
    expect(error.message).toContain('without a recorder its controls report nothing');
  });

  it('fails when global resources are recorded in a second region of one account', () => {
    // Act
    const error = configErrorOf(() =>
      validateAcrossEnvironments(replace(courses, 'baseline.account.configGlobalResources', true)),
    );

    // Assess
    expect(error).toMatchObject({ environment: 'courses', field: 'baseline.account.configGlobalResources' });
    expect(error.message).toContain('already records IAM and other global resources in eu-west-1');
  });

  it('fails when no region of an account records its global resources', () => {
    // Act
    const error = configErrorOf(() =>
      validateAcrossEnvironments(replace(dev, 'baseline.account.configGlobalResources', false)),
    );

    // Assess
    expect(error).toMatchObject({ environment: 'dev', field: 'baseline.account.configGlobalResources' });
    expect(error.message).toContain('account 111111111111');
  });

  it('fails when global resources are recorded by an environment without a recorder', () => {
    // Act
    const error = configErrorOf(() =>
      validateEnvironmentConfig(
        withField(dev, 'baseline.region', { config: false, guardDuty: true, securityHub: false }),
      ),
    );

    // Assess
    expect(error).toMatchObject({ environment: 'dev', field: 'baseline.account.configGlobalResources' });
  });
});
