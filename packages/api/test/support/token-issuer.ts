import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { exportJWK, generateKeyPair, SignJWT, type CryptoKey, type JWK, type JWTPayload } from 'jose';

export const TEST_ISSUER = 'https://issuer.test.citadel.example';
export const TEST_AUDIENCE = 'citadel-api';

interface SigningKey {
  readonly kid: string;
  readonly alg: 'RS256' | 'ES256';
  readonly privateKey: CryptoKey;
  readonly publicJwk: JWK;
}

export interface TokenOptions {
  readonly scopes?: readonly string[];
  /** null leaves the claim out. */
  readonly subject?: string | null;
  readonly alg?: 'RS256' | 'ES256';
  readonly claims?: JWTPayload;
  readonly issuer?: string;
  readonly audience?: string;
  readonly expiresIn?: string | number;
  readonly notBefore?: string | number;
  readonly kid?: string;
  /** Seconds since the epoch; null leaves the claim out. @default now */
  readonly issuedAt?: number | null;
  /** The `typ` header; null leaves it out. @default 'JWT' */
  readonly typ?: string | null;
}

/** A test identity provider: RS256 and ES256 keys, served as a JWKS over real HTTP on loopback. */
export class TokenIssuer {
  private constructor(
    private readonly keys: SigningKey[],
    private readonly server: Server,
    readonly jwksUrl: string,
  ) {}

  static async start(): Promise<TokenIssuer> {
    const keys = await Promise.all([makeKey('test-rs256', 'RS256'), makeKey('test-es256', 'ES256')]);
    const jwks = JSON.stringify({ keys: keys.map((key) => key.publicJwk) });
    const server = createServer((_request, response) => {
      response.writeHead(200, { 'content-type': 'application/json' }).end(jwks);
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    const { port } = server.address() as AddressInfo;
    return new TokenIssuer(keys, server, `http://127.0.0.1:${port}/.well-known/jwks.json`);
  }

  async token(options: TokenOptions = {}): Promise<string> {
    const alg = options.alg ?? 'ES256';
    const key = this.keys.find((candidate) => candidate.alg === alg) as SigningKey;
    const jwt = new SignJWT({ scope: (options.scopes ?? []).join(' '), ...options.claims })
      .setProtectedHeader({
        alg,
        kid: options.kid ?? key.kid,
        ...(options.typ === null ? {} : { typ: options.typ ?? 'JWT' }),
      })
      .setIssuer(options.issuer ?? TEST_ISSUER)
      .setAudience(options.audience ?? TEST_AUDIENCE)
      .setExpirationTime(options.expiresIn ?? '5m');
    if (options.issuedAt !== null) jwt.setIssuedAt(options.issuedAt);
    if (options.subject !== null) jwt.setSubject(options.subject ?? 'user-1');
    if (options.notBefore !== undefined) jwt.setNotBefore(options.notBefore);
    return jwt.sign(key.privateKey);
  }

  /** The public RSA key, for building an HS256 token keyed with it (the classic confusion attack). */
  publicJwk(alg: 'RS256' | 'ES256'): JWK {
    return (this.keys.find((key) => key.alg === alg) as SigningKey).publicJwk;
  }

  async stop(): Promise<void> {
    await new Promise<void>((resolve) => this.server.close(() => resolve()));
  }
}

async function makeKey(kid: string, alg: 'RS256' | 'ES256'): Promise<SigningKey> {
  const { privateKey, publicKey } = await generateKeyPair(alg, { extractable: true });
  return { kid, alg, privateKey, publicJwk: { ...(await exportJWK(publicKey)), kid, alg, use: 'sig' } };
}
