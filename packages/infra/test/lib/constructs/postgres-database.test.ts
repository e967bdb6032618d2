import { App, Stack } from 'aws-cdk-lib';
import { Template } from 'aws-cdk-lib/assertions';
import { SubnetType, Vpc } from 'aws-cdk-lib/aws-ec2';
import { Key } from 'aws-cdk-lib/aws-kms';
import { describe, expect, it } from 'vitest';
import { PostgresDatabase } from '../../../lib/constructs/postgres-database.js';
import { onlyResource } from '../../support/template-queries.js';

function synthesizedDatabase(): Template {
  const stack = new Stack(new App(), 'Data', { env: { account: '123456789012', region: 'eu-west-1' } });
  const vpc = new Vpc(stack, 'Vpc', {
    availabilityZones: ['eu-west-1a', 'eu-west-1b'],
    natGateways: 0,
    subnetConfiguration: [{ name: 'data', subnetType: SubnetType.PRIVATE_ISOLATED }],
  });
  const key = new Key(stack, 'Key');
  new PostgresDatabase(stack, 'Postgres', {
    vpc,
    subnets: { subnetType: SubnetType.PRIVATE_ISOLATED },
    rotationSubnets: { subnetType: SubnetType.PRIVATE_ISOLATED },
    clientSecurityGroups: [],
    instanceIdentifier: 'citadel-test-postgres',
    databaseKey: key,
    secretsKey: key,
    logPolicy: { key: key, retentionDays: 90 },
    masterSecretName: 'citadel/test/database/master',
    settings: {
      instanceClass: 't4g',
      instanceSize: 'medium',
      allocatedStorageGiB: 20,
      maxAllocatedStorageGiB: 50,
      multiAz: true,
      backupRetentionDays: 7,
      deletionProtection: true,
      snapshotOnDelete: true,
      monitoringIntervalSeconds: 60,
    },
  });
  return Template.fromStack(stack);
}

const BOOLEAN_VALUES = ['on', 'off', 'true', 'false', 'yes', 'no', '1', '0'];
const CONNECTION_ASPECTS_18 = ['receipt', 'authentication', 'authorization', 'setup_durations'];

/**
 * Why a PostgreSQL parameter value is invalid for an engine major version, or undefined when it is
 * valid. From PostgreSQL 18, `log_connections` is a list of connection aspects (or `all`, or empty)
 * and RDS refuses the boolean spellings of earlier versions; `log_disconnections`,
 * `pgaudit.log_catalog` and `rds.force_ssl` stay boolean.
 */
function invalidParameter(name: string, value: string, major: number): string | undefined {
  const lowered = value.trim().toLowerCase();
  switch (name) {
    case 'log_connections': {
      if (major < 18) return BOOLEAN_VALUES.includes(lowered) ? undefined : 'expects a boolean before 18';
      if (BOOLEAN_VALUES.includes(lowered)) return `is a list since 18, not the boolean "${value}"`;
      if (lowered === '' || lowered === 'all') return undefined;
      const unknown = lowered.split(',').filter((aspect) => !CONNECTION_ASPECTS_18.includes(aspect.trim()));
      return unknown.length ? `has unknown aspects ${unknown.join(', ')}` : undefined;
    }
    case 'log_disconnections':
    case 'pgaudit.log_catalog':
    case 'rds.force_ssl':
      return BOOLEAN_VALUES.includes(lowered) ? undefined : `expects a boolean, got "${value}"`;
    case 'log_statement':
      return ['none', 'ddl', 'mod', 'all'].includes(lowered) ? undefined : `unknown level "${value}"`;
    case 'ssl_min_protocol_version':
      return ['tlsv1.2', 'tlsv1.3'].includes(lowered) ? undefined : `allows less than TLS 1.2: "${value}"`;
    default:
      return undefined;
  }
}

describe('PostgresDatabase', () => {
  it('sets every parameter to a value the engine major version of the instance accepts', () => {
    // Prepare
    const template = synthesizedDatabase();

    // Act
    const [, instance] = onlyResource(template, 'AWS::RDS::DBInstance');
    const [, parameterGroup] = onlyResource(template, 'AWS::RDS::DBParameterGroup');
    const engineVersion = String(instance.Properties?.EngineVersion);
    const major = Number(engineVersion.split('.')[0]);
    const parameters = parameterGroup.Properties?.Parameters as Record<string, string>;
    const problems = Object.entries(parameters)
      .map(([name, value]) => [name, invalidParameter(name, value, major)] as const)
      .filter(([, problem]) => problem !== undefined);

    // Assess
    expect(parameterGroup.Properties?.Family).toBe(`postgres${major}`);
    expect(major).toBeGreaterThanOrEqual(18);
    expect(problems).toEqual([]);
  });

  it('logs connection receipt, authentication and authorization, and disconnections', () => {
    // Prepare
    const template = synthesizedDatabase();

    // Act
    const [, parameterGroup] = onlyResource(template, 'AWS::RDS::DBParameterGroup');
    const parameters = parameterGroup.Properties?.Parameters as Record<string, string>;

    // Assess
    const aspects = parameters.log_connections?.split(',').map((aspect) => aspect.trim()) ?? [];
    expect(
      aspects.includes('all') ||
        ['receipt', 'authentication', 'authorization'].every((a) => aspects.includes(a)),
    ).toBe(true);
    expect(parameters.log_disconnections).toBe('1');
  });

  it.each([
    ['log_connections', '1', 18],
    ['log_connections', 'on', 18],
    ['log_connections', 'receipt,disconnections', 18],
    ['log_disconnections', 'all', 18],
  ])('the parameter check refuses %s = %s on PostgreSQL %i', (name, value, major) => {
    // Act
    const problem = invalidParameter(name, value, major);

    // Assess
    expect(problem).toBeDefined();
  });
});
