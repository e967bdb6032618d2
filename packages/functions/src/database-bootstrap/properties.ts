import { ResourcePropertiesError } from '../errors.js';
import { requiredString, secretArn } from '../shared/custom-resource.js';

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
}

const IDENTIFIER = /^[a-z_][a-z0-9_]{0,62}$/;

/** Reads and checks the custom resource's properties; CloudFormation passes every value as a string. */
export function parseBootstrapProperties(properties: Record<string, unknown>): DatabaseBootstrapProperties {
  const dbName = requiredString(properties, 'DbName');
  const appUser = requiredString(properties, 'AppUser');
  const processorUser = requiredString(properties, 'ProcessorUser');
  for (const [name, value] of [
    ['DbName', dbName],
    ['AppUser', appUser],
    ['ProcessorUser', processorUser],
  ] as const) {
    if (!IDENTIFIER.test(value)) {
      throw new ResourcePropertiesError(
        `property ${name} must be a lower-case PostgreSQL identifier (letters, digits, underscore; at most 63), got "${value}"`,
      );
    }
  }
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
  };
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
