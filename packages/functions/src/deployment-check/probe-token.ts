import { randomUUID } from 'node:crypto';
import { API_PROBE_MAX_TOKEN_LIFETIME_SECONDS, API_PROBE_SUBJECT } from '@citadel/api/contract';
import { SignJWT } from 'jose';
import type { ProbeSigningKey } from './probe-key.js';
import type { DeploymentCheckSettings } from './settings.js';

/** How long a probe token lives: one read through the test listener, well within the API's limit. */
export const PROBE_TOKEN_LIFETIME_SECONDS = Math.min(30, API_PROBE_MAX_TOKEN_LIFETIME_SECONDS);
/** The one scope the probe asks for. */
export const PROBE_SCOPE = 'payments:read';

/** A short-lived ES256 token for the probe principal that may only read payments. */
export function mintProbeToken(
  signing: ProbeSigningKey,
  settings: Pick<DeploymentCheckSettings, 'probeIssuer' | 'probeAudience'>,
  nowSeconds = Math.floor(Date.now() / 1000),
): Promise<string> {
  return new SignJWT({ scope: PROBE_SCOPE })
    .setProtectedHeader({ alg: 'ES256', kid: signing.kid, typ: 'JWT' })
    .setIssuer(settings.probeIssuer)
    .setAudience(settings.probeAudience)
    .setSubject(API_PROBE_SUBJECT)
    .setJti(randomUUID())
    .setIssuedAt(nowSeconds)
    .setExpirationTime(nowSeconds + PROBE_TOKEN_LIFETIME_SECONDS)
    .sign(signing.key);
}
