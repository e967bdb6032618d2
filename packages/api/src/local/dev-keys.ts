import { createHash } from 'node:crypto';
import { mkdir, readFile, writeFile } from 'node:fs/promises';
import { dirname } from 'node:path';
import { exportJWK, generateKeyPair, importJWK, SignJWT, type JSONWebKeySet, type JWK } from 'jose';
import { LOCAL_ISSUER, LOCAL_KEY_ID_PREFIX } from '../config.js';
import { SCOPES } from '../plugins/authentication.js';

export const LOCAL_AUDIENCE = 'citadel-api';
const ALGORITHM = 'ES256';

export interface DevSigningKey {
  readonly privateJwk: JWK;
  readonly jwks: JSONWebKeySet;
}

/**
 * The development signing key of local mode, kept in `.data/` (mode 0600) so tokens stay
 * valid across restarts. Its key id marks it as local; the API refuses it in any other mode.
 */
export async function loadOrCreateDevSigningKey(path: string): Promise<DevSigningKey> {
  let privateJwk: JWK;
  try {
    privateJwk = JSON.parse(await readFile(path, 'utf8')) as JWK;
  } catch {
    const { privateKey } = await generateKeyPair(ALGORITHM, { extractable: true });
    const jwk = await exportJWK(privateKey);
    const thumbprint = createHash('sha256')
      .update(JSON.stringify([jwk.x, jwk.y]))
      .digest('base64url')
      .slice(0, 16);
    privateJwk = { ...jwk, kid: `${LOCAL_KEY_ID_PREFIX}${thumbprint}`, alg: ALGORITHM, use: 'sig' };
    await mkdir(dirname(path), { recursive: true });
    await writeFile(path, JSON.stringify(privateJwk), { mode: 0o600 });
  }
  const { d: _private, ...publicJwk } = privateJwk;
  return { privateJwk, jwks: { keys: [publicJwk] } };
}

export interface DevTokenOptions {
  readonly subject?: string;
  readonly scopes?: readonly string[];
  readonly lifetimeSeconds?: number;
}

/** Mints a development token for local mode: one hour, every scope, unless told otherwise. */
export async function mintDevToken(key: DevSigningKey, options: DevTokenOptions = {}): Promise<string> {
  const privateKey = await importJWK(key.privateJwk, ALGORITHM);
  return new SignJWT({ scope: (options.scopes ?? SCOPES).join(' ') })
    .setProtectedHeader({ alg: ALGORITHM, kid: key.privateJwk.kid as string, typ: 'JWT' })
    .setIssuer(LOCAL_ISSUER)
    .setAudience(LOCAL_AUDIENCE)
    .setSubject(options.subject ?? 'local-developer')
    .setIssuedAt()
    .setExpirationTime(`${options.lifetimeSeconds ?? 3600}s`)
    .sign(privateKey);
}
