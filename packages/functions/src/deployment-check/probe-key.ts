import { importJWK, type CryptoKey } from 'jose';
import { SecretValueError } from '../errors.js';
import { readSecretJson, type SecretsReader } from '../shared/secrets.js';

/** The probe's signing key, ready for ES256, and the kid the API finds its public part by. */
export interface ProbeSigningKey {
  readonly kid: string;
  readonly key: CryptoKey;
}

const KEY_ID = /^[\x21-\x7e]{1,128}$/;
const BASE64URL = /^[A-Za-z0-9_-]{1,128}$/;

/**
 * Reads the probe's private P-256 JWK from Secrets Manager. Errors name the secret and the
 * member at fault, never a member's value, and carry no cause that could quote the key.
 */
export async function readProbeSigningKey(
  secrets: SecretsReader,
  secretArn: string,
): Promise<ProbeSigningKey> {
  const jwk = await readSecretJson(secrets, secretArn);
  const refuse = (problem: string): never => {
    throw new SecretValueError(`secret ${secretArn} ${problem}; it must hold a private P-256 JWK with kid`);
  };
  if (jwk.kty !== 'EC' || jwk.crv !== 'P-256') refuse('is not an EC P-256 key');
  if (typeof jwk.kid !== 'string' || !KEY_ID.test(jwk.kid)) refuse('has no usable kid');
  for (const member of ['x', 'y', 'd'] as const) {
    if (typeof jwk[member] !== 'string' || !BASE64URL.test(jwk[member] as string)) {
      refuse(`has no usable '${member}' member`);
    }
  }
  try {
    const key = await importJWK(
      { kty: 'EC', crv: 'P-256', x: jwk.x, y: jwk.y, d: jwk.d } as Parameters<typeof importJWK>[0],
      'ES256',
    );
    return { kid: jwk.kid as string, key: key as CryptoKey };
  } catch {
    return refuse('does not hold a valid P-256 private key');
  }
}
