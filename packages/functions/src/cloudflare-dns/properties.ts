import { ResourcePropertiesError } from '../errors.js';
import { normalizeHostname, type DesiredRecord } from '../cloudflare/sync-records.js';
import {
  HOSTNAME,
  parseZoneProperties,
  type CloudflareZoneProperties,
} from '../cloudflare/zone-properties.js';
import type { CustomResourceEvent } from '../shared/custom-resource.js';

export interface CloudflareDnsProperties extends CloudflareZoneProperties {
  readonly records: readonly DesiredRecord[];
}

/**
 * Reads the properties: `ApiTokenSecretArn`, `ZoneId`, `Records` (a list of `{ Name, Content,
 * Type?: 'CNAME', Ttl?: 1 | 60-86400, Proxied?: boolean }`) and `OwnerTag?` (default: the
 * stack name and logical id). CloudFormation passes numbers and booleans as strings.
 */
export function parseDnsProperties(
  event: CustomResourceEvent,
  properties: Record<string, unknown> = event.ResourceProperties,
): CloudflareDnsProperties {
  const zone = parseZoneProperties(event, properties);
  const rawRecords = properties.Records;
  if (!Array.isArray(rawRecords) || rawRecords.length === 0) {
    throw new ResourcePropertiesError(
      'property Records must be a non-empty list of { Name, Content } objects',
    );
  }
  const records = rawRecords.map((raw, index) => parseRecord(raw, index));
  const names = records.map((record) => record.name);
  const duplicate = names.find((name, index) => names.indexOf(name) !== index);
  if (duplicate) throw new ResourcePropertiesError(`property Records names ${duplicate} more than once`);
  return { ...zone, records };
}

function parseRecord(raw: unknown, index: number): DesiredRecord {
  const where = `Records[${index}]`;
  if (typeof raw !== 'object' || raw === null || Array.isArray(raw)) {
    throw new ResourcePropertiesError(`property ${where} must be an object with Name and Content`);
  }
  const record = raw as Record<string, unknown>;
  const type = record.Type ?? 'CNAME';
  if (type !== 'CNAME') {
    throw new ResourcePropertiesError(
      `property ${where}.Type must be CNAME (the only type supported), got "${String(type)}"`,
    );
  }
  const name = hostname(record, 'Name', where);
  const content = hostname(record, 'Content', where);
  const ttl = Number(record.Ttl ?? 1);
  if (!Number.isInteger(ttl) || (ttl !== 1 && (ttl < 60 || ttl > 86_400))) {
    throw new ResourcePropertiesError(
      `property ${where}.Ttl must be 1 (automatic) or 60-86400 seconds, got "${String(record.Ttl)}"`,
    );
  }
  const proxied = record.Proxied ?? false;
  if (![true, false, 'true', 'false'].includes(proxied as never)) {
    throw new ResourcePropertiesError(
      `property ${where}.Proxied must be true or false, got "${String(proxied)}"`,
    );
  }
  return { type, name, content, ttl, proxied: proxied === true || proxied === 'true' };
}

function hostname(record: Record<string, unknown>, field: string, where: string): string {
  const value = record[field];
  const normalized = typeof value === 'string' ? normalizeHostname(value) : '';
  if (!HOSTNAME.test(normalized)) {
    throw new ResourcePropertiesError(
      `property ${where}.${field} must be a DNS name, got "${String(value)}"`,
    );
  }
  return normalized;
}
