import { InvalidPropError } from '../invalid-prop-error.js';

/** Throws unless `zoneId` has the shape of a Cloudflare zone id (32 lower-case hex characters). */
export function assertCloudflareZoneId(constructPath: string, zoneId: string): void {
  if (!/^[a-f0-9]{32}$/.test(zoneId)) {
    throw new InvalidPropError(
      constructPath,
      'zoneId',
      zoneId,
      'give the Cloudflare zone id (32 lower-case hexadecimal characters)',
    );
  }
}
