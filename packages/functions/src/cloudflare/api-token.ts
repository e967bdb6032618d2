import { SecretValueError } from '../errors.js';
import { readSecretString, type SecretsReader } from '../shared/secrets.js';

/** The secret holds the token itself, or JSON `{ "apiToken": "..." }`. Errors name the secret, never its value. */
export async function readApiToken(secrets: SecretsReader, secretArn: string): Promise<string> {
  const value = (await readSecretString(secrets, secretArn)).trim();
  if (!value.startsWith('{')) return value;
  let parsed: unknown;
  try {
    parsed = JSON.parse(value);
  } catch {
    throw new SecretValueError(`secret ${secretArn} looks like JSON but does not parse`);
  }
  const token = (parsed as { apiToken?: unknown }).apiToken;
  if (typeof token !== 'string' || token === '') {
    throw new SecretValueError(`secret ${secretArn} is JSON without an "apiToken" string`);
  }
  return token;
}
