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
  for (const part of parts.slice(0, -1)) target = target[part] as Record<string, unknown>;
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
    ['desired count above max tasks', 'service.desiredCount', 5, 'from 1 to 2'],
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
    ['a non-boolean baseline switch', 'baseline.guardDuty', 'on', 'true or false'],
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

  it('fails when two environments of one account both enable the account baseline', () => {
    // Prepare
    const coursesWithBaseline = withField(courses, 'baseline.enabled', true) as EnvironmentConfig;

    // Act
    const error = configErrorOf(() => validateAcrossEnvironments([dev, coursesWithBaseline]));

    // Assess
    expect(error).toMatchObject({ environment: 'courses', field: 'baseline.enabled' });
    expect(error.message).toContain('"dev"');
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
