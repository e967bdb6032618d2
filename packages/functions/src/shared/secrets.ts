import { GetSecretValueCommand, type GetSecretValueCommandOutput } from '@aws-sdk/client-secrets-manager';
import { SecretValueError } from '../errors.js';

/** The one Secrets Manager call the functions make; `SecretsManagerClient` satisfies it. */
export interface SecretsReader {
  send(command: GetSecretValueCommand): Promise<GetSecretValueCommandOutput>;
}

/** Reads a secret's string value. Errors name the secret, never its value. */
export async function readSecretString(secrets: SecretsReader, secretArn: string): Promise<string> {
  let output: GetSecretValueCommandOutput;
  try {
    output = await secrets.send(new GetSecretValueCommand({ SecretId: secretArn }));
  } catch (error) {
    throw new SecretValueError(`cannot read secret ${secretArn}`, { cause: error });
  }
  if (typeof output.SecretString !== 'string' || output.SecretString.length === 0) {
    throw new SecretValueError(`secret ${secretArn} has no string value`);
  }
  return output.SecretString;
}

/** Reads a secret whose value is a JSON object. */
export async function readSecretJson(
  secrets: SecretsReader,
  secretArn: string,
): Promise<Record<string, unknown>> {
  const value = await readSecretString(secrets, secretArn);
  let parsed: unknown;
  try {
    parsed = JSON.parse(value);
  } catch {
    // The parse error quotes the value, so it is not kept as the cause.
    throw new SecretValueError(`secret ${secretArn} is not a JSON object`);
  }
  if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed)) {
    throw new SecretValueError(`secret ${secretArn} is not a JSON object`);
  }
  return parsed as Record<string, unknown>;
}
