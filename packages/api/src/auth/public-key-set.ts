import type { JSONWebKeySet } from 'jose';

/** Members only a private or symmetric key has. */
export const PRIVATE_JWK_MEMBERS = ['d', 'p', 'q', 'dp', 'dq', 'qi', 'k', 'oth'] as const;

/** A JWK with kty and kid and no private member. */
export function isPublicJwk(key: unknown): boolean {
  if (typeof key !== 'object' || key === null || Array.isArray(key)) return false;
  const jwk = key as Record<string, unknown>;
  return (
    typeof jwk.kty === 'string' &&
    typeof jwk.kid === 'string' &&
    PRIVATE_JWK_MEMBERS.every((member) => !Object.hasOwn(jwk, member))
  );
}

/**
 * Parses `{"keys":[...]}` of public keys only; null when the text is anything else.
 * `allowEmpty` admits `{"keys":[]}`, which a key parameter holds until its first mirror run.
 */
export function parsePublicKeySet(text: string, { allowEmpty = false } = {}): JSONWebKeySet | null {
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch {
    return null;
  }
  const keys = (parsed as { keys?: unknown } | null)?.keys;
  if (!Array.isArray(keys) || (keys.length === 0 && !allowEmpty) || !keys.every(isPublicJwk)) return null;
  return { keys } as JSONWebKeySet;
}
