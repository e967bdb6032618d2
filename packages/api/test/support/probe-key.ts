import { exportJWK, generateKeyPair, SignJWT, type CryptoKey, type JWK } from 'jose';
import { API_PROBE_ISSUER, API_PROBE_SUBJECT } from '../../src/contract.js';
import { TEST_AUDIENCE } from './token-issuer.js';

export interface ProbeTokenOptions {
  readonly issuer?: string;
  readonly audience?: string;
  readonly subject?: string;
  readonly scope?: string;
  /** Seconds from now. @default 30 */
  readonly lifetimeSeconds?: number;
  readonly kid?: string;
}

/** A deployment-check key pair, as the probe holds it, and tokens signed with it. */
export class ProbeKey {
  private constructor(
    readonly kid: string,
    private readonly privateKey: CryptoKey,
    readonly publicJwk: JWK,
    readonly privateJwk: JWK,
  ) {}

  static async generate(kid = 'deployment-check-1'): Promise<ProbeKey> {
    const { privateKey, publicKey } = await generateKeyPair('ES256', { extractable: true });
    const publicJwk = { ...(await exportJWK(publicKey)), kid, alg: 'ES256', use: 'sig' };
    return new ProbeKey(kid, privateKey, publicJwk, { ...(await exportJWK(privateKey)), kid });
  }

  /** AUTH_PROBE_JWKS holding this key's public part. */
  get keySetJson(): string {
    return JSON.stringify({ keys: [this.publicJwk] });
  }

  token(options: ProbeTokenOptions = {}): Promise<string> {
    const now = Math.floor(Date.now() / 1000);
    return new SignJWT({ scope: options.scope ?? 'payments:read' })
      .setProtectedHeader({ alg: 'ES256', kid: options.kid ?? this.kid, typ: 'JWT' })
      .setIssuer(options.issuer ?? API_PROBE_ISSUER)
      .setAudience(options.audience ?? TEST_AUDIENCE)
      .setSubject(options.subject ?? API_PROBE_SUBJECT)
      .setIssuedAt(now)
      .setExpirationTime(now + (options.lifetimeSeconds ?? 30))
      .sign(this.privateKey);
  }
}
