import { exportJWK, generateKeyPair, SignJWT, type CryptoKey, type JSONWebKeySet } from 'jose';

export const ISSUER = 'https://issuer.citadel.invalid/';
export const AUDIENCE = 'citadel-api';
const ALGORITHM = 'RS256';
const KEY_ID = 'bench-rs256-1';

export interface TokenIssuer {
  /** The public key set the API fetches, as it fetches an identity provider's JWKS in AWS. */
  readonly jwks: JSONWebKeySet;
  mint(options: { readonly subject: string; readonly scopes: readonly string[] }): Promise<string>;
}

/**
 * A stand-in identity provider: an RS256 key pair made for this run (the algorithm most
 * providers sign with). The private key lives in memory only.
 */
export async function createTokenIssuer(): Promise<TokenIssuer> {
  const { privateKey, publicKey } = await generateKeyPair(ALGORITHM);
  const jwks: JSONWebKeySet = {
    keys: [{ ...(await exportJWK(publicKey)), kid: KEY_ID, alg: ALGORITHM, use: 'sig' }],
  };
  return { jwks, mint: (options) => sign(privateKey, options.subject, options.scopes) };
}

function sign(key: CryptoKey, subject: string, scopes: readonly string[]): Promise<string> {
  return new SignJWT({ scope: scopes.join(' ') })
    .setProtectedHeader({ alg: ALGORITHM, kid: KEY_ID, typ: 'JWT' })
    .setIssuer(ISSUER)
    .setAudience(AUDIENCE)
    .setSubject(subject)
    .setIssuedAt()
    .setExpirationTime('2h')
    .sign(key);
}
