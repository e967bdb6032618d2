import { ResourcePropertiesError } from '../errors.js';
import type { CustomResourceEvent } from '../shared/custom-resource.js';
import { requiredString, secretArn } from '../shared/custom-resource.js';

/** What every Cloudflare custom resource is told: where the zone is, how to reach it, and whose records are whose. */
export interface CloudflareZoneProperties {
  readonly apiTokenSecretArn: string;
  readonly zoneId: string;
  /** Names this resource's records: the stack name and logical id unless given. */
  readonly ownerTag: string;
  /** Written as each record's comment; only records carrying it are ever changed or deleted. */
  readonly ownerComment: string;
}

const ZONE_ID = /^[0-9a-f]{32}$/;
const OWNER_PREFIX = 'managed by citadel: ';
const MAX_COMMENT_LENGTH = 100;

/** DNS name syntax after {@link normalizeHostname}: labels of letters, digits, `-` and `_` (ACM's validation names start with `_`). */
export const HOSTNAME =
  /^(?=.{1,253}$)([a-z0-9_]([a-z0-9_-]{0,61}[a-z0-9])?)(\.[a-z0-9_]([a-z0-9_-]{0,61}[a-z0-9])?)*$/;

/** Reads `ApiTokenSecretArn`, `ZoneId` and `OwnerTag?` (default: the stack name and logical id). */
export function parseZoneProperties(
  event: CustomResourceEvent,
  properties: Record<string, unknown>,
): CloudflareZoneProperties {
  const zoneId = requiredString(properties, 'ZoneId');
  if (!ZONE_ID.test(zoneId)) {
    throw new ResourcePropertiesError(
      `property ZoneId must be a 32-character hexadecimal Cloudflare zone id, got "${zoneId}"`,
    );
  }
  const ownerTag =
    properties.OwnerTag === undefined ? defaultOwnerTag(event) : requiredString(properties, 'OwnerTag');
  const ownerComment = `${OWNER_PREFIX}${ownerTag}`;
  if (ownerComment.length > MAX_COMMENT_LENGTH) {
    throw new ResourcePropertiesError(
      `the owner comment "${ownerComment}" is longer than Cloudflare's ${MAX_COMMENT_LENGTH} characters; set a shorter OwnerTag`,
    );
  }
  return { apiTokenSecretArn: secretArn(properties, 'ApiTokenSecretArn'), zoneId, ownerTag, ownerComment };
}

function defaultOwnerTag(event: CustomResourceEvent): string {
  const stackName = event.StackId.split('/')[1] ?? event.StackId;
  return `${stackName}/${event.LogicalResourceId}`;
}
