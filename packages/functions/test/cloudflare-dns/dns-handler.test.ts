import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { createCloudflareDns } from '../../src/cloudflare-dns/dns-handler.js';
import {
  CloudflareApiError,
  DnsRecordConflictError,
  ResourcePropertiesError,
  SecretValueError,
} from '../../src/errors.js';
import { customResourceEvent } from '../custom-resource-event.js';
import { FakeSecrets } from '../fake-secrets.js';
import { silentLogger } from '../silent-logger.js';
import { FakeCloudflare } from '../cloudflare/fake-cloudflare.js';

const ZONE_ID = '0123456789abcdef0123456789abcdef';
const OTHER_ZONE_ID = 'fedcba9876543210fedcba9876543210';
const TOKEN = 'test-token-for-the-local-fake';
const TOKEN_SECRET_ARN = 'arn:aws:secretsmanager:eu-west-1:123456789012:secret:citadel-dev-cloudflare-AbCdEf';
const JSON_SECRET_ARN =
  'arn:aws:secretsmanager:eu-west-1:123456789012:secret:citadel-dev-cloudflare-json-AbCdEf';
const WRONG_SECRET_ARN =
  'arn:aws:secretsmanager:eu-west-1:123456789012:secret:citadel-dev-cloudflare-old-AbCdEf';
const OWNER_TAG = 'citadel-dev-data/ApiDns';
const OWNER = `managed by citadel: ${OWNER_TAG}`;

const ALB = { Name: 'api.dev.example.org', Content: 'citadel-dev-alb-123456.eu-west-1.elb.amazonaws.com' };
const VALIDATION = {
  Name: '_3f1e2d.api.dev.example.org.',
  Content: '_9a8b7c.xlfgrmvvlj.acm-validations.aws.',
};
const PHYSICAL_ID = `cloudflare-dns/${ZONE_ID}/${OWNER_TAG}`;

describe('cloudflare dns custom resource', () => {
  const cloudflare = new FakeCloudflare([ZONE_ID, OTHER_ZONE_ID], TOKEN);
  let handler: ReturnType<typeof createCloudflareDns>;
  const properties = (records: object[], extra: Record<string, unknown> = {}): Record<string, unknown> => ({
    ApiTokenSecretArn: TOKEN_SECRET_ARN,
    ZoneId: ZONE_ID,
    Records: records,
    ...extra,
  });
  const create = (props: Record<string, unknown>) =>
    customResourceEvent('Create', props, { logicalResourceId: 'ApiDns' });
  const update = (
    props: Record<string, unknown>,
    oldProperties: Record<string, unknown>,
    physicalResourceId = PHYSICAL_ID,
  ) =>
    customResourceEvent('Update', props, { physicalResourceId, oldProperties, logicalResourceId: 'ApiDns' });
  const remove = (props: Record<string, unknown>) =>
    customResourceEvent('Delete', props, { physicalResourceId: PHYSICAL_ID, logicalResourceId: 'ApiDns' });
  const stored = () =>
    [...cloudflare.records.values()]
      .map(({ name, content, comment, proxied, ttl }) => ({ name, content, comment, proxied, ttl }))
      .sort((a, b) => a.name.localeCompare(b.name));

  beforeAll(async () => {
    await cloudflare.start();
    handler = createCloudflareDns({
      secrets: new FakeSecrets({
        [TOKEN_SECRET_ARN]: TOKEN,
        [JSON_SECRET_ARN]: JSON.stringify({ apiToken: TOKEN }),
        [WRONG_SECRET_ARN]: 'revoked-test-token',
      }),
      logger: silentLogger('cloudflare-dns'),
      client: { baseUrl: cloudflare.baseUrl, retryDelayMs: 1 },
    });
  });
  afterAll(() => cloudflare.stop());
  beforeEach(() => cloudflare.reset());

  it('creates the ALB and certificate validation records, tagged as its own', async () => {
    // Act
    const response = await handler(create(properties([ALB, VALIDATION])));

    // Assess
    expect(response).toEqual({
      PhysicalResourceId: PHYSICAL_ID,
      Data: { RecordNames: 'api.dev.example.org,_3f1e2d.api.dev.example.org' },
    });
    expect(stored()).toEqual([
      {
        name: '_3f1e2d.api.dev.example.org',
        content: '_9a8b7c.xlfgrmvvlj.acm-validations.aws',
        comment: OWNER,
        proxied: false,
        ttl: 1,
      },
      { name: 'api.dev.example.org', content: ALB.Content, comment: OWNER, proxied: false, ttl: 1 },
    ]);
  });

  it('changes nothing when run again and the records are already there', async () => {
    // Prepare
    await handler(create(properties([ALB, VALIDATION])));
    const before = stored();
    cloudflare.requests.length = 0;

    // Act
    await handler(create(properties([ALB, VALIDATION])));
    await handler(update(properties([ALB, VALIDATION]), properties([ALB, VALIDATION])));

    // Assess
    expect(cloudflare.writes).toEqual([]);
    expect(stored()).toEqual(before);
  });

  it('leaves a matching record someone else created as it is, and does not delete it later', async () => {
    cloudflare.seed({
      type: 'CNAME',
      name: ALB.Name,
      content: ALB.Content,
      ttl: 1,
      proxied: false,
      comment: 'manual',
    });

    await handler(create(properties([ALB])));
    await handler(remove(properties([ALB])));

    expect(cloudflare.writes).toEqual([]);
    expect(stored()).toEqual([
      { name: ALB.Name, content: ALB.Content, comment: 'manual', proxied: false, ttl: 1 },
    ]);
  });

  it('replaces only the record whose content changed on Update', async () => {
    // Prepare
    await handler(create(properties([ALB, VALIDATION])));
    cloudflare.requests.length = 0;
    const moved = { ...ALB, Content: 'citadel-dev-alb-654321.eu-west-1.elb.amazonaws.com', Proxied: 'true' };

    // Act
    const response = await handler(update(properties([moved, VALIDATION]), properties([ALB, VALIDATION])));

    // Assess
    expect(response.PhysicalResourceId).toBe(PHYSICAL_ID);
    expect(cloudflare.writes).toEqual([
      expect.stringMatching(/^PUT \/client\/v4\/zones\/[0-9a-f]+\/dns_records\/[0-9a-f]+$/),
    ]);
    expect(stored().find((record) => record.name === ALB.Name)).toMatchObject({
      content: moved.Content,
      proxied: true,
    });
  });

  it('removes an owned record dropped from the list on Update', async () => {
    await handler(create(properties([ALB, VALIDATION])));

    await handler(update(properties([ALB]), properties([ALB, VALIDATION])));

    expect(stored().map((record) => record.name)).toEqual([ALB.Name]);
  });

  it("takes its records over when the owner tag changes, so the old id's Delete removes nothing", async () => {
    // Prepare
    const before = properties([ALB]);
    const after = properties([ALB], { OwnerTag: 'citadel-dev-app/ApiDns' });
    await handler(create(before));

    // Act
    const response = await handler(update(after, before));
    await handler(remove(before));

    // Assess
    expect(response.PhysicalResourceId).toBe(`cloudflare-dns/${ZONE_ID}/citadel-dev-app/ApiDns`);
    expect(stored()).toEqual([
      {
        name: ALB.Name,
        content: ALB.Content,
        comment: 'managed by citadel: citadel-dev-app/ApiDns',
        proxied: false,
        ttl: 1,
      },
    ]);
  });

  it('creates the records in a new zone and leaves the old zone to the Delete of the old id', async () => {
    // Prepare
    const before = properties([ALB]);
    const after = properties([ALB], { ZoneId: OTHER_ZONE_ID });
    await handler(create(before));

    // Act
    const response = await handler(update(after, before));
    const zonesAfterUpdate = [...cloudflare.records.values()].map((record) => record.zone_id).sort();
    await handler(remove(before));

    // Assess
    expect(response.PhysicalResourceId).toBe(`cloudflare-dns/${OTHER_ZONE_ID}/${OWNER_TAG}`);
    expect(zonesAfterUpdate).toEqual([ZONE_ID, OTHER_ZONE_ID].sort());
    expect([...cloudflare.records.values()].map((record) => record.zone_id)).toEqual([OTHER_ZONE_ID]);
  });

  it('deletes only the records it owns on Delete', async () => {
    // Prepare
    await handler(create(properties([ALB, VALIDATION])));
    cloudflare.seed({
      type: 'CNAME',
      name: 'www.dev.example.org',
      content: 'elsewhere.example.net',
      ttl: 300,
      proxied: false,
      comment: null,
    });

    // Act
    const response = await handler(remove(properties([ALB, VALIDATION])));

    // Assess
    expect(response).toEqual({ PhysicalResourceId: PHYSICAL_ID });
    expect(stored().map((record) => record.name)).toEqual(['www.dev.example.org']);
  });

  it('deletes nothing and succeeds when its records are already gone', async () => {
    await handler(remove(properties([ALB, VALIDATION])));

    expect(cloudflare.writes).toEqual([]);
  });

  it('fails when a record it does not own points elsewhere, changing nothing', async () => {
    // Prepare
    cloudflare.seed({
      type: 'CNAME',
      name: ALB.Name,
      content: 'legacy.example.net',
      ttl: 1,
      proxied: false,
      comment: null,
    });

    // Act
    const act = handler(create(properties([VALIDATION, ALB])));

    // Assess
    await expect(act).rejects.toThrow(DnsRecordConflictError);
    await expect(handler(create(properties([VALIDATION, ALB])))).rejects.toThrow(
      /CNAME api\.dev\.example\.org \(points to legacy\.example\.net\)/,
    );
    expect(cloudflare.writes).toEqual([]);
  });

  it('reads the token from a JSON secret', async () => {
    await handler(create(properties([ALB], { ApiTokenSecretArn: JSON_SECRET_ARN })));

    expect(stored()).toHaveLength(1);
  });

  it("fails with Cloudflare's error when the token is refused, without revealing it", async () => {
    const act = handler(create(properties([ALB], { ApiTokenSecretArn: WRONG_SECRET_ARN })));

    const error = await act.catch((caught: unknown) => caught);
    expect(error).toBeInstanceOf(CloudflareApiError);
    expect(error).toMatchObject({ status: 403, codes: [9109] });
    expect(String((error as Error).message)).toMatch(
      /GET \/zones\/[0-9a-f]+\/dns_records failed with HTTP 403: 9109 Invalid access token/,
    );
    expect(String((error as Error).message)).not.toContain('revoked-test-token');
  });

  it('retries a server error and then succeeds', async () => {
    cloudflare.failNext(502, '<html>Bad gateway</html>', 'text/html');

    await handler(create(properties([ALB])));

    expect(stored()).toHaveLength(1);
    expect(cloudflare.requests.filter((request) => request.startsWith('GET'))).toHaveLength(2);
  });

  it('fails naming the status when server errors persist', async () => {
    for (let attempt = 0; attempt < 3; attempt += 1)
      cloudflare.failNext(503, '<html>Unavailable</html>', 'text/html');

    const act = handler(create(properties([ALB])));

    await expect(act).rejects.toThrow(/failed with HTTP 503: non-JSON response \(text\/html\)/);
    expect(cloudflare.writes).toEqual([]);
  });

  it('fails with the error codes of a { success: false } answer to a write', async () => {
    cloudflare.failNext(200, { success: true, errors: [], result: [] });
    cloudflare.failNext(400, {
      success: false,
      errors: [{ code: 9005, message: 'Content for CNAME record is invalid.' }],
    });

    const act = handler(create(properties([ALB])));

    await expect(act).rejects.toThrow(
      /POST \/zones\/[0-9a-f]+\/dns_records failed with HTTP 400: 9005 Content for CNAME record is invalid\./,
    );
  });

  it('fails when the API token secret cannot be read', async () => {
    const missing = 'arn:aws:secretsmanager:eu-west-1:123456789012:secret:missing-AbCdEf';

    const act = handler(create(properties([ALB], { ApiTokenSecretArn: missing })));

    await expect(act).rejects.toThrow(SecretValueError);
    expect(cloudflare.requests).toEqual([]);
  });

  it.each([
    ['ZoneId is not a zone id', { ZoneId: 'example.org' }, /ZoneId must be a 32-character hexadecimal/],
    ['Records is empty', { Records: [] }, /Records must be a non-empty list/],
    ['a record is not an object', { Records: ['api'] }, /Records\[0\] must be an object/],
    ['a record type is not CNAME', { Records: [{ ...ALB, Type: 'A' }] }, /Records\[0\]\.Type must be CNAME/],
    [
      'a name is not a DNS name',
      { Records: [{ ...ALB, Name: 'api dev' }] },
      /Records\[0\]\.Name must be a DNS name/,
    ],
    [
      'a TTL is out of range',
      { Records: [{ ...ALB, Ttl: '30' }] },
      /Ttl must be 1 \(automatic\) or 60-86400/,
    ],
    ['Proxied is not a boolean', { Records: [{ ...ALB, Proxied: 'yes' }] }, /Proxied must be true or false/],
    [
      'a name is listed twice',
      { Records: [ALB, { ...ALB, Name: 'API.dev.example.org.' }] },
      /names api\.dev\.example\.org more than once/,
    ],
    ['the owner tag is too long', { OwnerTag: 'x'.repeat(90) }, /longer than Cloudflare's 100 characters/],
    [
      'the secret is not an ARN',
      { ApiTokenSecretArn: 'cloudflare-token' },
      /must be a Secrets Manager secret ARN/,
    ],
  ])('fails when %s, before calling Cloudflare', async (_case, override, message) => {
    const act = handler(create({ ...properties([ALB]), ...override }));

    await expect(act).rejects.toThrow(ResourcePropertiesError);
    await expect(handler(create({ ...properties([ALB]), ...override }))).rejects.toThrow(message);
    expect(cloudflare.requests).toEqual([]);
  });
});
