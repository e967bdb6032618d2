import { isIPv4 } from 'node:net';

/** IPv4 ranges a VPC can use (RFC 1918), plus loopback for a sidecar in the same task. */
const REACHABLE_IPV4: readonly (readonly [prefix: number, bits: number])[] = [
  [ipv4ToNumber('10.0.0.0'), 8],
  [ipv4ToNumber('172.16.0.0'), 12],
  [ipv4ToNumber('192.168.0.0'), 16],
  [ipv4ToNumber('127.0.0.0'), 8],
];

/**
 * True when a task in an isolated subnet (no route to the internet) can reach `hostname`:
 * an IPv4 literal in a private VPC range or loopback, IPv6 loopback, or a name under
 * `.internal` (the VPC's own DNS). Takes `URL.hostname`, which is already normalised.
 */
export function isReachableFromTasks(hostname: string): boolean {
  const host = hostname.toLowerCase();
  if (host === '[::1]' || host === '::1') return true;
  if (isIPv4(host)) {
    const address = ipv4ToNumber(host);
    return REACHABLE_IPV4.some(([prefix, bits]) => address >>> (32 - bits) === prefix >>> (32 - bits));
  }
  return host.endsWith('.internal') && host.length > '.internal'.length;
}

function ipv4ToNumber(address: string): number {
  return address.split('.').reduce((total, octet) => total * 256 + Number(octet), 0);
}
