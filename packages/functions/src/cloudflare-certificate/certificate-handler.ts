import { createHash } from 'node:crypto';
import type { Logger } from '@aws-lambda-powertools/logger';
import type { CertificateDetail, ResourceRecord } from '@aws-sdk/client-acm';
import { CertificateManagerError, CertificateValidationError, FunctionConfigError } from '../errors.js';
import { readApiToken } from '../cloudflare/api-token.js';
import { CloudflareDnsClient, type CloudflareDnsClientOptions } from '../cloudflare/cloudflare-client.js';
import {
  applyRecords,
  normalizeHostname,
  removeRecords,
  type DesiredRecord,
} from '../cloudflare/sync-records.js';
import type { CloudflareZoneProperties } from '../cloudflare/zone-properties.js';
import type { CustomResourceEvent, CustomResourceResponse } from '../shared/custom-resource.js';
import type { SecretsReader } from '../shared/secrets.js';
import {
  deleteCertificate,
  describeCertificate,
  failIfTerminal,
  namesOfOtherCertificates,
  requestCertificate,
  tagCertificate,
  validatedName,
  waitForValidationRecords,
  type CertificateManager,
  type CertificateTimings,
} from './certificate-manager.js';
import {
  certificateNames,
  parseCertificateProperties,
  type CloudflareCertificateProperties,
} from './properties.js';

export interface CloudflareCertificateDependencies {
  readonly acm: CertificateManager;
  readonly secrets: SecretsReader;
  readonly logger: Logger;
  /** Cloudflare client settings other than the token, which comes from the secret. */
  readonly client?: Omit<CloudflareDnsClientOptions, 'token'>;
  readonly timings?: CertificateTimings;
  /** Milliseconds since the epoch. @default Date.now */
  readonly clock?: () => number;
}

/** What the Provider framework hands `isComplete`: the request, with `onEvent`'s answer merged in. */
export type IsCompleteEvent = CustomResourceEvent & {
  readonly PhysicalResourceId: string;
  readonly Data?: Readonly<Record<string, unknown>>;
};

export interface IsCompleteResponse {
  readonly IsComplete: boolean;
  readonly Data?: Readonly<Record<string, string>>;
}

export interface CloudflareCertificateHandlers {
  readonly onEvent: (event: CustomResourceEvent) => Promise<CustomResourceResponse>;
  readonly isComplete: (event: IsCompleteEvent) => Promise<IsCompleteResponse>;
}

const ISO_INSTANT = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{3}Z$/;
const ACM_ARN = /^arn:aws[a-z-]*:acm:[a-z0-9-]+:\d{12}:certificate\/[0-9a-f-]+$/;

/**
 * A DNS-validated ACM certificate whose validation records live in a Cloudflare zone, for
 * the CDK Provider framework. `onEvent` requests the certificate and writes its validation
 * CNAMEs; `isComplete` reports done once ACM has issued it. The physical id is the ARN, so
 * a change of names or zone makes a new certificate and CloudFormation deletes the old one.
 */
export function createCloudflareCertificate({
  acm,
  secrets,
  logger,
  client: clientOptions,
  timings = {},
  clock = Date.now,
}: CloudflareCertificateDependencies): CloudflareCertificateHandlers {
  const issued = (certificateArn: string, waitStartedAt: number): CustomResourceResponse => ({
    PhysicalResourceId: certificateArn,
    Data: { CertificateArn: certificateArn, IssueWaitStartedAt: new Date(waitStartedAt).toISOString() },
  });

  const clientFor = async (zone: CloudflareZoneProperties): Promise<CloudflareDnsClient> =>
    new CloudflareDnsClient({ ...clientOptions, token: await readApiToken(secrets, zone.apiTokenSecretArn) });

  const writeValidationRecords = async (
    properties: CloudflareCertificateProperties,
    certificateArn: string,
    previousOwnerComments: readonly string[] = [],
  ): Promise<void> => {
    const records = (await waitForValidationRecords(acm, certificateArn, timings)).map(desiredRecord);
    const client = await clientFor(properties);
    const summary = await applyRecords(
      client,
      properties.zoneId,
      records,
      properties.ownerComment,
      previousOwnerComments,
    );
    logger.info('validation records applied', { certificateArn, zoneId: properties.zoneId, ...summary });
  };

  const create = async (
    event: CustomResourceEvent,
    properties: CloudflareCertificateProperties,
    startedAt = clock(),
  ): Promise<CustomResourceResponse> => {
    const certificateArn = await requestCertificate(acm, {
      domainName: properties.domainName,
      subjectAlternativeNames: properties.subjectAlternativeNames,
      idempotencyToken: idempotencyToken(event, properties),
      tags: properties.tags,
    });
    logger.info('certificate requested', { certificateArn, names: certificateNames(properties) });
    await writeValidationRecords(properties, certificateArn);
    return issued(certificateArn, startedAt);
  };

  const remove = async (
    event: CustomResourceEvent & { RequestType: 'Delete' },
  ): Promise<CustomResourceResponse> => {
    const certificateArn = event.PhysicalResourceId;
    if (!ACM_ARN.test(certificateArn)) {
      logger.warn('nothing to delete: the physical id is not a certificate ARN', { certificateArn });
      return { PhysicalResourceId: certificateArn };
    }
    const properties = parseCertificateProperties(event);
    const certificate = await describeCertificate(acm, certificateArn);
    const options = (certificate?.DomainValidationOptions ?? []).filter((option) => option.ResourceRecord);
    if (options.length > 0) {
      const others = await namesOfOtherCertificates(acm, certificateArn);
      const stillNeeded = (name: string | undefined): boolean =>
        others.incomplete || others.names.has(validatedName(name ?? ''));
      const removable = options.filter((option) => !stillNeeded(option.DomainName));
      const kept = options.length - removable.length;
      const deleted = await removeRecords(
        await clientFor(properties),
        properties.zoneId,
        removable.map((option) => desiredRecord(option.ResourceRecord as ResourceRecord)),
        properties.ownerComment,
      );
      logger.info('validation records removed', { certificateArn, deleted, keptForOtherCertificates: kept });
    }
    const outcome = await deleteCertificate(acm, certificateArn, timings);
    logger.info('certificate deleted', { certificateArn, outcome });
    return { PhysicalResourceId: certificateArn };
  };

  const update = async (
    event: CustomResourceEvent & { RequestType: 'Update' },
  ): Promise<CustomResourceResponse> => {
    const startedAt = clock();
    const properties = parseCertificateProperties(event);
    const old = parseCertificateProperties(event, event.OldResourceProperties);
    const certificateArn = event.PhysicalResourceId;
    const sameNames = certificateNames(old).join(',') === certificateNames(properties).join(',');
    const replace =
      !sameNames ||
      old.zoneId !== properties.zoneId ||
      !ACM_ARN.test(certificateArn) ||
      // Deleted outside the stack: a new one keeps the listener served.
      (await describeCertificate(acm, certificateArn)) === undefined;
    if (replace) {
      logger.info('replacing the certificate', { certificateArn, names: certificateNames(properties) });
      return create(event, properties, startedAt);
    }
    const previousOwners = old.ownerComment !== properties.ownerComment ? [old.ownerComment] : [];
    await writeValidationRecords(properties, certificateArn, previousOwners);
    if (JSON.stringify(old.tags) !== JSON.stringify(properties.tags)) {
      await tagCertificate(acm, certificateArn, properties.tags);
    }
    return issued(certificateArn, startedAt);
  };

  return {
    onEvent: async (event) => {
      if (event.RequestType === 'Delete') return remove(event);
      if (event.RequestType === 'Update') return update(event);
      return create(event, parseCertificateProperties(event));
    },

    isComplete: async (event) => {
      if (event.RequestType === 'Delete') return { IsComplete: true };
      const certificateArn = event.PhysicalResourceId;
      const certificate = await describeCertificate(acm, certificateArn);
      if (!certificate) {
        throw new CertificateManagerError(
          `certificate ${certificateArn} no longer exists in ACM (deleted outside the stack?); retry the deployment to request a new one`,
        );
      }
      failIfTerminal(certificate);
      logger.info('certificate status', { certificateArn, status: certificate.Status });
      if (certificate.Status === 'ISSUED')
        return { IsComplete: true, Data: { CertificateArn: certificateArn } };
      failIfWaitedTooLong(certificate, event, timings.issueTimeoutMs, clock());
      return { IsComplete: false };
    },
  };
}

/**
 * `CERTIFICATE_ISSUE_TIMEOUT_SECONDS` in milliseconds; unset means no limit of the handler's
 * own. At most 3600: CloudFormation never waits longer for a custom resource.
 */
export function issueTimeoutMs(seconds: string | undefined): number | undefined {
  if (seconds === undefined) return undefined;
  const value = Number(seconds);
  if (!/^\d+$/.test(seconds) || value < 1 || value > 3600) {
    throw new FunctionConfigError(
      `CERTIFICATE_ISSUE_TIMEOUT_SECONDS = ${JSON.stringify(seconds)}; give whole seconds from 1 to 3600`,
    );
  }
  return value * 1000;
}

/**
 * Throws once the certificate has waited `issueTimeoutMs` since `onEvent` started, so the
 * deployment fails with a reason instead of CloudFormation's timeout. A wait whose start is
 * unknown or unreadable is left to the provider framework's own limit.
 */
export function failIfWaitedTooLong(
  certificate: CertificateDetail,
  event: IsCompleteEvent,
  issueTimeoutMs: number | undefined,
  now: number,
): void {
  const recorded = event.Data?.IssueWaitStartedAt;
  if (issueTimeoutMs === undefined || typeof recorded !== 'string' || !ISO_INSTANT.test(recorded)) return;
  const startedAt = Date.parse(recorded);
  const waitedMs = now - startedAt;
  if (waitedMs < issueTimeoutMs) return;
  const names = [certificate.DomainName, ...(certificate.SubjectAlternativeNames ?? [])]
    .filter((name, index, all) => name && all.indexOf(name) === index)
    .join(', ');
  throw new CertificateValidationError(
    `certificate ${certificate.CertificateArn} is still ${certificate.Status ?? 'UNKNOWN'} ${Math.floor(waitedMs / 60_000)} minutes after it was requested, the longest this resource waits (CloudFormation gives a custom resource one hour); check that the Cloudflare zone serves ${names} and holds the validation CNAME records, then retry the deployment`,
  );
}

/**
 * `\w{32}` from the stack, the logical id, CloudFormation's request id and the names: a
 * retried delivery of the same request gets the same certificate, any other request a new one.
 */
export function idempotencyToken(
  event: CustomResourceEvent,
  properties: CloudflareCertificateProperties,
): string {
  return createHash('sha256')
    .update(
      [event.StackId, event.LogicalResourceId, event.RequestId, ...certificateNames(properties)].join('\n'),
    )
    .digest('hex')
    .slice(0, 32);
}

function desiredRecord(record: ResourceRecord): DesiredRecord {
  return {
    type: 'CNAME',
    name: normalizeHostname(record.Name ?? ''),
    content: normalizeHostname(record.Value ?? ''),
    ttl: 1,
    proxied: false,
  };
}
