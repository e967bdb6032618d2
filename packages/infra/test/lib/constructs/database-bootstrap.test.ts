import { Template } from 'aws-cdk-lib/assertions';
import { SecurityGroup, SubnetType } from 'aws-cdk-lib/aws-ec2';
import { describe, expect, it } from 'vitest';
import {
  DatabaseBootstrap,
  type DatabaseBootstrapProps,
} from '../../../lib/constructs/database-bootstrap.js';
import { InvalidPropError } from '../../../lib/invalid-prop-error.js';
import { workloadFixture } from '../../support/workload-fixture.js';

const CITADEL_ROLES = ['citadel_app', 'citadel_processor', 'citadel_retention', 'citadel_outbox'];

function bootstrapIn(props: Partial<DatabaseBootstrapProps> = {}) {
  const { stack, vpc, database, key } = workloadFixture();
  const securityGroup = new SecurityGroup(stack, 'BootstrapGroup', { vpc });
  const construct = () =>
    new DatabaseBootstrap(stack, 'DatabaseBootstrap', {
      vpc,
      vpcSubnets: { subnetType: SubnetType.PRIVATE_ISOLATED },
      securityGroup,
      database,
      masterSecret: database.secret!,
      functionEnvironmentKey: key,
      logPolicy: { key: key, retentionDays: 90 },
      ...props,
    });
  return { stack, construct };
}

function errorOf(action: () => unknown): InvalidPropError {
  try {
    action();
  } catch (error) {
    if (error instanceof InvalidPropError) return error;
    throw error;
  }
  throw new Error('expected an InvalidPropError, but nothing was thrown');
}

function bootstrapProperties(template: Template): Record<string, unknown> {
  const [resource] = Object.values(template.findResources('Custom::CitadelDatabaseBootstrap'));
  return (resource as { Properties: Record<string, unknown> }).Properties;
}

describe('DatabaseBootstrap', () => {
  it('passes the API and processor roles as the login roles when none are given', () => {
    // Prepare
    const { stack, construct } = bootstrapIn();

    // Act
    const bootstrap = construct();

    // Assess
    expect(bootstrap.loginRoles).toEqual(['citadel_app', 'citadel_processor']);
    expect(bootstrapProperties(Template.fromStack(stack))).toMatchObject({
      AppUser: 'citadel_app',
      ProcessorUser: 'citadel_processor',
      LoginRoles: ['citadel_app', 'citadel_processor'],
    });
  });

  it('passes every workload role, in the order given, to the bootstrap function', () => {
    // Prepare
    const loginRoles = [...CITADEL_ROLES, 'acme_reports'];
    const { stack, construct } = bootstrapIn({ loginRoles });

    // Act
    const bootstrap = construct();

    // Assess
    expect(bootstrap.loginRoles).toEqual(loginRoles);
    expect(bootstrapProperties(Template.fromStack(stack))).toMatchObject({
      AppUser: 'citadel_app',
      ProcessorUser: 'citadel_processor',
      LoginRoles: loginRoles,
    });
  });

  it.each([
    ['both are given the same name', { appUserName: 'citadel_ops', processorUserName: 'citadel_ops' }],
    ['the processor is given the default API role', { processorUserName: 'citadel_app' }],
  ])('fails when the API and the payment processor would share one database role: %s', (_case, users) => {
    // Prepare
    const { construct } = bootstrapIn(users);

    // Act
    const act = construct;

    // Assess
    expect(act).toThrow(/processorUserName.*name a role other than appUserName/s);
  });

  it.each([
    ['a quote', 'acme"reports', /must be a lower-case PostgreSQL identifier/],
    ['a statement', 'x"; DROP ROLE citadel_app; --', /must be a lower-case PostgreSQL identifier/],
    ['a space', 'acme reports', /must be a lower-case PostgreSQL identifier/],
    ['upper case', 'AcmeReports', /must be a lower-case PostgreSQL identifier/],
    ['unicode', 'acme_rapports_é', /must be a lower-case PostgreSQL identifier/],
    ['64 bytes', 'a'.repeat(64), /at most 63 bytes/],
    ['postgres', 'postgres', /reserved name/],
    ['rds_superuser', 'rds_superuser', /must not begin with "rds"/],
    ['pg_read_all_data', 'pg_read_all_data', /must not begin with "pg_"/],
    ['an empty name', '', /must not be empty/],
    ['a duplicate', 'citadel_outbox', /lists "citadel_outbox" twice/],
  ])('fails at synth when loginRoles has %s, naming the prop and the value', (_case, role, message) => {
    // Prepare
    const loginRoles = [...CITADEL_ROLES, role];
    const { construct } = bootstrapIn({ loginRoles });

    // Act
    const error = errorOf(construct);

    // Assess
    expect(error).toMatchObject({ prop: 'loginRoles', value: loginRoles });
    expect(error.message).toContain('Fixture/DatabaseBootstrap: loginRoles = ');
    expect(error.message).toMatch(message);
  });

  it.each<[string, string[], RegExp, Partial<DatabaseBootstrapProps>]>([
    ['leaves out the processor', ['citadel_app', 'citadel_retention'], /must list "citadel_processor"/, {}],
    ['is empty', [], /must list "citadel_app" and "citadel_processor"/, {}],
    ['leaves out a renamed API role', CITADEL_ROLES, /must list "acme_api"/, { appUserName: 'acme_api' }],
  ])('fails at synth when loginRoles %s', (_case, loginRoles, message, users) => {
    // Prepare
    const { construct } = bootstrapIn({ loginRoles, ...users });

    // Act
    const error = errorOf(construct);

    // Assess
    expect(error).toMatchObject({ prop: 'loginRoles' });
    expect(error.message).toMatch(message);
  });

  it.each([
    ['appUserName', { appUserName: 'citadel-app' }, /must be a lower-case PostgreSQL identifier/],
    ['processorUserName', { processorUserName: 'rds_iam' }, /must not begin with "rds"/],
  ])('fails at synth when %s is no valid role name', (prop, users, message) => {
    // Prepare
    const { construct } = bootstrapIn(users);

    // Act
    const error = errorOf(construct);

    // Assess
    expect(error).toMatchObject({ prop });
    expect(error.message).toMatch(message);
  });
});
