import { generateKeyPairSync, type JsonWebKey } from 'node:crypto';

/** A real public JWK (RSA 2048 or EC P-256) as an identity provider publishes it. */
export function publicJwk(kid: string, kty: 'RSA' | 'EC' = 'RSA'): JsonWebKey {
  const { publicKey } =
    kty === 'RSA'
      ? generateKeyPairSync('rsa', { modulusLength: 2048 })
      : generateKeyPairSync('ec', { namedCurve: 'P-256' });
  return { ...publicKey.export({ format: 'jwk' }), kid, use: 'sig', alg: kty === 'RSA' ? 'RS256' : 'ES256' };
}

/** The same key with its private members: what a provider must never publish. */
export function privateJwk(kid: string): JsonWebKey {
  const { privateKey } = generateKeyPairSync('rsa', { modulusLength: 2048 });
  return { ...privateKey.export({ format: 'jwk' }), kid, use: 'sig', alg: 'RS256' };
}
