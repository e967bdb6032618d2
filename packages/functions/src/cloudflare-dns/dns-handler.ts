import type { Logger } from '@aws-lambda-powertools/logger';
import { readApiToken } from '../cloudflare/api-token.js';
import { CloudflareDnsClient, type CloudflareDnsClientOptions } from '../cloudflare/cloudflare-client.js';
import { applyRecords, removeRecords } from '../cloudflare/sync-records.js';
import type { CustomResourceEvent, CustomResourceResponse } from '../shared/custom-resource.js';
import type { SecretsReader } from '../shared/secrets.js';
import { parseDnsProperties, type CloudflareDnsProperties } from './properties.js';

export interface CloudflareDnsDependencies {
  readonly secrets: SecretsReader;
  readonly logger: Logger;
  /** Client settings other than the token, which comes from the secret. */
  readonly client?: Omit<CloudflareDnsClientOptions, 'token'>;
}

export type CloudflareDnsHandler = (event: CustomResourceEvent) => Promise<CustomResourceResponse>;

/**
 * `onEvent` handler for the CDK Provider framework. Create and Update converge the zone on
 * the listed records (an Update also removes owned records no longer listed); Delete
 * removes only records carrying this resource's owner comment. The physical id names the
 * zone and owner, so moving either makes CloudFormation delete the old set afterwards.
 */
export function createCloudflareDns({
  secrets,
  logger,
  client: clientOptions,
}: CloudflareDnsDependencies): CloudflareDnsHandler {
  const clientFor = async (properties: CloudflareDnsProperties): Promise<CloudflareDnsClient> =>
    new CloudflareDnsClient({
      ...clientOptions,
      token: await readApiToken(secrets, properties.apiTokenSecretArn),
    });

  return async (event) => {
    const properties = parseDnsProperties(event);
    const physicalResourceId = `cloudflare-dns/${properties.zoneId}/${properties.ownerTag}`;
    const client = await clientFor(properties);

    if (event.RequestType === 'Delete') {
      const deleted = await removeRecords(
        client,
        properties.zoneId,
        properties.records,
        properties.ownerComment,
      );
      logger.info('dns records removed', { zoneId: properties.zoneId, deleted });
      return { PhysicalResourceId: event.PhysicalResourceId };
    }

    const old =
      event.RequestType === 'Update' ? parseDnsProperties(event, event.OldResourceProperties) : undefined;
    // A new owner tag in the same zone takes the old tag's records over, so that
    // CloudFormation's Delete of the old physical id finds nothing left to remove.
    const previousOwners =
      old && old.zoneId === properties.zoneId && old.ownerComment !== properties.ownerComment
        ? [old.ownerComment]
        : [];
    const summary = await applyRecords(
      client,
      properties.zoneId,
      properties.records,
      properties.ownerComment,
      previousOwners,
    );
    let removed = 0;
    if (event.RequestType === 'Update' && old && event.PhysicalResourceId === physicalResourceId) {
      const kept = new Set(properties.records.map((record) => record.name));
      const dropped = old.records.filter((record) => !kept.has(record.name));
      removed = await removeRecords(client, properties.zoneId, dropped, properties.ownerComment);
    }
    logger.info('dns records applied', {
      requestType: event.RequestType,
      zoneId: properties.zoneId,
      ...summary,
      removed,
    });
    return {
      PhysicalResourceId: physicalResourceId,
      Data: { RecordNames: properties.records.map((record) => record.name).join(',') },
    };
  };
}
