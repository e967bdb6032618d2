import type { JSONWebKeySet } from 'jose';
import { isPublicJwk, PRIVATE_JWK_MEMBERS } from './public-key-set.js';

/** Keys accepted in the probe's set: the current key and the next, with room for rotation. */
export const MAX_PROBE_KEYS = 4;

/**
 * Why the text is not a key set the deployment check's probe can sign for, or null when it is:
 * `{"keys":[...]}` of one to {@link MAX_PROBE_KEYS} public EC P-256 keys, each with a kid.
 * The reason names the key by position and never repeats a value from the text.
 */
export function probeKeySetProblem(text: string): string | null {
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch {
    return 'not valid JSON (expected a JSON Web Key Set: {"keys":[...]})';
  }
  const keys = (parsed as { keys?: unknown } | null)?.keys;
  if (!Array.isArray(keys) || keys.length === 0) {
    return 'expected {"keys":[...]} with at least one public P-256 key';
  }
  if (keys.length > MAX_PROBE_KEYS) {
    return `holds ${keys.length} keys; at most ${MAX_PROBE_KEYS} are accepted`;
  }
  for (const [index, key] of keys.entries()) {
    const jwk = (typeof key === 'object' && key !== null ? key : {}) as Record<string, unknown>;
    const member = PRIVATE_JWK_MEMBERS.find((name) => Object.hasOwn(jwk, name));
    if (member) {
      return `key #${index} carries the private member '${member}'; give only the public part (kty, crv, x, y, kid)`;
    }
    if (!isPublicJwk(key) || jwk.kty !== 'EC' || jwk.crv !== 'P-256') {
      return `key #${index} is not a public EC P-256 key with a kid; the deployment check signs with ES256`;
    }
  }
  return null;
}

/** The probe's key set, once {@link probeKeySetProblem} found nothing wrong with the text. */
export function parseProbeKeySet(text: string): JSONWebKeySet {
  return JSON.parse(text) as JSONWebKeySet;
}
