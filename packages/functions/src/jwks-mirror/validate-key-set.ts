import { JwksValidationError } from '../errors.js';

/** Keys accepted in one set; identity providers publish a handful (current, next, previous). */
export const MAX_KEYS = 16;
/** Largest value of a standard-tier SSM parameter, in bytes. */
export const MAX_PARAMETER_BYTES = 4096;
/** Members that only a private or symmetric key has; a set carrying one is refused whole. */
export const PRIVATE_MEMBERS = ['d', 'p', 'q', 'dp', 'dq', 'qi', 'oth', 'k'] as const;
export const SIGNING_ALGORITHMS = [
  'RS256',
  'RS384',
  'RS512',
  'PS256',
  'PS384',
  'PS512',
  'ES256',
  'ES384',
  'ES512',
] as const;
/** Key types and the public members each keeps, in the order they are stored. */
const PUBLIC_MEMBERS = { RSA: ['n', 'e'], EC: ['crv', 'x', 'y'] } as const;
const EC_CURVES = ['P-256', 'P-384', 'P-521'];
const MIN_RSA_MODULUS_BYTES = 256;
const BASE64URL = /^[A-Za-z0-9_-]+$/;
const KEY_ID = /^[\x21-\x7e]{1,128}$/;

export interface MirroredKeySet {
  /** `{"keys":[...]}` with only the public members of the signing keys, in a fixed order. */
  readonly json: string;
  readonly kids: readonly string[];
}

type Jwk = Record<string, unknown>;

/**
 * Checks a fetched key set as hostile input and returns what the API needs: the public
 * signing keys, each reduced to kty, kid, use, alg and its public members (certificate
 * chains and other extras are dropped). Refuses the whole set, naming the first problem,
 * when it is not JSON, has no keys or too many, repeats a kid, carries any private
 * member, has a key type other than RSA or EC, or would not fit one standard parameter.
 * Keys meant for encryption (`use: "enc"`) are checked and then left out.
 */
export function normalizeKeySet(text: string): MirroredKeySet {
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch {
    throw new JwksValidationError('the key set is not JSON');
  }
  if (!isObject(parsed) || !Array.isArray(parsed.keys)) {
    throw new JwksValidationError('the key set is not an object with a "keys" array');
  }
  const keys: unknown[] = parsed.keys;
  if (keys.length === 0) throw new JwksValidationError('the key set has no keys');
  if (keys.length > MAX_KEYS) {
    throw new JwksValidationError(`the key set has ${keys.length} keys; at most ${MAX_KEYS} are accepted`);
  }
  const seen = new Set<string>();
  const signing: Jwk[] = [];
  keys.forEach((key, index) => {
    const jwk = checkKey(key, index);
    const kid = jwk.kid as string;
    if (seen.has(kid)) throw new JwksValidationError(`kid '${kid}' appears more than once`);
    seen.add(kid);
    if (isSigningKey(jwk)) signing.push(publicPart(jwk));
  });
  if (signing.length === 0) {
    throw new JwksValidationError(
      `the key set has no signing key (use "sig" or none, alg one of ${SIGNING_ALGORITHMS.join(', ')})`,
    );
  }
  const json = JSON.stringify({ keys: signing });
  const bytes = Buffer.byteLength(json, 'utf8');
  if (bytes > MAX_PARAMETER_BYTES) {
    throw new JwksValidationError(
      `the signing keys take ${bytes} bytes; a standard SSM parameter holds at most ${MAX_PARAMETER_BYTES}`,
    );
  }
  return { json, kids: signing.map((jwk) => jwk.kid as string) };
}

function checkKey(key: unknown, index: number): Jwk {
  if (!isObject(key)) throw new JwksValidationError(`key #${index} is not an object`);
  const label = typeof key.kid === 'string' ? `key '${key.kid}'` : `key #${index}`;
  const privateMember = PRIVATE_MEMBERS.find((member) => Object.hasOwn(key, member));
  if (privateMember) {
    throw new JwksValidationError(
      `${label} carries the private member '${privateMember}'; the set is refused`,
    );
  }
  if (typeof key.kid !== 'string' || !KEY_ID.test(key.kid)) {
    throw new JwksValidationError(`${label} has no kid of 1 to 128 printable characters`);
  }
  if (key.kty !== 'RSA' && key.kty !== 'EC') {
    throw new JwksValidationError(
      `${label} has kty ${JSON.stringify(key.kty)}; only RSA and EC are supported`,
    );
  }
  if (key.use === undefined && key.alg === undefined) {
    throw new JwksValidationError(`${label} has neither use nor alg`);
  }
  if (key.use !== undefined && key.use !== 'sig' && key.use !== 'enc') {
    throw new JwksValidationError(`${label} has use ${JSON.stringify(key.use)}; expected "sig" or "enc"`);
  }
  if (key.alg !== undefined && typeof key.alg !== 'string') {
    throw new JwksValidationError(`${label} has an alg that is not a string`);
  }
  for (const member of PUBLIC_MEMBERS[key.kty]) {
    const value = key[member];
    const valid = member === 'crv' ? EC_CURVES.includes(value as string) : isBase64Url(value);
    if (!valid) throw new JwksValidationError(`${label} has an invalid or missing '${member}'`);
  }
  if (key.kty === 'RSA' && Buffer.from(key.n as string, 'base64url').length < MIN_RSA_MODULUS_BYTES) {
    throw new JwksValidationError(`${label} has an RSA modulus shorter than 2048 bits`);
  }
  return key;
}

function isSigningKey(jwk: Jwk): boolean {
  if (jwk.use === 'enc') return false;
  return jwk.alg === undefined || (SIGNING_ALGORITHMS as readonly unknown[]).includes(jwk.alg);
}

function publicPart(jwk: Jwk): Jwk {
  const kty = jwk.kty as keyof typeof PUBLIC_MEMBERS;
  const members = ['kty', 'kid', 'use', 'alg', ...PUBLIC_MEMBERS[kty]];
  return Object.fromEntries(
    members.filter((member) => jwk[member] !== undefined).map((member) => [member, jwk[member]]),
  );
}

function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function isBase64Url(value: unknown): boolean {
  return typeof value === 'string' && value.length <= 2048 && BASE64URL.test(value);
}
