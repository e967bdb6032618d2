import { createHash, randomUUID } from 'node:crypto';
import type { DeleteCertificateCommand } from '@aws-sdk/client-acm';
import {
  AddTagsToCertificateCommand,
  DescribeCertificateCommand,
  ListCertificatesCommand,
  RequestCertificateCommand,
  type AddTagsToCertificateCommandOutput,
  type CertificateDetail,
  type CertificateStatus,
  type DeleteCertificateCommandOutput,
  type DescribeCertificateCommandOutput,
  type ListCertificatesCommandOutput,
  type RequestCertificateCommandOutput,
  type Tag,
} from '@aws-sdk/client-acm';
import type { CertificateManager } from '../../src/cloudflare-certificate/certificate-manager.js';

type AcmCommand =
  | RequestCertificateCommand
  | DescribeCertificateCommand
  | DeleteCertificateCommand
  | AddTagsToCertificateCommand
  | ListCertificatesCommand;

interface StoredCertificate {
  readonly arn: string;
  readonly names: string[];
  readonly token: string | undefined;
  status: CertificateStatus;
  failureReason?: string;
  tags: Tag[];
  describes: number;
}

const ACCOUNT = '123456789012';

/**
 * ACM at the AWS API boundary, which tests cannot reach: the five certificate calls the
 * resource makes, with idempotency tokens, validation records that appear after a number
 * of DescribeCertificate calls (the same record for the same name, as ACM does within an
 * account), statuses set by the test, and forced errors.
 */
export class FakeAcm implements CertificateManager {
  readonly certificates = new Map<string, StoredCertificate>();
  readonly calls: string[] = [];
  readonly requests: RequestCertificateCommand['input'][] = [];
  /** DescribeCertificate calls on a certificate before its validation records show. */
  describesBeforeRecords = 1;
  private inUse = new Map<string, number>();
  private forced = new Map<string, Error[]>();

  send(command: RequestCertificateCommand): Promise<RequestCertificateCommandOutput>;
  send(command: DescribeCertificateCommand): Promise<DescribeCertificateCommandOutput>;
  send(command: DeleteCertificateCommand): Promise<DeleteCertificateCommandOutput>;
  send(command: AddTagsToCertificateCommand): Promise<AddTagsToCertificateCommandOutput>;
  send(command: ListCertificatesCommand): Promise<ListCertificatesCommandOutput>;
  async send(command: AcmCommand): Promise<object> {
    const name = command.constructor.name.replace(/Command$/, '');
    this.calls.push(name);
    const forced = this.forced.get(name)?.shift();
    if (forced) throw forced;
    const $metadata = { httpStatusCode: 200 };
    if (command instanceof RequestCertificateCommand)
      return { $metadata, CertificateArn: this.request(command.input) };
    if (command instanceof ListCertificatesCommand)
      return { $metadata, CertificateSummaryList: this.list(command.input) };
    const certificate = this.certificates.get(command.input.CertificateArn ?? '');
    if (!certificate) throw acmError('ResourceNotFoundException', 'Could not find certificate');
    if (command instanceof DescribeCertificateCommand) {
      certificate.describes += 1;
      return { $metadata, Certificate: this.detail(certificate) };
    }
    if (command instanceof AddTagsToCertificateCommand) {
      for (const tag of command.input.Tags ?? []) {
        certificate.tags = [...certificate.tags.filter((old) => old.Key !== tag.Key), tag];
      }
      return { $metadata };
    }
    const inUse = this.inUse.get(certificate.arn) ?? 0;
    if (inUse > 0) {
      this.inUse.set(certificate.arn, inUse - 1);
      throw acmError('ResourceInUseException', `Certificate ${certificate.arn} in use by a load balancer`);
    }
    this.certificates.delete(certificate.arn);
    return { $metadata };
  }

  setStatus(arn: string, status: CertificateStatus, failureReason?: string): void {
    const certificate = this.certificates.get(arn);
    if (!certificate) throw new Error(`no certificate ${arn}`);
    certificate.status = status;
    certificate.failureReason = failureReason;
  }

  /** DeleteCertificate answers ResourceInUseException this many times. */
  keepInUse(arn: string, times: number): void {
    this.inUse.set(arn, times);
  }

  /** The next call of this operation (e.g. `RequestCertificate`) throws an error with this name. */
  failNext(operation: string, errorName: string, message = 'forced by the test'): void {
    this.forced.set(operation, [...(this.forced.get(operation) ?? []), acmError(errorName, message)]);
  }

  /** The CNAME ACM asks for to validate a name in this account (wildcards share their base name's). */
  static validationRecord(domainName: string): { name: string; content: string } {
    const base = domainName.replace(/^\*\./, '');
    const hash = (salt: string) => createHash('sha256').update(`${ACCOUNT}${salt}${base}`).digest('hex');
    return {
      name: `_${hash('name').slice(0, 32)}.${base}`,
      content: `_${hash('value').slice(0, 32)}.xlfgrmvvlj.acm-validations.aws`,
    };
  }

  private request(input: RequestCertificateCommand['input']): string {
    this.requests.push(input);
    const existing = [...this.certificates.values()].find(
      (certificate) => input.IdempotencyToken && certificate.token === input.IdempotencyToken,
    );
    if (existing) return existing.arn;
    const arn = `arn:aws:acm:eu-west-1:${ACCOUNT}:certificate/${randomUUID()}`;
    const names = input.SubjectAlternativeNames ?? [input.DomainName ?? ''];
    this.certificates.set(arn, {
      arn,
      names: [input.DomainName ?? '', ...names.filter((name) => name !== input.DomainName)],
      token: input.IdempotencyToken,
      status: 'PENDING_VALIDATION',
      tags: input.Tags ?? [],
      describes: 0,
    });
    return arn;
  }

  private detail(certificate: StoredCertificate): CertificateDetail {
    const published = certificate.describes > this.describesBeforeRecords - 1;
    return {
      CertificateArn: certificate.arn,
      DomainName: certificate.names[0],
      SubjectAlternativeNames: certificate.names,
      Status: certificate.status,
      FailureReason: certificate.failureReason as CertificateDetail['FailureReason'],
      DomainValidationOptions: certificate.names.map((name) => {
        const record = FakeAcm.validationRecord(name);
        return {
          DomainName: name,
          ValidationMethod: 'DNS',
          ValidationStatus: certificate.status === 'ISSUED' ? 'SUCCESS' : 'PENDING_VALIDATION',
          ...(published
            ? { ResourceRecord: { Name: `${record.name}.`, Type: 'CNAME', Value: `${record.content}.` } }
            : {}),
        };
      }),
    };
  }

  private list(
    input: ListCertificatesCommand['input'],
  ): ListCertificatesCommandOutput['CertificateSummaryList'] {
    return [...this.certificates.values()]
      .filter(
        (certificate) => !input.CertificateStatuses || input.CertificateStatuses.includes(certificate.status),
      )
      .map((certificate) => ({
        CertificateArn: certificate.arn,
        DomainName: certificate.names[0],
        SubjectAlternativeNameSummaries: certificate.names,
        HasAdditionalSubjectAlternativeNames: false,
        Status: certificate.status,
      }));
  }
}

function acmError(name: string, message: string): Error {
  return Object.assign(new Error(message), { name, $fault: 'client' });
}
