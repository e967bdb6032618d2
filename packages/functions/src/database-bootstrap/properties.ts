import { ResourcePropertiesError } from '../errors.js';
import { requiredString, secretArn } from '../shared/custom-resource.js';
import { loginRolesProblem, roleNameProblem } from './role-names.js';

export interface DatabaseBootstrapProperties {
  /** Secret with the RDS master user's JSON credentials (`username`, `password`, `host`, `port`). */
  readonly masterSecretArn: string;
  /** @default - `host` from the master secret */
  readonly dbHost: string | undefined;
  /** @default - `port` from the master secret, else 5432 */
  readonly dbPort: number | undefined;
  readonly dbName: string;
  /** The API's role, created by the migrations; it logs in by IAM token only. */
  readonly appUser: string;
  /** The payment processor's role, created by the migrations; it logs in by IAM token only. */
  readonly processorUser: string;
  /**
   * Every workload's role, each signing in by IAM token only; lists `appUser` and `processorUser`.
   * @default - `appUser` and `processorUser`
   */
  readonly loginRoles: readonly string[];
}

const DATABASE_NAME = /^[a-z_][a-z0-9_]{0,62}$/;

/** Reads and checks the custom resource's properties; CloudFormation passes every scalar as a string. */
export function parseBootstrapProperties(properties: Record<string, unknown>): DatabaseBootstrapProperties {
  const dbName = requiredString(properties, 'DbName');
  if (!DATABASE_NAME.test(dbName)) {
    throw new ResourcePropertiesError(
      `property DbName must be a lower-case PostgreSQL identifier (letters, digits, underscore; at most 63), got "${dbName}"`,
    );
  }
  const appUser = roleProperty(properties, 'AppUser');
  const processorUser = roleProperty(properties, 'ProcessorUser');
  if (processorUser === appUser) {
    throw new ResourcePropertiesError(
      `property ProcessorUser must name a role other than AppUser ("${appUser}"): one login would hold both the API's and the processor's privileges`,
    );
  }
  return {
    masterSecretArn: secretArn(properties, 'MasterSecretArn'),
    dbHost: optionalString(properties, 'DbHost'),
    dbPort: optionalPort(properties, 'DbPort'),
    dbName,
    appUser,
    processorUser,
    loginRoles: loginRolesProperty(properties, [appUser, processorUser]),
  };
}

/**
 * The login roles a previous deployment asked for, from an Update's old properties: only
 * names that pass the rule, so a list refused then (and never applied) changes nothing now.
 */
export function previousLoginRoles(properties: Record<string, unknown>): readonly string[] {
  // AppUser and ProcessorUser were read trimmed; LoginRoles entries never are.
  const listed: unknown[] = Array.isArray(properties.LoginRoles)
    ? properties.LoginRoles
    : [properties.AppUser, properties.ProcessorUser].map((role) =>
        typeof role === 'string' ? role.trim() : role,
      );
  return [...new Set(listed.filter((role): role is string => roleNameProblem(role) === undefined))];
}

function roleProperty(properties: Record<string, unknown>, name: string): string {
  const value = requiredString(properties, name);
  const problem = roleNameProblem(value);
  if (problem) throw new ResourcePropertiesError(`property ${name} ${problem}`);
  return value;
}

function loginRolesProperty(
  properties: Record<string, unknown>,
  required: readonly string[],
): readonly string[] {
  const value = properties.LoginRoles;
  if (value === undefined) return required;
  if (!Array.isArray(value)) {
    throw new ResourcePropertiesError(
      `property LoginRoles must be a list of role names, got ${JSON.stringify(value) ?? String(value)}`,
    );
  }
  const problem = loginRolesProblem(value, required);
  if (problem) throw new ResourcePropertiesError(`property LoginRoles ${problem}`);
  return value as string[];
}

function optionalString(properties: Record<string, unknown>, name: string): string | undefined {
  return properties[name] === undefined || properties[name] === ''
    ? undefined
    : requiredString(properties, name);
}

function optionalPort(properties: Record<string, unknown>, name: string): number | undefined {
  const raw = properties[name];
  if (raw === undefined || raw === '') return undefined;
  const port = Number(raw);
  if (!Number.isInteger(port) || port < 1 || port > 65535) {
    throw new ResourcePropertiesError(`property ${name} must be a TCP port number, got "${String(raw)}"`);
  }
  return port;
}
