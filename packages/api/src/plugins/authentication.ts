import type { FastifyInstance, FastifyRequest } from 'fastify';
import fp from 'fastify-plugin';
import { createLocalJWKSet, createRemoteJWKSet, errors, jwtVerify, type JWTVerifyGetKey } from 'jose';
import { SSMClient } from '@aws-sdk/client-ssm';
import { readParameterKeySet, type ParameterReader } from '../auth/parameter-key-set.js';
import { claimsProbeIssuer, createProbeVerifier } from '../auth/probe-token.js';
import { KeySetUnavailableError, RefreshingKeySet } from '../auth/refreshing-key-set.js';
import { API_LOG_EVENTS } from '../contract.js';
import { ACCEPTED_TOKEN_TYPES, LOCAL_KEY_ID_PREFIX, type Config } from '../config.js';
import { ApiError, AuthenticationError, ForbiddenError } from '../errors.js';
import { VerifiedTokenCache } from './verified-token-cache.js';

export const SCOPES = ['patients:read', 'patients:write', 'payments:read', 'payments:write'] as const;
export type Scope = (typeof SCOPES)[number];

export interface Principal {
  /** The token's `sub`: who is acting, as recorded in the audit trail. */
  readonly subject: string;
  readonly scopes: ReadonlySet<string>;
}

declare module 'fastify' {
  interface FastifyRequest {
    principal: Principal | null;
  }
  interface FastifyContextConfig {
    /** The scope a route needs; routes that set it require a valid bearer token. */
    requiredScope?: Scope;
  }
}

export interface AuthenticationOptions {
  readonly config: Pick<Config, 'mode' | 'auth'>;
  /**
   * @default - config.auth.jwks when given; else the SSM parameter config.auth.jwksParameter,
   * kept fresh; else the remote JWKS at config.auth.jwksUrl, cached by jose
   */
  readonly keys?: JWTVerifyGetKey;
  /** Reads config.auth.jwksParameter. @default - an SSMClient for the task's region */
  readonly parameterStore?: ParameterReader;
}

/** Log events about the key parameter; `auth_keys_refresh_failed` means the keys may be stale. */
export const KEY_SOURCE_EVENTS = {
  loaded: API_LOG_EVENTS.authKeysLoaded,
  refreshFailed: API_LOG_EVENTS.authKeysRefreshFailed,
} as const;

/** RFC 6750: the scheme is case-insensitive; exactly one space, then one compact JWS. */
const BEARER = /^bearer ([A-Za-z0-9_-]+\.[A-Za-z0-9_-]*\.[A-Za-z0-9_-]*)$/i;
/** Longest `sub` accepted; it is written to every audit row. */
const MAX_SUBJECT_LENGTH = 255;
const CONTROL_CHARACTER = /\p{Cc}/u;

/**
 * Verifies `Authorization: Bearer <JWT>` on every route that declares a required scope:
 * signature against the JWKS, issuer, audience, expiry and not-before, and an algorithm
 * from the allowed list (never `none` or HMAC), a token age from `iat` within
 * config.auth.maxTokenAgeSeconds, a `sub` that names someone, and the `typ` header an access
 * token carries. Each failure is logged as an
 * `auth_failed` event with a reason, which the log metric filter counts.
 */
export const authentication = fp<AuthenticationOptions>(
  async (app: FastifyInstance, options) => {
    const { config } = options;
    const keys = options.keys ?? (await keySource(app, config, options.parameterStore));
    const verifyOptions = {
      issuer: config.auth.issuer,
      audience: config.auth.audience,
      algorithms: [...config.auth.algorithms],
      requiredClaims: ['sub', 'exp', 'iat'],
      maxTokenAge: config.auth.maxTokenAgeSeconds,
      clockTolerance: 5,
      ...(config.auth.tokenType ? { typ: config.auth.tokenType } : {}),
    };
    const verified = new VerifiedTokenCache<Principal>();
    // Only with AUTH_PROBE_JWKS set; without it a probe token meets the identity provider's keys and fails.
    const verifyProbe = config.auth.probeJwks
      ? createProbeVerifier(config.auth.probeJwks, config.auth.audience)
      : null;

    app.decorateRequest('principal', null);
    app.addHook('onRequest', async (request) => {
      const requiredScope = request.routeOptions.config.requiredScope;
      if (!requiredScope) return;
      try {
        request.principal = await verify(request);
      } catch (error) {
        if (error instanceof AuthenticationError) {
          request.log.warn(
            { event: API_LOG_EVENTS.authFailed, reason: error.reason },
            'authentication failed',
          );
        }
        throw error;
      }
      if (!request.principal.scopes.has(requiredScope)) {
        request.log.warn(
          { event: API_LOG_EVENTS.accessDenied, subject: request.principal.subject, requiredScope },
          'missing scope',
        );
        throw new ForbiddenError(requiredScope);
      }
    });

    async function verify(request: FastifyRequest): Promise<Principal> {
      const header = request.headers.authorization;
      if (header === undefined) throw new AuthenticationError('missing_token', 'a bearer token is required');
      const token = BEARER.exec(header)?.[1];
      if (!token)
        throw new AuthenticationError('malformed_token', 'the authorization header is not a bearer JWT');
      const cached = verified.get(token);
      if (cached) return cached;
      try {
        if (verifyProbe && claimsProbeIssuer(token)) {
          const probe = await verifyProbe(token);
          const principal: Principal = { subject: probe.subject, scopes: probe.scopes };
          verified.set(token, principal, probe.validUntil);
          return principal;
        }
        const { payload, protectedHeader } = await jwtVerify(token, keys, verifyOptions);
        if (config.mode !== 'local' && protectedHeader.kid?.startsWith(LOCAL_KEY_ID_PREFIX)) {
          throw new AuthenticationError(
            'local_key',
            'development signing keys are refused outside local mode',
          );
        }
        if (!config.auth.tokenType) checkTokenType(protectedHeader.typ);
        const principal: Principal = { subject: subjectOf(payload.sub), scopes: scopesOf(payload) };
        const oldestAcceptedUntil = (payload.iat as number) + config.auth.maxTokenAgeSeconds;
        verified.set(token, principal, Math.min(payload.exp as number, oldestAcceptedUntil));
        return principal;
      } catch (error) {
        throw classify(error);
      }
    }
  },
  { name: 'authentication' },
);

async function keySource(
  app: FastifyInstance,
  config: Pick<Config, 'auth'>,
  parameterStore: ParameterReader | undefined,
): Promise<JWTVerifyGetKey> {
  if (config.auth.jwks) return createLocalJWKSet(config.auth.jwks);
  const parameter = config.auth.jwksParameter;
  if (!parameter)
    return createRemoteJWKSet(new URL(config.auth.jwksUrl as string), { timeoutDuration: 2000 });
  const ssm = parameterStore ?? new SSMClient({});
  const keySet = new RefreshingKeySet({
    load: () => readParameterKeySet(ssm, parameter),
    onRefreshed: (kids) =>
      app.log.info({ event: KEY_SOURCE_EVENTS.loaded, parameter, kids }, 'token keys loaded'),
    onRefreshFailed: (error) =>
      app.log.warn(
        { event: KEY_SOURCE_EVENTS.refreshFailed, parameter, err: error },
        'token keys not refreshed; the last good keys stay in use',
      ),
  });
  await keySet.start();
  app.addHook('onClose', async () => keySet.stop());
  return keySet.getKey;
}

function checkTokenType(typ: unknown): void {
  if (typ === undefined) return;
  const accepted = ACCEPTED_TOKEN_TYPES.map((type) => type.toLowerCase());
  if (typeof typ !== 'string' || !accepted.includes(typ.toLowerCase())) {
    throw new AuthenticationError('invalid_typ', 'the token type is not an access token');
  }
}

function subjectOf(sub: unknown): string {
  if (
    typeof sub !== 'string' ||
    sub.trim() === '' ||
    sub.length > MAX_SUBJECT_LENGTH ||
    CONTROL_CHARACTER.test(sub)
  ) {
    throw new AuthenticationError('invalid_sub', "the token's sub claim is not accepted");
  }
  return sub;
}

function scopesOf(payload: Record<string, unknown>): ReadonlySet<string> {
  if (typeof payload.scope === 'string') return new Set(payload.scope.split(' ').filter(Boolean));
  if (Array.isArray(payload.scp)) return new Set(payload.scp.filter((item) => typeof item === 'string'));
  return new Set();
}

function classify(error: unknown): ApiError {
  if (error instanceof ApiError) return error;
  if (
    error instanceof errors.JWKSTimeout ||
    error instanceof KeySetUnavailableError ||
    isJwksFetchFailure(error)
  ) {
    return new ApiError(503, 'auth_unavailable', 'token keys cannot be fetched right now; retry shortly', {
      cause: error,
      headers: { 'retry-after': '5' },
    });
  }
  if (error instanceof errors.JWTExpired && error.claim === 'iat')
    return new AuthenticationError('too_old', 'the token was issued too long ago', error);
  if (error instanceof errors.JWTExpired)
    return new AuthenticationError('expired', 'the token has expired', error);
  if (error instanceof errors.JWTClaimValidationFailed) {
    const reason = error.claim === 'nbf' ? 'not_yet_valid' : `invalid_${error.claim}`;
    return new AuthenticationError(reason, `the token's ${error.claim} claim is not accepted`, error);
  }
  if (error instanceof errors.JOSEAlgNotAllowed || error instanceof errors.JOSENotSupported) {
    return new AuthenticationError(
      'algorithm_not_allowed',
      'the token is signed with an algorithm not allowed',
      error,
    );
  }
  if (error instanceof errors.JWKSNoMatchingKey || error instanceof errors.JWKSMultipleMatchingKeys) {
    return new AuthenticationError('unknown_key', 'the token is signed by an unknown key', error);
  }
  if (error instanceof errors.JWSSignatureVerificationFailed) {
    return new AuthenticationError('bad_signature', 'the token signature is invalid', error);
  }
  return new AuthenticationError('malformed_token', 'the token is malformed', error);
}

/** The key set could not be fetched or parsed: the token may be fine, so this is not a 401. */
function isJwksFetchFailure(error: unknown): boolean {
  if (error instanceof TypeError && /fetch failed/i.test(error.message)) return true;
  if (error instanceof errors.JWKSInvalid) return true;
  return (
    error instanceof errors.JOSEError &&
    error.code === 'ERR_JOSE_GENERIC' &&
    /JSON Web Key Set/.test(error.message)
  );
}
