import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import {
  createCloudflareCertificate,
  issueTimeoutMs,
  type CloudflareCertificateHandlers,
  type IsCompleteEvent,
} from '../../src/cloudflare-certificate/certificate-handler.js';
import {
  CertificateInUseError,
  CertificateManagerError,
  CertificateValidationError,
  CloudflareApiError,
  FunctionConfigError,
  ResourcePropertiesError,
} from '../../src/errors.js';
import { FakeCloudflare } from '../cloudflare/fake-cloudflare.js';
import { customResourceEvent } from '../custom-resource-event.js';
import { FakeSecrets } from '../fake-secrets.js';
import { silentLogger } from '../silent-logger.js';
import { FakeAcm } from './fake-acm.js';

const ZONE_ID = '0123456789abcdef0123456789abcdef';
const TOKEN = 'test-token-for-the-local-fake';
const TOKEN_SECRET_ARN = 'arn:aws:secretsmanager:eu-west-1:123456789012:secret:citadel-dev-cloudflare-AbCdEf';
const WRONG_SECRET_ARN =
  'arn:aws:secretsmanager:eu-west-1:123456789012:secret:citadel-dev-cloudflare-old-AbCdEf';
const LOGICAL_ID = 'EdgeCertificate';
const OWNER = `managed by citadel: citadel-dev-data/${LOGICAL_ID}`;
const DOMAIN = 'api.dev.example.org';

const properties = (extra: Record<string, unknown> = {}): Record<string, unknown> => ({
  ApiTokenSecretArn: TOKEN_SECRET_ARN,
  ZoneId: ZONE_ID,
  DomainName: DOMAIN,
  Tags: [{ Key: 'citadel:environment', Value: 'dev' }],
  ...extra,
});
const create = (props = properties()) =>
  customResourceEvent('Create', props, { logicalResourceId: LOGICAL_ID });
const update = (physicalResourceId: string, props: Record<string, unknown>, oldProperties = properties()) =>
  customResourceEvent('Update', props, { physicalResourceId, oldProperties, logicalResourceId: LOGICAL_ID });
const remove = (physicalResourceId: string, props = properties()) =>
  customResourceEvent('Delete', props, { physicalResourceId, logicalResourceId: LOGICAL_ID });
/** What the provider framework hands `isComplete`: the request with `onEvent`'s answer merged in. */
const completion = (
  event: ReturnType<typeof customResourceEvent>,
  physicalResourceId: string,
  data?: Readonly<Record<string, unknown>>,
) =>
  ({ ...event, PhysicalResourceId: physicalResourceId, ...(data ? { Data: data } : {}) }) as IsCompleteEvent;

describe('cloudflare-validated certificate custom resource', () => {
  const cloudflare = new FakeCloudflare([ZONE_ID], TOKEN);
  let acm: FakeAcm;
  let certificate: CloudflareCertificateHandlers;
  const stored = () =>
    [...cloudflare.records.values()]
      .map(({ name, content, comment, proxied }) => ({ name, content, comment, proxied }))
      .sort((a, b) => a.name.localeCompare(b.name));
  const validation = (domainName: string) => {
    const record = FakeAcm.validationRecord(domainName);
    return { name: record.name, content: record.content, comment: OWNER, proxied: false };
  };

  beforeAll(() => cloudflare.start());
  afterAll(() => cloudflare.stop());
  beforeEach(() => {
    cloudflare.reset();
    acm = new FakeAcm();
    certificate = createCloudflareCertificate({
      acm,
      secrets: new FakeSecrets({ [TOKEN_SECRET_ARN]: TOKEN, [WRONG_SECRET_ARN]: 'revoked-test-token' }),
      logger: silentLogger('cloudflare-certificate'),
      client: { baseUrl: cloudflare.baseUrl, retryDelayMs: 1 },
      timings: { validationPollDelayMs: 1, deleteRetryDelayMs: 1 },
    });
  });

  describe('Create', () => {
    it('requests a DNS-validated certificate, writes its validation record and returns the ARN', async () => {
      // Prepare
      acm.describesBeforeRecords = 3;

      // Act
      const response = await certificate.onEvent(create());

      // Assess
      const [arn] = [...acm.certificates.keys()];
      expect(response).toEqual({
        PhysicalResourceId: arn,
        Data: { CertificateArn: arn, IssueWaitStartedAt: expect.any(String) },
      });
      expect(acm.requests).toEqual([
        {
          DomainName: DOMAIN,
          ValidationMethod: 'DNS',
          IdempotencyToken: expect.stringMatching(/^[0-9a-f]{32}$/),
          Tags: [{ Key: 'citadel:environment', Value: 'dev' }],
        },
      ]);
      expect(acm.calls.filter((call) => call === 'DescribeCertificate')).toHaveLength(3);
      expect(stored()).toEqual([validation(DOMAIN)]);
    });

    it('writes one record per distinct validation name when a wildcard shares its base name', async () => {
      const props = properties({
        DomainName: 'dev.example.org',
        SubjectAlternativeNames: ['*.dev.example.org', 'www.example.org.'],
      });

      await certificate.onEvent(create(props));

      expect(acm.requests[0]?.SubjectAlternativeNames).toEqual([
        'dev.example.org',
        '*.dev.example.org',
        'www.example.org',
      ]);
      expect(stored()).toEqual(
        [validation('dev.example.org'), validation('www.example.org')].sort((a, b) =>
          a.name.localeCompare(b.name),
        ),
      );
    });

    it('answers a retried delivery of the same request with the same certificate and no new records', async () => {
      // Prepare
      const event = create();
      const first = await certificate.onEvent(event);
      cloudflare.requests.length = 0;

      // Act
      const second = await certificate.onEvent(event);

      // Assess
      expect(second.PhysicalResourceId).toBe(first.PhysicalResourceId);
      expect(second.Data?.CertificateArn).toBe(first.Data?.CertificateArn);
      expect(acm.requests[1]?.IdempotencyToken).toBe(acm.requests[0]?.IdempotencyToken);
      expect(acm.certificates.size).toBe(1);
      expect(cloudflare.writes).toEqual([]);
      expect(stored()).toEqual([validation(DOMAIN)]);
    });

    it('uses a new idempotency token for a new request of the same names', async () => {
      await certificate.onEvent(create());
      await certificate.onEvent(create());

      expect(acm.requests[1]?.IdempotencyToken).not.toBe(acm.requests[0]?.IdempotencyToken);
    });

    it('fails when ACM publishes no validation records in time, writing nothing', async () => {
      acm.describesBeforeRecords = 100;
      const impatient = createCloudflareCertificate({
        acm,
        secrets: new FakeSecrets({ [TOKEN_SECRET_ARN]: TOKEN }),
        logger: silentLogger('cloudflare-certificate'),
        client: { baseUrl: cloudflare.baseUrl },
        timings: { validationPollAttempts: 3, validationPollDelayMs: 1 },
      });

      const act = impatient.onEvent(create());

      await expect(act).rejects.toThrow(CertificateValidationError);
      await expect(act).rejects.toThrow(/no DNS validation records .* after 3 checks/);
      expect(cloudflare.requests).toEqual([]);
    });

    it('fails naming the ACM error when the request is refused', async () => {
      acm.failNext('RequestCertificate', 'LimitExceededException', 'the account has too many certificates');

      const error = await certificate.onEvent(create()).catch((caught: unknown) => caught);

      expect(error).toBeInstanceOf(CertificateManagerError);
      expect((error as Error).message).toBe(
        `RequestCertificate for ${DOMAIN} failed: LimitExceededException`,
      );
      expect((error as Error).cause).toMatchObject({ name: 'LimitExceededException' });
      expect(cloudflare.requests).toEqual([]);
    });

    it("fails with Cloudflare's error when the token is refused, without revealing it", async () => {
      const error = await certificate
        .onEvent(create(properties({ ApiTokenSecretArn: WRONG_SECRET_ARN })))
        .catch((caught: unknown) => caught);

      expect(error).toBeInstanceOf(CloudflareApiError);
      expect(error).toMatchObject({ status: 403, codes: [9109] });
      expect((error as Error).message).not.toContain('revoked-test-token');
    });

    it.each([
      ['DomainName is missing', { DomainName: undefined }, /DomainName must be a fully qualified DNS name/],
      ['DomainName is not a DNS name', { DomainName: 'api dev' }, /DomainName must be a fully qualified/],
      ['DomainName is a single label', { DomainName: 'localhost' }, /DomainName must be a fully qualified/],
      [
        'SubjectAlternativeNames is not a list',
        { SubjectAlternativeNames: 'www.example.org' },
        /SubjectAlternativeNames must be a list/,
      ],
      ['a tag key is reserved', { Tags: [{ Key: 'aws:stack', Value: 'x' }] }, /Tags\[0\]\.Key must be/],
      ['ZoneId is not a zone id', { ZoneId: 'example.org' }, /ZoneId must be a 32-character hexadecimal/],
    ])('fails when %s, before calling ACM or Cloudflare', async (_case, override, message) => {
      const act = certificate.onEvent(create(properties(override)));

      await expect(act).rejects.toThrow(ResourcePropertiesError);
      await expect(act).rejects.toThrow(message);
      expect(acm.calls).toEqual([]);
      expect(cloudflare.requests).toEqual([]);
    });
  });

  describe('isComplete', () => {
    it.each([
      ['PENDING_VALIDATION', false],
      ['ISSUED', true],
    ] as const)('reports a %s certificate as complete: %s', async (status, complete) => {
      // Prepare
      const event = create();
      const { PhysicalResourceId: arn } = await certificate.onEvent(event);
      acm.setStatus(arn, status);

      // Act
      const response = await certificate.isComplete(completion(event, arn));

      // Assess
      expect(response).toEqual(
        complete ? { IsComplete: true, Data: { CertificateArn: arn } } : { IsComplete: false },
      );
    });

    it.each([
      ['FAILED', 'CAA_ERROR', /is FAILED \(CAA_ERROR\)/],
      [
        'VALIDATION_TIMED_OUT',
        undefined,
        /is VALIDATION_TIMED_OUT; the validation CNAME records were not found/,
      ],
      ['REVOKED', undefined, /is REVOKED/],
    ] as const)('fails when the certificate is %s', async (status, reason, message) => {
      const event = create();
      const { PhysicalResourceId: arn } = await certificate.onEvent(event);
      acm.setStatus(arn, status, reason);

      const act = certificate.isComplete(completion(event, arn));

      await expect(act).rejects.toThrow(CertificateValidationError);
      await expect(act).rejects.toThrow(message);
    });

    describe('with a limit on the wait for issue', () => {
      const MINUTE = 60_000;
      const REQUESTED_AT = Date.parse('2026-11-30T10:00:00.000Z');
      let now: number;
      let limited: CloudflareCertificateHandlers;
      beforeEach(() => {
        now = REQUESTED_AT;
        limited = createCloudflareCertificate({
          acm,
          secrets: new FakeSecrets({ [TOKEN_SECRET_ARN]: TOKEN }),
          logger: silentLogger('cloudflare-certificate'),
          client: { baseUrl: cloudflare.baseUrl, retryDelayMs: 1 },
          timings: { validationPollDelayMs: 1, issueTimeoutMs: 45 * MINUTE },
          clock: () => now,
        });
      });

      it('records when the wait started, for isComplete to measure against', async () => {
        // Act
        const response = await limited.onEvent(create());

        // Assess
        expect(response.Data?.IssueWaitStartedAt).toBe('2026-11-30T10:00:00.000Z');
      });

      it.each([
        [0, false],
        [44, false],
        [45, true],
        [70, true],
      ])('after %i minutes still pending, fails: %s', async (minutes, fails) => {
        // Prepare
        const event = create();
        const { PhysicalResourceId: arn, Data } = await limited.onEvent(event);
        now = REQUESTED_AT + minutes * MINUTE;

        // Act
        const act = limited.isComplete(completion(event, arn, Data));

        // Assess
        if (fails) {
          await expect(act).rejects.toThrow(CertificateValidationError);
          await expect(act).rejects.toThrow(
            new RegExp(`is still PENDING_VALIDATION ${minutes} minutes after it was requested.*${DOMAIN}`),
          );
        } else {
          await expect(act).resolves.toEqual({ IsComplete: false });
        }
      });

      it('completes a certificate ACM issued, however long it took', async () => {
        const event = create();
        const { PhysicalResourceId: arn, Data } = await limited.onEvent(event);
        acm.setStatus(arn, 'ISSUED');
        now = REQUESTED_AT + 90 * MINUTE;

        const response = await limited.isComplete(completion(event, arn, Data));

        expect(response).toEqual({ IsComplete: true, Data: { CertificateArn: arn } });
      });

      it.each([undefined, 'yesterday', 12])(
        'leaves the limit to the provider framework when the start is %j',
        async (startedAt) => {
          const event = create();
          const { PhysicalResourceId: arn } = await limited.onEvent(event);
          now = REQUESTED_AT + 90 * MINUTE;

          const response = await limited.isComplete(
            completion(event, arn, { IssueWaitStartedAt: startedAt }),
          );

          expect(response).toEqual({ IsComplete: false });
        },
      );

      it('measures an update that keeps the certificate from the update', async () => {
        const { PhysicalResourceId: arn } = await limited.onEvent(create());
        now = REQUESTED_AT + 100 * MINUTE;
        const event = update(arn, properties());

        const { Data } = await limited.onEvent(event);
        now += 10 * MINUTE;

        await expect(limited.isComplete(completion(event, arn, Data))).resolves.toEqual({
          IsComplete: false,
        });
      });
    });

    it('reports a Delete complete without asking ACM', async () => {
      const arn = 'arn:aws:acm:eu-west-1:123456789012:certificate/00000000-0000-0000-0000-000000000000';

      const response = await certificate.isComplete(completion(remove(arn), arn));

      expect(response).toEqual({ IsComplete: true });
      expect(acm.calls).toEqual([]);
    });
  });

  describe('CERTIFICATE_ISSUE_TIMEOUT_SECONDS', () => {
    it.each([
      [undefined, undefined],
      ['2700', 2_700_000],
      ['3600', 3_600_000],
    ])('reads %j as %j milliseconds', (seconds, expected) => {
      expect(issueTimeoutMs(seconds)).toBe(expected);
    });

    it.each(['', '0', '3601', '45m', '-5', '1e3', ' 60'])('fails when it is %j', (seconds) => {
      expect(() => issueTimeoutMs(seconds)).toThrow(FunctionConfigError);
      expect(() => issueTimeoutMs(seconds)).toThrow(
        /CERTIFICATE_ISSUE_TIMEOUT_SECONDS = .*whole seconds from 1 to 3600/,
      );
    });
  });

  describe('Update', () => {
    it('keeps the certificate and changes nothing when the names are the same', async () => {
      // Prepare
      const { PhysicalResourceId: arn } = await certificate.onEvent(create());
      acm.setStatus(arn, 'ISSUED');
      acm.calls.length = 0;
      cloudflare.requests.length = 0;

      // Act
      const response = await certificate.onEvent(update(arn, properties()));

      // Assess
      expect(response).toEqual({
        PhysicalResourceId: arn,
        Data: { CertificateArn: arn, IssueWaitStartedAt: expect.any(String) },
      });
      expect(acm.calls).toEqual(['DescribeCertificate', 'DescribeCertificate']);
      expect(cloudflare.writes).toEqual([]);
      expect(acm.certificates.size).toBe(1);
    });

    it('requests a new certificate when the old one was deleted outside the stack', async () => {
      // Prepare
      const { PhysicalResourceId: oldArn } = await certificate.onEvent(create());
      acm.certificates.delete(oldArn);

      // Act
      const response = await certificate.onEvent(update(oldArn, properties()));

      // Assess
      expect(response.PhysicalResourceId).not.toBe(oldArn);
      expect([...acm.certificates.keys()]).toEqual([response.PhysicalResourceId]);
      expect(stored()).toEqual([validation(DOMAIN)]);
    });

    it('puts a validation record back that was removed from the zone', async () => {
      const { PhysicalResourceId: arn } = await certificate.onEvent(create());
      cloudflare.reset();

      await certificate.onEvent(update(arn, properties()));

      expect(stored()).toEqual([validation(DOMAIN)]);
    });

    it('requests a new certificate for new names; deleting the old one keeps the record the new one shares', async () => {
      // Prepare
      const { PhysicalResourceId: oldArn } = await certificate.onEvent(create());
      acm.setStatus(oldArn, 'ISSUED');
      const wider = properties({ SubjectAlternativeNames: ['www.dev.example.org'] });

      // Act
      const response = await certificate.onEvent(update(oldArn, wider));
      await certificate.onEvent(remove(oldArn, properties()));

      // Assess
      expect(response.PhysicalResourceId).not.toBe(oldArn);
      expect([...acm.certificates.keys()]).toEqual([response.PhysicalResourceId]);
      expect(stored()).toEqual(
        [validation(DOMAIN), validation('www.dev.example.org')].sort((a, b) => a.name.localeCompare(b.name)),
      );
    });

    it('removes the records only the old certificate needed when names are dropped', async () => {
      // Prepare
      const both = properties({ SubjectAlternativeNames: ['www.dev.example.org'] });
      const { PhysicalResourceId: oldArn } = await certificate.onEvent(create(both));

      // Act
      await certificate.onEvent(update(oldArn, properties(), both));
      await certificate.onEvent(remove(oldArn, both));

      // Assess
      expect(stored()).toEqual([validation(DOMAIN)]);
    });

    it('adds changed tags to the certificate it keeps', async () => {
      const { PhysicalResourceId: arn } = await certificate.onEvent(create());

      await certificate.onEvent(
        update(arn, properties({ Tags: [{ Key: 'citadel:environment', Value: 'qa' }] })),
      );

      expect(acm.certificates.get(arn)?.tags).toEqual([{ Key: 'citadel:environment', Value: 'qa' }]);
    });
  });

  describe('Delete', () => {
    it('removes its validation records, leaves other records alone and deletes the certificate', async () => {
      // Prepare
      const { PhysicalResourceId: arn } = await certificate.onEvent(create());
      cloudflare.seed({
        type: 'CNAME',
        name: DOMAIN,
        content: 'citadel-dev-alb-123456.eu-west-1.elb.amazonaws.com',
        ttl: 1,
        proxied: false,
        comment: 'managed by citadel: citadel-dev-app/ApiDns',
      });

      // Act
      const response = await certificate.onEvent(remove(arn));

      // Assess
      expect(response).toEqual({ PhysicalResourceId: arn });
      expect(stored().map((record) => record.name)).toEqual([DOMAIN]);
      expect(acm.certificates.size).toBe(0);
    });

    it('succeeds when the certificate and its records are already gone', async () => {
      const { PhysicalResourceId: arn } = await certificate.onEvent(create());
      await certificate.onEvent(remove(arn));
      cloudflare.requests.length = 0;

      const response = await certificate.onEvent(remove(arn));

      expect(response).toEqual({ PhysicalResourceId: arn });
      expect(cloudflare.writes).toEqual([]);
    });

    it('retries while the load balancer still holds the certificate', async () => {
      const { PhysicalResourceId: arn } = await certificate.onEvent(create());
      acm.keepInUse(arn, 2);

      await certificate.onEvent(remove(arn));

      expect(acm.calls.filter((call) => call === 'DeleteCertificate')).toHaveLength(3);
      expect(acm.certificates.size).toBe(0);
    });

    it('fails saying where to look when the certificate stays in use', async () => {
      const { PhysicalResourceId: arn } = await certificate.onEvent(create());
      acm.keepInUse(arn, 10);

      const act = certificate.onEvent(remove(arn));

      await expect(act).rejects.toThrow(CertificateInUseError);
      await expect(certificate.onEvent(remove(arn))).rejects.toThrow(
        /still in use after 5 attempts to delete it; detach it from every load balancer listener/,
      );
      expect(acm.certificates.has(arn)).toBe(true);
    });

    it('does nothing for the placeholder id of a Create that failed', async () => {
      const response = await certificate.onEvent(
        remove('AWSCDK::CustomResourceProviderFramework::CREATE_FAILED'),
      );

      expect(response.PhysicalResourceId).toBe('AWSCDK::CustomResourceProviderFramework::CREATE_FAILED');
      expect(acm.calls).toEqual([]);
      expect(cloudflare.requests).toEqual([]);
    });
  });
});
