import { createLocalJWKSet, decodeJwt, jwtVerify, type JSONWebKeySet } from 'jose';
import {
  API_PROBE_ISSUER,
  API_PROBE_MAX_TOKEN_LIFETIME_SECONDS,
  API_PROBE_SCOPES,
  API_PROBE_SUBJECT,
} from '../contract.js';
import { AuthenticationError } from '../errors.js';

/** A verified probe token: who it names and until when its verification may be reused. */
export interface VerifiedProbe {
  readonly subject: string;
  readonly scopes: ReadonlySet<string>;
  /** Seconds since the epoch. */
  readonly validUntil: number;
}

/** Whether the token, unverified, names the probe's issuer; only then is it checked as a probe. */
export function claimsProbeIssuer(token: string): boolean {
  try {
    return decodeJwt(token).iss === API_PROBE_ISSUER;
  } catch {
    return false;
  }
}

/**
 * Verifies the deployment check's probe tokens against the probe's own keys only: ES256,
 * issuer {@link API_PROBE_ISSUER}, the API's audience, `sub` {@link API_PROBE_SUBJECT}, a
 * lifetime of at most {@link API_PROBE_MAX_TOKEN_LIFETIME_SECONDS} and read scopes only. A token
 * asking for any other scope is refused whole rather than trimmed, so a misissued probe shows up.
 */
export function createProbeVerifier(
  keySet: JSONWebKeySet,
  audience: string,
): (token: string) => Promise<VerifiedProbe> {
  const keys = createLocalJWKSet(keySet);
  const options = {
    issuer: API_PROBE_ISSUER,
    audience,
    algorithms: ['ES256'],
    requiredClaims: ['sub', 'exp', 'iat'],
    maxTokenAge: API_PROBE_MAX_TOKEN_LIFETIME_SECONDS,
    clockTolerance: 5,
  };
  const readScopes: ReadonlySet<string> = new Set(API_PROBE_SCOPES);
  return async (token) => {
    const { payload } = await jwtVerify(token, keys, options);
    const issuedAt = payload.iat as number;
    const expiresAt = payload.exp as number;
    if (expiresAt - issuedAt > API_PROBE_MAX_TOKEN_LIFETIME_SECONDS) {
      throw new AuthenticationError(
        'probe_lifetime',
        `a probe token lives at most ${API_PROBE_MAX_TOKEN_LIFETIME_SECONDS} seconds`,
      );
    }
    if (payload.sub !== API_PROBE_SUBJECT) {
      throw new AuthenticationError('invalid_sub', "the token's sub claim is not accepted");
    }
    const scopes = typeof payload.scope === 'string' ? payload.scope.split(' ').filter(Boolean) : [];
    if (scopes.length === 0 || !scopes.every((scope) => readScopes.has(scope))) {
      throw new AuthenticationError('probe_scope', 'a probe token may carry read scopes only');
    }
    return {
      subject: API_PROBE_SUBJECT,
      scopes: new Set(scopes),
      validUntil: Math.min(expiresAt, issuedAt + API_PROBE_MAX_TOKEN_LIFETIME_SECONDS),
    };
  };
}
