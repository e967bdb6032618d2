import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { JwksValidationError } from '../../src/errors.js';
import {
  MAX_KEYS,
  MAX_PARAMETER_BYTES,
  normalizeKeySet,
  PRIVATE_MEMBERS,
} from '../../src/jwks-mirror/validate-key-set.js';
import { publicJwk } from './keys.js';

const rsa = publicJwk('rsa-1');
const ec = publicJwk('ec-1', 'EC');
const set = (...keys: unknown[]): string => JSON.stringify({ keys });

describe('normalizeKeySet', () => {
  it('keeps only the public members of each signing key, in a fixed order', () => {
    // Prepare
    const withExtras = { x5c: ['MIIC...'], x5t: 'abc', ...rsa, issuer: 'https://idp.example.com' };

    // Act
    const result = normalizeKeySet(set(withExtras, ec));

    // Assess
    expect(JSON.parse(result.json)).toEqual({
      keys: [
        { kty: 'RSA', kid: 'rsa-1', use: 'sig', alg: 'RS256', n: rsa.n, e: rsa.e },
        { kty: 'EC', kid: 'ec-1', use: 'sig', alg: 'ES256', crv: 'P-256', x: ec.x, y: ec.y },
      ],
    });
    expect(result.kids).toEqual(['rsa-1', 'ec-1']);
  });

  it('leaves out encryption keys the provider publishes beside its signing keys', () => {
    // Prepare
    const encryption = { ...publicJwk('enc-1'), use: 'enc', alg: 'RSA-OAEP' };

    // Act
    const result = normalizeKeySet(set(rsa, encryption));

    // Assess
    expect(result.kids).toEqual(['rsa-1']);
  });

  it.each([
    ['not JSON', '{"keys":[', /not JSON/],
    ['a JSON array', '[]', /"keys" array/],
    ['keys that is not an array', '{"keys":{}}', /"keys" array/],
    ['an empty set', set(), /no keys/],
    [
      'too many keys',
      set(...Array.from({ length: MAX_KEYS + 1 }, (_, i) => ({ ...rsa, kid: `k${i}` }))),
      /at most 16/,
    ],
    ['a duplicate kid', set(rsa, { ...ec, kid: 'rsa-1' }), /kid 'rsa-1' appears more than once/],
    ['a key without kid', set({ ...rsa, kid: undefined }), /no kid/],
    ['a kid with control characters', set({ ...rsa, kid: 'a\nb' }), /no kid/],
    ['a key without kty', set({ ...rsa, kty: undefined }), /kty undefined/],
    ['an OKP key', set({ kty: 'OKP', kid: 'ed', crv: 'Ed25519', x: 'abc', use: 'sig' }), /only RSA and EC/],
    [
      'a key with neither use nor alg',
      set({ ...rsa, use: undefined, alg: undefined }),
      /neither use nor alg/,
    ],
    ['an unknown use', set({ ...rsa, use: 'wrap' }), /use "wrap"/],
    ['an RSA key without modulus', set({ ...rsa, n: undefined }), /invalid or missing 'n'/],
    ['a modulus that is not base64url', set({ ...rsa, n: 'ab+/=' }), /invalid or missing 'n'/],
    [
      'a 1024-bit RSA key',
      set({ ...rsa, n: Buffer.alloc(128, 1).toString('base64url') }),
      /shorter than 2048 bits/,
    ],
    ['an EC key on an unknown curve', set({ ...ec, crv: 'secp256k1' }), /invalid or missing 'crv'/],
    ['only encryption keys', set({ ...rsa, use: 'enc' }), /no signing key/],
    ['only HMAC-labelled keys', set({ ...rsa, alg: 'HS256', use: undefined }), /no signing key/],
    [
      'more than a standard parameter holds',
      set(
        ...Array.from({ length: 8 }, (_, i) => ({
          ...rsa,
          kid: `k${i}`,
          n: Buffer.alloc(512, i + 1).toString('base64url'),
        })),
      ),
      new RegExp(`at most ${MAX_PARAMETER_BYTES}`),
    ],
  ])('fails when the set has %s', (_name, text, message) => {
    // Act
    const act = () => normalizeKeySet(text);

    // Assess
    expect(act).toThrow(JwksValidationError);
    expect(act).toThrow(message);
  });

  it('refuses a set in which any key carries any private member, wherever it sits', () => {
    fc.assert(
      fc.property(
        fc.array(fc.constantFrom(rsa, ec), { minLength: 1, maxLength: 6 }),
        fc.nat(),
        fc.constantFrom(...PRIVATE_MEMBERS),
        fc.oneof(fc.string(), fc.constant('')),
        (picked, at, member, value) => {
          // Prepare
          const keys: Record<string, unknown>[] = picked.map((key, i) => ({ ...key, kid: `k${i}` }));
          const victim = at % keys.length;
          keys[victim] = { ...keys[victim], [member]: value };

          // Act
          const act = () => normalizeKeySet(set(...keys));

          // Assess
          expect(act).toThrow(`carries the private member '${member}'`);
        },
      ),
    );
  });

  it('returns a value that is stable under a second pass and holds no member outside the public ones', () => {
    fc.assert(
      fc.property(
        fc.array(fc.constantFrom(rsa, ec), { minLength: 1, maxLength: 6 }),
        fc.dictionary(fc.string({ minLength: 1, maxLength: 8 }), fc.jsonValue(), { maxKeys: 4 }),
        (picked, extras) => {
          // Prepare
          const safeExtras = Object.fromEntries(
            Object.entries(extras).filter(([name]) => !(PRIVATE_MEMBERS as readonly string[]).includes(name)),
          );
          const keys = picked.map((key, i) => ({ ...safeExtras, ...key, kid: `k${i}` }));

          // Act
          const first = normalizeKeySet(set(...keys));
          const second = normalizeKeySet(first.json);

          // Assess
          expect(second.json).toBe(first.json);
          for (const key of JSON.parse(first.json).keys) {
            expect(
              Object.keys(key).every((name) =>
                ['kty', 'kid', 'use', 'alg', 'n', 'e', 'crv', 'x', 'y'].includes(name),
              ),
            ).toBe(true);
          }
        },
      ),
      { numRuns: 200 },
    );
  });
});
