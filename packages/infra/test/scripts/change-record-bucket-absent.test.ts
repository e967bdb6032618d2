import { mkdtemp, readFile, readdir, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Readable } from 'node:stream';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { changeRecordAws, type RequestHandler } from '../../scripts/lib/change-record-aws.js';
import { parseChangeRecord } from '../../scripts/lib/change-record.js';
import { deploy, type DeliveryDeps } from '../../scripts/lib/delivery.js';
import { ChangeRecordWriteError } from '../../scripts/lib/record-deploy.js';
import { STUB_COMMIT, stubChangeRecords } from '../support/change-record-stub.js';

const ACCOUNT = '222222222222';
const BUCKET = `citadel-qa-records-${ACCOUNT}-eu-west-1`;
const DEPLOY_ROLE = `arn:aws:sts::${ACCOUNT}:assumed-role/citadel-qa-github-deploy/deploy-qa-42`;
const SBOM = { bomFormat: 'CycloneDX', specVersion: '1.5', version: 1, components: [] };

/** S3's answer to a PutObject into a bucket that does not exist, as S3 sends it. */
const NO_SUCH_BUCKET = {
  status: 404,
  headers: { 'content-type': 'application/xml', 'x-amz-request-id': 'R1', 'x-amz-id-2': 'I1' },
  body: `<?xml version="1.0" encoding="UTF-8"?>\n<Error><Code>NoSuchBucket</Code><Message>The specified bucket does not exist</Message><BucketName>${BUCKET}</BucketName><RequestId>R1</RequestId><HostId>I1</HostId></Error>`,
};
const ACCESS_DENIED = {
  status: 403,
  headers: { 'content-type': 'application/xml', 'x-amz-request-id': 'R2', 'x-amz-id-2': 'I2' },
  body: '<?xml version="1.0" encoding="UTF-8"?>\n<Error><Code>AccessDenied</Code><Message>Access Denied</Message><RequestId>R2</RequestId><HostId>I2</HostId></Error>',
};

/** An HTTP layer under the real S3 client that answers every request with one recorded response. */
function answering(answer: { status: number; headers: Record<string, string>; body: string }) {
  const seen: { method: string; hostname: string; path: string }[] = [];
  const handler = {
    handle: async (request: { method: string; hostname: string; path: string }) => {
      seen.push({ method: request.method, hostname: request.hostname, path: request.path });
      return {
        response: {
          statusCode: answer.status,
          headers: answer.headers,
          body: Readable.from([Buffer.from(answer.body)]),
        },
      };
    },
    updateHttpClientConfig: () => undefined,
    httpHandlerConfigs: () => ({}),
  };
  return { seen, handler: handler as unknown as RequestHandler };
}

let dir: string;
beforeEach(async () => {
  dir = await mkdtemp(join(tmpdir(), 'citadel-record-absent-'));
  await writeFile(join(dir, 'sbom.json'), JSON.stringify(SBOM));
  vi.stubEnv('AWS_ACCESS_KEY_ID', 'AKIAEXAMPLE');
  vi.stubEnv('AWS_SECRET_ACCESS_KEY', 'example');
});
afterEach(async () => {
  vi.unstubAllEnvs();
  await rm(dir, { recursive: true, force: true });
});

/** Deploy dependencies whose S3 PutObject goes through the real SDK client to `s3Answer`. */
function deps(s3Answer: Parameters<typeof answering>[0]) {
  const s3 = answering(s3Answer);
  const real = changeRecordAws('eu-west-1', s3.handler);
  const records = stubChangeRecords({ aws: { putObject: real.putObject } });
  const lines: string[] = [];
  const d: DeliveryDeps = {
    env: { AWS_ACCESS_KEY_ID: 'AKIAEXAMPLE', AWS_SECRET_ACCESS_KEY: 'example', HOME: dir, CI: 'true' },
    getCallerIdentity: vi.fn(async () => ({ account: ACCOUNT, arn: DEPLOY_ROLE })),
    runCdk: vi.fn(async () => 0),
    log: (line) => lines.push(line),
    cwd: dir,
    changeRecords: records,
  };
  return { d, s3, lines };
}

const args = (stacks: string, recordDir = true) => [
  '--env',
  'qa',
  '--stacks',
  stacks,
  '--commit',
  STUB_COMMIT,
  '--sbom',
  'sbom.json',
  ...(recordDir ? ['--record-dir', 'out'] : []),
];

async function keptRecord() {
  const file = (await readdir(join(dir, 'out'))).find((name) => /[a-f0-9]{40}\.json$/.test(name))!;
  return parseChangeRecord(JSON.parse(await readFile(join(dir, 'out', file), 'utf8')), file);
}

describe('the change record of a deploy made before the change-record bucket exists', () => {
  it('keeps the record of a recovery deploy in --record-dir, saying the bucket did not exist, and succeeds', async () => {
    // Prepare
    const { d, s3, lines } = deps(NO_SUCH_BUCKET);

    // Act
    const code = await deploy(args('recovery'), d);

    // Assess
    expect(code).toBe(0);
    expect(d.runCdk).toHaveBeenCalledTimes(1);
    expect(s3.seen[0]).toMatchObject({ method: 'PUT' });
    expect(`${s3.seen[0]!.hostname}${s3.seen[0]!.path}`).toContain(BUCKET);
    const record = await keptRecord();
    expect(record).toMatchObject({
      stacks: ['citadel-qa-recovery'],
      outcome: { status: 'succeeded' },
      storage: {
        status: 'bucket-absent',
        bucket: BUCKET,
        keptIn: 'record-dir',
        detail: expect.stringContaining('The specified bucket does not exist'),
      },
    });
    expect((await readdir(join(dir, 'out'))).sort()).toEqual([
      `20261130T093001.000Z-${STUB_COMMIT}.cdx.json`,
      `20261130T093001.000Z-${STUB_COMMIT}.json`,
    ]);
    expect(lines.at(-1)).toMatch(
      /kept in \S+\/out only, because s3:\/\/citadel-qa-records-\S+ does not exist yet/,
    );
  });

  it('keeps the record of a failed recovery deploy the same way, and still returns its exit code', async () => {
    const { d } = deps(NO_SUCH_BUCKET);
    vi.mocked(d.runCdk).mockResolvedValue(1);

    const code = await deploy(args('recovery'), d);

    expect(code).toBe(1);
    expect(await keptRecord()).toMatchObject({
      outcome: { status: 'failed', failedStep: 'deploy' },
      storage: { status: 'bucket-absent' },
    });
  });

  it('fails when a recovery deploy has no --record-dir to keep the record in, saying how to keep it', async () => {
    const { d } = deps(NO_SUCH_BUCKET);

    const result = deploy(args('recovery', false), d);

    await expect(result).rejects.toThrow(ChangeRecordWriteError);
    await expect(result).rejects.toThrow(/does not exist until shared is deployed; give --record-dir/);
  });

  it.each(['shared', 'recovery,shared', 'network,data,monitoring'])(
    'fails when the bucket is missing after a deploy of %s, which creates it or comes after it',
    async (stacks) => {
      const { d } = deps(NO_SUCH_BUCKET);

      const result = deploy(args(stacks), d);

      await expect(result).rejects.toThrow(ChangeRecordWriteError);
      await expect(result).rejects.toThrow(/could not be written: The specified bucket does not exist/);
      const local = await readdir(join(dir, 'out'));
      const record = JSON.parse(
        await readFile(
          join(
            dir,
            'out',
            local.find((name) => /[a-f0-9]{40}\.json$/.test(name))!,
          ),
          'utf8',
        ),
      ) as Record<string, unknown>;
      expect(record.storage).toBeUndefined();
    },
  );

  it('fails a recovery deploy whose record S3 refuses for any other reason than a missing bucket', async () => {
    const { d } = deps(ACCESS_DENIED);

    const result = deploy(args('recovery'), d);

    await expect(result).rejects.toThrow(ChangeRecordWriteError);
    await expect(result).rejects.toThrow(/could not be written: Access Denied/);
  });

  it('stores the record of a recovery deploy in the bucket, with no storage field, once the bucket exists', async () => {
    const records = stubChangeRecords();
    const { d } = deps(NO_SUCH_BUCKET);

    await deploy(args('recovery'), { ...d, changeRecords: records });

    const stored = records.objects.find((object) => /[a-f0-9]{40}\.json$/.test(object.key))!;
    expect(stored.bucket).toBe(BUCKET);
    expect(parseChangeRecord(JSON.parse(stored.body.toString('utf8')), stored.key).storage).toBeUndefined();
  });
});

describe('the storage field of a change record', () => {
  it.each([
    ['an unknown status', { status: 'lost', bucket: BUCKET, keptIn: 'record-dir', detail: '' }],
    [
      'a bucket name with a slash',
      { status: 'bucket-absent', bucket: `${BUCKET}/x`, keptIn: 'record-dir', detail: '' },
    ],
    [
      'a detail with a control character',
      { status: 'bucket-absent', bucket: BUCKET, keptIn: 'record-dir', detail: 'a\u0000b' },
    ],
    [
      'an extra field',
      { status: 'bucket-absent', bucket: BUCKET, keptIn: 'record-dir', detail: '', extra: 1 },
    ],
  ])('is refused with %s', async (_case, storage) => {
    const records = stubChangeRecords();
    const { d } = deps(NO_SUCH_BUCKET);
    await deploy(args('recovery'), { ...d, changeRecords: records });
    const stored = records.objects.find((object) => /[a-f0-9]{40}\.json$/.test(object.key))!;
    const record = JSON.parse(stored.body.toString('utf8')) as Record<string, unknown>;

    expect(() => parseChangeRecord({ ...record, storage }, 'record.json')).toThrow(/record\.json: \/storage/);
  });
});
