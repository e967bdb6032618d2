import { ResourcePropertiesError } from '../errors.js';
import type { CustomResourceEvent } from '../shared/custom-resource.js';
import { requiredString, secretArn } from '../shared/custom-resource.js';

/** One record the resource keeps in the zone. */
export interface DesiredRecord {
  readonly type: 'CNAME';
  /** Fully qualified, lower case, without the trailing dot. */
  readonly name: string;
  readonly content: string;
  /** Seconds; 1 means automatic. */
  readonly ttl: number;
  readonly proxied: boolean;
}

export interface CloudflareDnsProperties {
  readonly apiTokenSecretArn: string;
  readonly zoneId: string;
  readonly records: readonly DesiredRecord[];
  /** Names this resource's records: the stack name and logical id unless given. */
  readonly ownerTag: string;
  /** Written as each record's comment; only records carrying it are ever changed or deleted. */
  readonly ownerComment: string;
}

const ZONE_ID = /^[0-9a-f]{32}$/;
const HOSTNAME =
  /^(?=.{1,253}$)([a-z0-9_]([a-z0-9_-]{0,61}[a-z0-9])?)(\.[a-z0-9_]([a-z0-9_-]{0,61}[a-z0-9])?)*$/;
const OWNER_PREFIX = 'managed by citadel: ';
const MAX_COMMENT_LENGTH = 100;

/**
 * Reads the properties: `ApiTokenSecretArn`, `ZoneId`, `Records` (a list of `{ Name, Content,
 * Type?: 'CNAME', Ttl?: 1 | 60-86400, Proxied?: boolean }`) and `OwnerTag?` (default: the
 * stack name and logical id). CloudFormation passes numbers and booleans as strings.
 */
export function parseDnsProperties(
  event: CustomResourceEvent,
  properties: Record<string, unknown> = event.ResourceProperties,
): CloudflareDnsProperties {
  const zoneId = requiredString(properties, 'ZoneId');
  if (!ZONE_ID.test(zoneId)) {
    throw new ResourcePropertiesError(
      `property ZoneId must be a 32-character hexadecimal Cloudflare zone id, got "${zoneId}"`,
    );
  }
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
  const ownerTag =
    properties.OwnerTag === undefined ? defaultOwnerTag(event) : requiredString(properties, 'OwnerTag');
  const ownerComment = `${OWNER_PREFIX}${ownerTag}`;
  if (ownerComment.length > MAX_COMMENT_LENGTH) {
    throw new ResourcePropertiesError(
      `the owner comment "${ownerComment}" is longer than Cloudflare's ${MAX_COMMENT_LENGTH} characters; set a shorter OwnerTag`,
    );
  }
  return {
    apiTokenSecretArn: secretArn(properties, 'ApiTokenSecretArn'),
    zoneId,
    records,
    ownerTag,
    ownerComment,
  };
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

/** Lower case without the trailing dot, as Cloudflare stores names (ACM hands them out with the dot). */
export function normalizeHostname(value: string): string {
  return value.trim().toLowerCase().replace(/\.$/, '');
}

function defaultOwnerTag(event: CustomResourceEvent): string {
  const stackName = event.StackId.split('/')[1] ?? event.StackId;
  return `${stackName}/${event.LogicalResourceId}`;
}
