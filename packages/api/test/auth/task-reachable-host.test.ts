import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { isReachableFromTasks } from '../../src/auth/task-reachable-host.js';

const hostnameOf = (host: string): string => new URL(`https://${host}/jwks.json`).hostname;

describe('isReachableFromTasks', () => {
  it('accepts every address in 10.0.0.0/8, 172.16.0.0/12 and 192.168.0.0/16', () => {
    fc.assert(
      fc.property(
        fc.oneof(
          fc.tuple(fc.constant(10), fc.nat(255), fc.nat(255), fc.nat(255)),
          fc.tuple(fc.constant(172), fc.integer({ min: 16, max: 31 }), fc.nat(255), fc.nat(255)),
          fc.tuple(fc.constant(192), fc.constant(168), fc.nat(255), fc.nat(255)),
        ),
        (octets) => {
          expect(isReachableFromTasks(hostnameOf(octets.join('.')))).toBe(true);
        },
      ),
    );
  });

  it('refuses every public IPv4 address', () => {
    fc.assert(
      fc.property(fc.ipV4(), (address) => {
        const [a, b] = address.split('.').map(Number) as [number, number];
        fc.pre(a !== 10 && a !== 127 && !(a === 172 && b >= 16 && b <= 31) && !(a === 192 && b === 168));

        expect(isReachableFromTasks(hostnameOf(address))).toBe(false);
      }),
    );
  });

  it.each([
    ['idp.internal', true],
    ['ip-10-0-1-2.eu-west-1.compute.internal', true],
    ['[::1]', true],
    ['127.0.0.1', true],
    ['0x0a.0.0.1', true],
    ['internal', false],
    ['idp.internal.example.com', false],
    ['idp.internal.', false],
    ['10.0.0.1.nip.io', false],
    ['[fd00::1]', false],
    ['login.example.com', false],
  ])('answers %s with %s', (host, reachable) => {
    expect(isReachableFromTasks(hostnameOf(host))).toBe(reachable);
  });
});
