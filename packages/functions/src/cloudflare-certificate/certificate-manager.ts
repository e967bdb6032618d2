import {
  AddTagsToCertificateCommand,
  DeleteCertificateCommand,
  DescribeCertificateCommand,
  ListCertificatesCommand,
  RequestCertificateCommand,
  type AddTagsToCertificateCommandOutput,
  type CertificateDetail,
  type DeleteCertificateCommandOutput,
  type DescribeCertificateCommandOutput,
  type ListCertificatesCommandOutput,
  type RequestCertificateCommandOutput,
  type ResourceRecord,
} from '@aws-sdk/client-acm';
import { CertificateInUseError, CertificateManagerError, CertificateValidationError } from '../errors.js';
import type { CertificateTag } from './properties.js';

/** The ACM calls the certificate resource makes; `ACMClient` satisfies it. */
export interface CertificateManager {
  send(command: RequestCertificateCommand): Promise<RequestCertificateCommandOutput>;
  send(command: DescribeCertificateCommand): Promise<DescribeCertificateCommandOutput>;
  send(command: DeleteCertificateCommand): Promise<DeleteCertificateCommandOutput>;
  send(command: AddTagsToCertificateCommand): Promise<AddTagsToCertificateCommandOutput>;
  send(command: ListCertificatesCommand): Promise<ListCertificatesCommandOutput>;
}

export interface CertificateTimings {
  /** DescribeCertificate calls while waiting for ACM to publish the validation records. @default 12 */
  readonly validationPollAttempts?: number;
  /** Wait between those calls. @default 5000 */
  readonly validationPollDelayMs?: number;
  /** DeleteCertificate attempts while the certificate is still in use. @default 5 */
  readonly deleteAttempts?: number;
  /** Wait before delete retry n is 2^(n-1) times this. @default 10000 */
  readonly deleteRetryDelayMs?: number;
  /**
   * How long after the request `isComplete` keeps waiting for ACM to issue the certificate
   * before it fails the deployment, so it fails with a reason before CloudFormation stops
   * waiting for the resource (one hour at most). @default - no limit of its own
   */
  readonly issueTimeoutMs?: number;
}

/** Statuses from which a certificate never becomes ISSUED. */
const TERMINAL_STATUSES = new Set(['FAILED', 'VALIDATION_TIMED_OUT', 'REVOKED', 'EXPIRED', 'INACTIVE']);

export interface CertificateRequest {
  readonly domainName: string;
  readonly subjectAlternativeNames: readonly string[];
  /** `\w{1,32}`: ACM answers a repeated request with this token, within an hour, with the same certificate. */
  readonly idempotencyToken: string;
  readonly tags: readonly CertificateTag[];
}

/** Requests a DNS-validated certificate and returns its ARN. */
export async function requestCertificate(
  acm: CertificateManager,
  request: CertificateRequest,
): Promise<string> {
  const output = await call(`RequestCertificate for ${request.domainName}`, () =>
    acm.send(
      new RequestCertificateCommand({
        DomainName: request.domainName,
        ...(request.subjectAlternativeNames.length > 0
          ? { SubjectAlternativeNames: [request.domainName, ...request.subjectAlternativeNames] }
          : {}),
        ValidationMethod: 'DNS',
        IdempotencyToken: request.idempotencyToken,
        ...(request.tags.length > 0 ? { Tags: [...request.tags] } : {}),
      }),
    ),
  );
  if (!output.CertificateArn) {
    throw new CertificateManagerError(`RequestCertificate for ${request.domainName} returned no ARN`);
  }
  return output.CertificateArn;
}

/** The certificate, or undefined when ACM does not know it (deleted, or never created). */
export async function describeCertificate(
  acm: CertificateManager,
  certificateArn: string,
): Promise<CertificateDetail | undefined> {
  try {
    const output = await acm.send(new DescribeCertificateCommand({ CertificateArn: certificateArn }));
    return output.Certificate;
  } catch (error) {
    if (errorName(error) === 'ResourceNotFoundException') return undefined;
    throw new CertificateManagerError(`DescribeCertificate ${certificateArn} failed`, { cause: error });
  }
}

/** The CNAME records that prove control of each name, once ACM has published them (one per distinct record). */
export function validationRecords(certificate: CertificateDetail | undefined): ResourceRecord[] | undefined {
  const options = certificate?.DomainValidationOptions ?? [];
  if (options.length === 0 || options.some((option) => !option.ResourceRecord)) return undefined;
  const byName = new Map<string, ResourceRecord>();
  for (const option of options) {
    const record = option.ResourceRecord as ResourceRecord;
    if (record.Name) byName.set(record.Name, record);
  }
  return [...byName.values()];
}

/** ACM publishes the validation records a few seconds after the request; waits for them. */
export async function waitForValidationRecords(
  acm: CertificateManager,
  certificateArn: string,
  timings: CertificateTimings,
): Promise<ResourceRecord[]> {
  const attempts = timings.validationPollAttempts ?? 12;
  for (let attempt = 1; ; attempt += 1) {
    const certificate = await describeCertificate(acm, certificateArn);
    if (!certificate) {
      throw new CertificateManagerError(
        `certificate ${certificateArn} does not exist (deleted outside the stack?)`,
      );
    }
    failIfTerminal(certificate);
    const records = validationRecords(certificate);
    if (records) return records;
    if (attempt >= attempts) {
      throw new CertificateValidationError(
        `ACM published no DNS validation records for ${certificateArn} after ${attempts} checks; retry the deployment`,
      );
    }
    await sleep(timings.validationPollDelayMs ?? 5_000);
  }
}

/** Throws when the certificate is in a status it never leaves for ISSUED. */
export function failIfTerminal(certificate: CertificateDetail): void {
  const status = certificate.Status ?? 'UNKNOWN';
  if (!TERMINAL_STATUSES.has(status)) return;
  const reason = certificate.FailureReason ? ` (${certificate.FailureReason})` : '';
  const hint =
    status === 'VALIDATION_TIMED_OUT'
      ? '; the validation CNAME records were not found in DNS within 72 hours: check the zone is the one serving the domain'
      : '';
  throw new CertificateValidationError(
    `certificate ${certificate.CertificateArn} for ${certificate.DomainName} is ${status}${reason}${hint}`,
  );
}

/** Adds or overwrites tags on the certificate. */
export async function tagCertificate(
  acm: CertificateManager,
  certificateArn: string,
  tags: readonly CertificateTag[],
): Promise<void> {
  if (tags.length === 0) return;
  await call(`AddTagsToCertificate ${certificateArn}`, () =>
    acm.send(new AddTagsToCertificateCommand({ CertificateArn: certificateArn, Tags: [...tags] })),
  );
}

/**
 * Deletes the certificate; one already gone counts as deleted. A load balancer lets go of
 * a certificate a little after its listener is deleted, so "in use" is retried with backoff.
 */
export async function deleteCertificate(
  acm: CertificateManager,
  certificateArn: string,
  timings: CertificateTimings,
): Promise<'deleted' | 'already gone'> {
  const attempts = timings.deleteAttempts ?? 5;
  for (let attempt = 1; ; attempt += 1) {
    try {
      await acm.send(new DeleteCertificateCommand({ CertificateArn: certificateArn }));
      return 'deleted';
    } catch (error) {
      const name = errorName(error);
      if (name === 'ResourceNotFoundException') return 'already gone';
      if (name !== 'ResourceInUseException') {
        throw new CertificateManagerError(`DeleteCertificate ${certificateArn} failed`, { cause: error });
      }
      if (attempt >= attempts) {
        throw new CertificateInUseError(
          `certificate ${certificateArn} is still in use after ${attempts} attempts to delete it; detach it from every load balancer listener (ACM shows where under "Associated resources") and retry`,
          { cause: error },
        );
      }
      await sleep((timings.deleteRetryDelayMs ?? 10_000) * 2 ** (attempt - 1));
    }
  }
}

/**
 * Names covered by the account's other pending or issued certificates. ACM gives the
 * same validation record to every certificate of the account for the same name, so a
 * record one of them still needs for renewal must stay when this certificate goes. A
 * certificate whose name list is cut short covers, as far as this knows, every name.
 */
export async function namesOfOtherCertificates(
  acm: CertificateManager,
  certificateArn: string,
): Promise<{ names: Set<string>; incomplete: boolean }> {
  const names = new Set<string>();
  let incomplete = false;
  let nextToken: string | undefined;
  do {
    const page = await call('ListCertificates', () =>
      acm.send(
        new ListCertificatesCommand({
          CertificateStatuses: ['PENDING_VALIDATION', 'ISSUED'],
          Includes: {
            keyTypes: [
              'RSA_1024',
              'RSA_2048',
              'RSA_3072',
              'RSA_4096',
              'EC_prime256v1',
              'EC_secp384r1',
              'EC_secp521r1',
            ],
          },
          NextToken: nextToken,
        }),
      ),
    );
    for (const summary of page.CertificateSummaryList ?? []) {
      if (summary.CertificateArn === certificateArn) continue;
      if (summary.HasAdditionalSubjectAlternativeNames) incomplete = true;
      for (const name of [summary.DomainName, ...(summary.SubjectAlternativeNameSummaries ?? [])]) {
        if (name) names.add(validatedName(name));
      }
    }
    nextToken = page.NextToken;
  } while (nextToken);
  return { names, incomplete };
}

/** The name a validation record proves: a wildcard is validated through its base name. */
export function validatedName(domainName: string): string {
  return domainName.toLowerCase().replace(/\.$/, '').replace(/^\*\./, '');
}

async function call<T>(what: string, send: () => Promise<T>): Promise<T> {
  try {
    return await send();
  } catch (error) {
    throw new CertificateManagerError(`${what} failed: ${errorName(error)}`, { cause: error });
  }
}

function errorName(error: unknown): string {
  return (error as { name?: unknown } | undefined)?.name?.toString() ?? 'Error';
}

function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}
