import { ResourcePropertiesError } from '../errors.js';
import { normalizeHostname } from '../cloudflare/sync-records.js';
import {
  HOSTNAME,
  parseZoneProperties,
  type CloudflareZoneProperties,
} from '../cloudflare/zone-properties.js';
import type { CustomResourceEvent } from '../shared/custom-resource.js';

export interface CertificateTag {
  readonly Key: string;
  readonly Value: string;
}

export interface CloudflareCertificateProperties extends CloudflareZoneProperties {
  /** Lower case, without a trailing dot; may start with `*.`. */
  readonly domainName: string;
  /** Other names the certificate covers, sorted, without the domain name itself. */
  readonly subjectAlternativeNames: readonly string[];
  readonly tags: readonly CertificateTag[];
}

const MAX_NAMES = 100;
const TAG_KEY = /^[\p{L}\p{Z}\p{N}_.:/=+\-@]{1,128}$/u;
const TAG_VALUE = /^[\p{L}\p{Z}\p{N}_.:/=+\-@]{0,256}$/u;

/**
 * Reads the properties: `ApiTokenSecretArn`, `ZoneId`, `OwnerTag?` (as for the DNS records
 * resource), `DomainName`, `SubjectAlternativeNames?` (list) and `Tags?` (list of `{ Key, Value }`).
 */
export function parseCertificateProperties(
  event: CustomResourceEvent,
  properties: Record<string, unknown> = event.ResourceProperties,
): CloudflareCertificateProperties {
  const zone = parseZoneProperties(event, properties);
  const domainName = domain(properties.DomainName, 'DomainName');
  const rawNames = properties.SubjectAlternativeNames ?? [];
  if (!Array.isArray(rawNames)) {
    throw new ResourcePropertiesError('property SubjectAlternativeNames must be a list of DNS names');
  }
  const alternatives = rawNames.map((name, index) => domain(name, `SubjectAlternativeNames[${index}]`));
  const subjectAlternativeNames = [...new Set(alternatives)].filter((name) => name !== domainName).sort();
  if (subjectAlternativeNames.length + 1 > MAX_NAMES) {
    throw new ResourcePropertiesError(
      `a certificate covers at most ${MAX_NAMES} names, got ${subjectAlternativeNames.length + 1}`,
    );
  }
  return { ...zone, domainName, subjectAlternativeNames, tags: parseTags(properties.Tags) };
}

/** Every name the certificate covers, in a stable order: what decides whether an Update needs a new certificate. */
export function certificateNames(properties: CloudflareCertificateProperties): string[] {
  return [properties.domainName, ...properties.subjectAlternativeNames];
}

function domain(value: unknown, property: string): string {
  const normalized = typeof value === 'string' ? normalizeHostname(value) : '';
  const bare = normalized.startsWith('*.') ? normalized.slice(2) : normalized;
  if (!HOSTNAME.test(bare) || bare.includes('_') || !bare.includes('.')) {
    throw new ResourcePropertiesError(
      `property ${property} must be a fully qualified DNS name (optionally starting with "*."), got "${String(value)}"`,
    );
  }
  return normalized;
}

function parseTags(raw: unknown): CertificateTag[] {
  if (raw === undefined) return [];
  if (!Array.isArray(raw))
    throw new ResourcePropertiesError('property Tags must be a list of { Key, Value }');
  return raw.map((tag: unknown, index) => {
    const { Key, Value } = (typeof tag === 'object' && tag !== null ? tag : {}) as Record<string, unknown>;
    if (typeof Key !== 'string' || !TAG_KEY.test(Key) || Key.toLowerCase().startsWith('aws:')) {
      throw new ResourcePropertiesError(
        `property Tags[${index}].Key must be 1-128 characters, not starting with "aws:", got "${String(Key)}"`,
      );
    }
    if (typeof Value !== 'string' || !TAG_VALUE.test(Value)) {
      throw new ResourcePropertiesError(
        `property Tags[${index}].Value must be at most 256 characters, got "${String(Value)}"`,
      );
    }
    return { Key, Value };
  });
}
