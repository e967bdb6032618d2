import { readFileSync } from 'node:fs';
import { GetSecretValueCommand, type GetSecretValueCommandOutput } from '@aws-sdk/client-secrets-manager';
import pg from 'pg';
import { FunctionConfigError, SecretValueError } from '../errors.js';

/** GetSecretValue by version stage; `SecretsManagerClient` satisfies it. */
export interface StagedSecretsReader {
  send(command: GetSecretValueCommand): Promise<GetSecretValueCommandOutput>;
}

/** Where and as whom to reach the restored copy. */
export interface RestoredConnection {
  readonly host: string;
  readonly port: number;
  readonly database: string;
  readonly user: string;
  readonly password: string;
}

/** Opens a one-connection pool to the restored copy; tests pass one without TLS. */
export type ConnectRestored = (connection: RestoredConnection) => pg.Pool;

const RDS_INSTANCE_ARN = /^arn:aws[a-z-]*:rds:[a-z0-9-]+:\d{12}:db:([a-z][a-z0-9-]{0,62})$/;
const RDS_ENDPOINT = /^[a-z][a-z0-9-]{0,62}\.([a-z0-9]+\.[a-z0-9-]+\.rds\.amazonaws\.com(?:\.cn)?)$/;

/**
 * The restored instance's endpoint. RDS names an instance's endpoint
 * `<identifier>.<account and region hash>.<region>.rds.amazonaws.com`, and the hash is the
 * same for every instance of the account in the region, so the restored copy's endpoint is
 * the source's with the restored identifier in front. This needs no RDS API call, so the
 * function's role holds no RDS permission at all.
 */
export function restoredInstanceHost(createdResourceArn: unknown, sourceHost: unknown): string {
  const identifier =
    typeof createdResourceArn === 'string' ? RDS_INSTANCE_ARN.exec(createdResourceArn)?.[1] : undefined;
  if (!identifier) {
    throw new SecretValueError(
      `restore job created ${JSON.stringify(createdResourceArn)}, not an RDS DB instance ARN`,
    );
  }
  const suffix = typeof sourceHost === 'string' ? RDS_ENDPOINT.exec(sourceHost)?.[1] : undefined;
  if (!suffix) {
    throw new SecretValueError(
      `the master secret's host ${JSON.stringify(sourceHost)} is not an RDS instance endpoint`,
    );
  }
  return `${identifier}.${suffix}`;
}

/**
 * The master credentials of each version stage worth trying, newest first: the restored
 * copy keeps the password the master user had when the recovery point was taken, which is
 * AWSCURRENT unless the secret rotated since, and then AWSPREVIOUS.
 */
export async function masterCredentialsByStage(
  secrets: StagedSecretsReader,
  secretArn: string,
): Promise<{ stage: string; secret: Record<string, unknown> }[]> {
  const found: { stage: string; secret: Record<string, unknown> }[] = [];
  for (const stage of ['AWSCURRENT', 'AWSPREVIOUS']) {
    let output: GetSecretValueCommandOutput;
    try {
      output = await secrets.send(new GetSecretValueCommand({ SecretId: secretArn, VersionStage: stage }));
    } catch (error) {
      // A secret that never rotated has no AWSPREVIOUS.
      if (stage !== 'AWSCURRENT' && (error as { name?: unknown }).name === 'ResourceNotFoundException') break;
      throw new SecretValueError(`cannot read ${stage} of secret ${secretArn}`, { cause: error });
    }
    const secret = parseSecret(output.SecretString, secretArn, stage);
    found.push({ stage, secret });
  }
  return found;
}

function parseSecret(value: unknown, secretArn: string, stage: string): Record<string, unknown> {
  let parsed: unknown;
  try {
    parsed = typeof value === 'string' ? JSON.parse(value) : undefined;
  } catch {
    // The parse error would quote the value, so it is not kept as the cause.
  }
  if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed)) {
    throw new SecretValueError(`${stage} of secret ${secretArn} is not a JSON object`);
  }
  const { username, password } = parsed as Record<string, unknown>;
  if (typeof username !== 'string' || typeof password !== 'string' || !username || !password) {
    throw new SecretValueError(`${stage} of secret ${secretArn} must hold "username" and "password" strings`);
  }
  return parsed as Record<string, unknown>;
}

/** Verified TLS to the restored copy: the server certificate must chain to the RDS CA bundle and name the host. */
export function tlsRestoredConnector(caBundlePath: string): ConnectRestored {
  return (connection) => {
    let ca: Buffer;
    try {
      ca = readFileSync(caBundlePath);
    } catch (error) {
      throw new FunctionConfigError(`cannot read the RDS CA bundle at ${caBundlePath} (DB_CA_BUNDLE_PATH)`, {
        cause: error,
      });
    }
    return new pg.Pool(restoredPoolConfig(connection, ca));
  };
}

export function restoredPoolConfig(connection: RestoredConnection, ca: string | Buffer): pg.PoolConfig {
  return {
    ...connection,
    max: 1,
    connectionTimeoutMillis: 10_000,
    statement_timeout: 60_000,
    application_name: 'citadel-restore-validation',
    ssl: { ca, rejectUnauthorized: true, servername: connection.host },
  };
}
