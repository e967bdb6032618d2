import { createHash } from 'node:crypto';
import { mkdtemp, readFile, readdir, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import fc from 'fast-check';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { changeRecordAws, type RequestHandler } from '../../scripts/lib/change-record-aws.js';
import { parseChangeRecord, type ChangeRecord } from '../../scripts/lib/change-record.js';
import { deploy, type DeliveryDeps } from '../../scripts/lib/delivery.js';
import { ChangeRecordWriteError } from '../../scripts/lib/record-deploy.js';
import { STUB_COMMIT, stubChangeRecords } from '../support/change-record-stub.js';

const DIGEST = `sha256:${'b'.repeat(64)}`;
const DEPLOY_ROLE = 'arn:aws:sts::111111111111:assumed-role/citadel-dev-github-deploy/deploy-dev-42';
const AUTH = {
  AUTH_JWKS_URL: 'https://auth.example.com/.well-known/jwks.json',
  AUTH_ISSUER: 'https://auth.example.com/',
  AUTH_AUDIENCE: 'citadel-api',
};

/** A run's approvals as `GET /repos/{owner}/{repo}/actions/runs/{run_id}/approvals` returns them. */
const APPROVALS = [
  {
    environments: [
      {
        id: 161088068,
        node_id: 'EN_kwDOMq8N9s4JmXbE',
        name: 'dev',
        url: 'https://api.github.com/repos/example-org/citadel/environments/dev',
        html_url: 'https://github.com/example-org/citadel/deployments/activity_log?environments_filter=dev',
        created_at: '2026-01-05T10:00:00Z',
        updated_at: '2026-01-05T10:00:00Z',
      },
    ],
    state: 'approved',
    user: { login: 'octo-reviewer', id: 583232, type: 'User', site_admin: false },
    comment: 'Reviewed the diff; ship it.',
  },
  {
    environments: [{ id: 161088069, name: 'prod' }],
    state: 'approved',
    user: { login: 'someone-else', id: 5, type: 'User', site_admin: false },
    comment: '',
  },
];
const SBOM = {
  bomFormat: 'CycloneDX',
  specVersion: '1.5',
  version: 1,
  components: [
    { type: 'library', name: 'fastify', version: '5.6.1', purl: 'pkg:npm/fastify@5.6.1' },
    { type: 'library', name: 'pg', version: '8.16.3', purl: 'pkg:npm/pg@8.16.3' },
  ],
};
const SCAN = { tool: 'trivy', critical: 0, high: 0, medium: 2, low: 5, unknown: 0 };

let dir: string;
beforeEach(async () => {
  dir = await mkdtemp(join(tmpdir(), 'citadel-record-'));
  await writeFile(join(dir, 'approvals.json'), JSON.stringify(APPROVALS));
  await writeFile(join(dir, 'sbom.json'), JSON.stringify(SBOM));
  await writeFile(join(dir, 'scan.json'), JSON.stringify(SCAN));
});
afterEach(async () => {
  await rm(dir, { recursive: true, force: true });
});

function deps(records = stubChangeRecords()): DeliveryDeps & { records: typeof records } {
  return {
    env: {
      AWS_ACCESS_KEY_ID: 'AKIAEXAMPLE',
      AWS_SECRET_ACCESS_KEY: 'example',
      HOME: dir,
      CI: 'true',
      ...AUTH,
    },
    getCallerIdentity: vi.fn(async () => ({ account: '111111111111', arn: DEPLOY_ROLE })),
    runCdk: vi.fn(async () => 0),
    log: () => undefined,
    cwd: dir,
    changeRecords: records,
    records,
  };
}

const FULL_ARGS = [
  '--env',
  'dev',
  '--stacks',
  'app,monitoring',
  '--image-digest',
  DIGEST,
  '--commit',
  STUB_COMMIT,
  '--pull-request',
  '214',
  '--approvals',
  'approvals.json',
  '--sbom',
  'sbom.json',
  '--scan-summary',
  'scan.json',
  '--record-dir',
  'out',
];

function storedRecord(d: ReturnType<typeof deps>): ChangeRecord {
  const object = d.records.objects.find((o) => /\d\.json$/.test(o.key) || /[a-f0-9]{40}\.json$/.test(o.key));
  return parseChangeRecord(JSON.parse(object!.body.toString('utf8')), object!.key);
}

describe('the change record of a deploy', () => {
  it('records every field of a successful deploy, with the SBOM stored next to it', async () => {
    // Prepare
    const d = deps(
      stubChangeRecords({
        alarms: [
          { name: 'citadel-dev-monitoring-ApiErrors-1A2B3C', state: 'OK', since: '2026-11-30T08:00:00.000Z' },
          { name: 'citadel-dev-app-PaymentsDlq-9Z8Y', state: 'ALARM' },
          { name: 'citadel-dev-x-monitoring-Other-1', state: 'ALARM' },
        ],
        diff: { code: 0, output: 'Stack citadel-dev-app\nResources\n[~] AWS::ECS::TaskDefinition Api\n' },
      }),
    );

    // Act
    const code = await deploy(FULL_ARGS, d);

    // Assess
    expect(code).toBe(0);
    const [sbom, record] = d.records.objects;
    expect(sbom!.key).toBe(`records/dev/20261130T093001.000Z-${STUB_COMMIT}.cdx.json`);
    expect(record!.key).toBe(`records/dev/20261130T093001.000Z-${STUB_COMMIT}.json`);
    expect(record!.bucket).toBe('citadel-dev-records-111111111111-eu-west-1');
    expect(storedRecord(d)).toEqual({
      schemaVersion: 1,
      environment: 'dev',
      account: '111111111111',
      region: 'eu-west-1',
      stacks: ['citadel-dev-app', 'citadel-dev-monitoring'],
      commit: STUB_COMMIT,
      pullRequest: { number: 214, url: 'https://github.com/example-org/citadel/pull/214' },
      approval: {
        source: 'github-environment',
        approvers: [
          {
            login: 'octo-reviewer',
            state: 'approved',
            comment: 'Reviewed the diff; ship it.',
            environments: ['dev'],
          },
        ],
      },
      deployedBy: DEPLOY_ROLE,
      image: {
        digest: DIGEST,
        sbom: {
          key: sbom!.key,
          sha256: createHash('sha256').update(sbom!.body).digest('hex'),
          format: 'CycloneDX',
          specVersion: '1.5',
          components: 2,
        },
        scan: SCAN,
      },
      diff: { exitCode: 0, text: expect.stringContaining('AWS::ECS::TaskDefinition Api'), truncated: false },
      strategy: 'blue-green',
      alarms: {
        readAt: expect.any(String),
        states: [
          { name: 'citadel-dev-monitoring-ApiErrors-1A2B3C', state: 'OK', since: '2026-11-30T08:00:00.000Z' },
          { name: 'citadel-dev-app-PaymentsDlq-9Z8Y', state: 'ALARM' },
        ],
      },
      outcome: { status: 'succeeded' },
      startedAt: '2026-11-30T09:30:01.000Z',
      finishedAt: '2026-11-30T09:30:03.000Z',
    });
    const local = await readdir(join(dir, 'out'));
    expect(local.sort()).toEqual([
      `20261130T093001.000Z-${STUB_COMMIT}.cdx.json`,
      `20261130T093001.000Z-${STUB_COMMIT}.json`,
    ]);
  });

  it('records the operator from STS as the approver of a deploy from a terminal', async () => {
    const d = deps();

    await deploy(['--env', 'dev', '--stacks', 'shared'], { ...d, env: { ...d.env, CI: undefined } });

    expect(storedRecord(d).approval).toEqual({ source: 'operator', operatorArn: DEPLOY_ROLE });
  });

  it('records a failed deploy with its step and still returns the failing exit code', async () => {
    const d = deps();
    vi.mocked(d.runCdk).mockResolvedValue(1);

    const code = await deploy(['--env', 'dev', '--stacks', 'shared'], d);

    expect(code).toBe(1);
    expect(storedRecord(d).outcome).toEqual({
      status: 'failed',
      failedStep: 'deploy',
      detail: 'cdk deploy exited with 1',
    });
  });

  it('records a deploy CloudFormation rolled back, naming the stack', async () => {
    const d = deps(
      stubChangeRecords({
        aws: {
          stackStatus: async () => ({
            status: 'UPDATE_ROLLBACK_COMPLETE',
            reason: 'Resource update cancelled',
            updatedAt: new Date('2026-11-30T09:30:05.000Z'),
          }),
        },
      }),
    );
    vi.mocked(d.runCdk).mockResolvedValue(1);

    await deploy(['--env', 'dev', '--stacks', 'app', '--image-digest', DIGEST], d);

    expect(storedRecord(d).outcome).toEqual({
      status: 'rolled-back',
      failedStep: 'deploy',
      detail: 'citadel-dev-app UPDATE_ROLLBACK_COMPLETE: Resource update cancelled',
    });
  });

  it('records a deploy that threw, then throws the same error', async () => {
    const d = deps();
    vi.mocked(d.runCdk).mockRejectedValue(new Error('spawn npx ENOENT'));

    await expect(deploy(['--env', 'dev', '--stacks', 'shared'], d)).rejects.toThrow('spawn npx ENOENT');

    expect(storedRecord(d).outcome).toEqual({
      status: 'failed',
      failedStep: 'deploy',
      detail: 'spawn npx ENOENT',
    });
  });

  it('does not deploy when the diff fails, and records that', async () => {
    const d = deps(stubChangeRecords({ diff: { code: 1, output: 'Need to perform AWS calls' } }));

    const code = await deploy(['--env', 'dev', '--stacks', 'shared'], d);

    expect(code).toBe(1);
    expect(d.runCdk).not.toHaveBeenCalled();
    expect(storedRecord(d).outcome).toMatchObject({ status: 'failed', failedStep: 'diff' });
  });

  it('keeps the record when the alarms cannot be read, saying why', async () => {
    const d = deps(
      stubChangeRecords({ aws: { describeAlarms: async () => Promise.reject(new Error('AccessDenied')) } }),
    );

    await deploy(['--env', 'dev', '--stacks', 'shared'], d);

    expect(storedRecord(d).alarms).toMatchObject({ error: 'AccessDenied', states: [] });
  });

  it('fails the run loudly after the deploy when the record cannot be written', async () => {
    const d = deps(
      stubChangeRecords({
        aws: { putObject: async () => Promise.reject(new Error('AccessDenied: PutObject')) },
      }),
    );

    const result = deploy(['--env', 'dev', '--stacks', 'shared', '--record-dir', 'out'], d);

    await expect(result).rejects.toThrow(ChangeRecordWriteError);
    await expect(result).rejects.toThrow(
      /deploy finished \(succeeded\) but its change record .* AccessDenied/,
    );
    expect(d.runCdk).toHaveBeenCalledTimes(1);
    expect((await readdir(join(dir, 'out'))).length).toBe(1);
  });

  it('reads the strategy from the environment config when it names one', async () => {
    const { deploymentStrategy } = await import('../../scripts/lib/record-deploy.js');
    const { loadEnvironmentConfig } = await import('../../config/index.js');
    const config = loadEnvironmentConfig('dev');

    expect(deploymentStrategy(config)).toBe('blue-green');
    expect(deploymentStrategy({ ...config, deployment: { strategy: 'canary' } } as typeof config)).toBe(
      'canary',
    );
    expect(deploymentStrategy({ ...config, deployment: { strategy: 'rolling' } } as typeof config)).toBe(
      'rolling',
    );
  });
});

describe('deploy inputs that feed the record are refused before anything is deployed', () => {
  const huge = JSON.stringify(Array.from({ length: 3000 }, () => APPROVALS[0]));

  it.each([
    [
      'an approvals file that is an object',
      ['--approvals', 'bad.json'],
      '{"approvals":[]}',
      /--approvals .*bad\.json: \(file\) = .*expected the JSON array/,
    ],
    [
      'an approval with no user',
      ['--approvals', 'bad.json'],
      '[{"state":"approved","environments":[]}]',
      /\[0\]\.user\.login = undefined/,
    ],
    [
      'an approval in an unknown state',
      ['--approvals', 'bad.json'],
      '[{"state":"maybe","user":{"login":"a"},"environments":[]}]',
      /\[0\]\.state = "maybe"/,
    ],
    [
      'a login with a shell escape',
      ['--approvals', 'bad.json'],
      '[{"state":"approved","user":{"login":"$(id)"},"environments":[]}]',
      /\[0\]\.user\.login = "\$\(id\)"/,
    ],
    ['a huge approvals file', ['--approvals', 'bad.json'], huge, /bytes is more than the 262144 accepted/],
    [
      'a control character in a comment',
      ['--approvals', 'bad.json'],
      '[{"state":"approved","user":{"login":"a"},"comment":"ok\\u001b[31m","environments":[]}]',
      /\[0\]\.comment = .*without control or bidirectional-override characters/,
    ],
    [
      'a bidirectional override in a comment',
      ['--approvals', 'bad.json'],
      `[{"state":"approved","user":{"login":"a"},"comment":"ok\u202Eevil","environments":[]}]`,
      /control or bidirectional-override character/,
    ],
    [
      'an SBOM that is not CycloneDX',
      ['--sbom', 'bad.json'],
      '{"spdxVersion":"SPDX-2.3"}',
      /--sbom .*bomFormat = undefined: expected "CycloneDX"/,
    ],
    [
      'a scan summary with a negative count',
      ['--scan-summary', 'bad.json'],
      '{"tool":"trivy","critical":-1,"high":0,"medium":0,"low":0,"unknown":0}',
      /critical = -1/,
    ],
    [
      'a scan summary with an extra field',
      ['--scan-summary', 'bad.json'],
      '{"tool":"trivy","critical":0,"high":0,"medium":0,"low":0,"unknown":0,"note":"x"}',
      /note = "x": expected only tool/,
    ],
    ['a file that is not JSON', ['--approvals', 'bad.json'], '[{', /is not JSON/],
  ])('refuses %s', async (_, args, body, message) => {
    // Prepare
    await writeFile(join(dir, 'bad.json'), body);
    const d = deps();

    // Act
    const result = deploy(['--env', 'dev', '--stacks', 'shared', ...args], d);

    // Assess
    await expect(result).rejects.toThrow(message);
    expect(d.getCallerIdentity).not.toHaveBeenCalled();
    expect(d.runCdk).not.toHaveBeenCalled();
    expect(d.records.objects).toEqual([]);
  });

  it.each([
    ['--pull-request', '12a'],
    ['--pull-request', '-3'],
    ['--pull-request', '0'],
    ['--pull-request', '１２'],
    ['--commit', 'HEAD'],
    ['--commit', `${STUB_COMMIT};rm`],
    ['--image-digest', 'sha256:abc'],
    ['--image-digest', `md5:${'a'.repeat(64)}`],
    ['--approvals', 'missing.json'],
  ])('refuses %s %j', async (option, value) => {
    const d = deps();

    await expect(deploy(['--env', 'dev', '--stacks', 'shared', option, value], d)).rejects.toThrow(option);

    expect(d.runCdk).not.toHaveBeenCalled();
    expect(d.records.objects).toEqual([]);
  });

  it('accepts any pull request number from 1 to 999999999 and refuses any other text', async () => {
    await fc.assert(
      fc.asyncProperty(fc.string({ maxLength: 12 }), async (value) => {
        const d = deps();
        const ok = /^[1-9][0-9]{0,8}$/.test(value);
        const result = deploy(['--env', 'dev', '--stacks', 'shared', '--pull-request', value], d).then(
          () => true,
          () => false,
        );
        expect(await result).toBe(ok);
      }),
      { numRuns: 40 },
    );
  });
});

describe('the AWS calls of a change record, answered at the HTTP boundary', () => {
  interface Seen {
    method: string;
    path: string;
    headers: Record<string, string>;
    body: string;
  }
  /** An HTTP layer that records each request and answers with a recorded AWS response. */
  function answering(
    respond: (request: Seen) => { status: number; headers?: Record<string, string>; body?: string },
  ) {
    const seen: Seen[] = [];
    const handler = {
      handle: async (request: {
        method: string;
        path: string;
        headers: Record<string, string>;
        body?: unknown;
      }) => {
        const body =
          typeof request.body === 'string'
            ? request.body
            : request.body instanceof Uint8Array
              ? Buffer.from(request.body).toString('utf8')
              : '';
        const entry = { method: request.method, path: request.path, headers: request.headers, body };
        seen.push(entry);
        const answer = respond(entry);
        const { Readable } = await import('node:stream');
        return {
          response: {
            statusCode: answer.status,
            reason: undefined,
            headers: answer.headers ?? {},
            body: Readable.from([Buffer.from(answer.body ?? '')]),
          },
        };
      },
      updateHttpClientConfig: () => undefined,
      httpHandlerConfigs: () => ({}),
    };
    return { seen, handler: handler as unknown as RequestHandler };
  }
  const credentials = { AWS_ACCESS_KEY_ID: 'AKIAEXAMPLE', AWS_SECRET_ACCESS_KEY: 'example' };
  beforeEach(() => {
    vi.stubEnv('AWS_ACCESS_KEY_ID', credentials.AWS_ACCESS_KEY_ID);
    vi.stubEnv('AWS_SECRET_ACCESS_KEY', credentials.AWS_SECRET_ACCESS_KEY);
  });
  afterEach(() => {
    vi.unstubAllEnvs();
  });

  it('puts a record with a SHA-256 checksum S3 verifies (Object Lock needs one) and never over an existing key', async () => {
    // Prepare
    const body = Buffer.from('{"schemaVersion":1}\n');
    const checksum = createHash('sha256').update(body).digest('base64');
    const { seen, handler } = answering(() => ({
      status: 200,
      headers: {
        etag: '"6805f2cfc46c0f04559748bb039d69ae"',
        'x-amz-checksum-sha256': checksum,
        'x-amz-server-side-encryption': 'aws:kms',
        'x-amz-version-id': '3HL4kqtJlcpXroDTDmJ-rmSpXd3dIbrHY',
      },
    }));

    // Act
    const result = await changeRecordAws('eu-west-1', handler).putObject(
      'citadel-dev-records-111111111111-eu-west-1',
      'records/dev/20261130T093001.000Z-x.json',
      body,
      'application/json',
    );

    // Assess
    expect(result).toEqual({ versionId: '3HL4kqtJlcpXroDTDmJ-rmSpXd3dIbrHY' });
    const [put] = seen;
    expect(put!.method).toBe('PUT');
    expect(put!.path).toBe('/records/dev/20261130T093001.000Z-x.json');
    expect(put!.headers).toMatchObject({
      'x-amz-checksum-sha256': checksum,
      'if-none-match': '*',
      'content-type': 'application/json',
    });
    expect(put!.headers['x-amz-sdk-checksum-algorithm'] ?? 'SHA256').toBe('SHA256');
  });

  it('surfaces the precondition failure S3 answers when the key already exists', async () => {
    const { handler } = answering(() => ({
      status: 412,
      headers: { 'content-type': 'application/xml' },
      body: '<?xml version="1.0" encoding="UTF-8"?><Error><Code>PreconditionFailed</Code><Message>At least one of the pre-conditions you specified did not hold</Message><Condition>If-None-Match</Condition><RequestId>R1</RequestId></Error>',
    }));

    await expect(
      changeRecordAws('eu-west-1', handler).putObject(
        'b',
        'records/dev/k.json',
        Buffer.from('{}'),
        'application/json',
      ),
    ).rejects.toThrow(/pre-conditions/);
  });

  it('reads every page of the environment’s alarms from CloudWatch', async () => {
    // Prepare
    const { seen, handler } = answering((request) => {
      const asked = JSON.parse(request.body) as { NextToken?: string };
      const page = asked.NextToken
        ? {
            MetricAlarms: [
              {
                AlarmName: 'citadel-dev-monitoring-B',
                StateValue: 'ALARM',
                StateUpdatedTimestamp: 1764495000,
              },
            ],
            CompositeAlarms: [],
          }
        : {
            MetricAlarms: [
              { AlarmName: 'citadel-dev-app-A', StateValue: 'OK', StateUpdatedTimestamp: 1764490000.5 },
            ],
            CompositeAlarms: [],
            NextToken: 'page-2',
          };
      return {
        status: 200,
        headers: { 'content-type': 'application/x-amz-json-1.0' },
        body: JSON.stringify(page),
      };
    });

    // Act
    const alarms = await changeRecordAws('eu-west-1', handler).describeAlarms('citadel-dev-');

    // Assess
    expect(alarms).toEqual([
      { name: 'citadel-dev-app-A', state: 'OK', since: '2025-11-30T08:06:40.500Z' },
      { name: 'citadel-dev-monitoring-B', state: 'ALARM', since: '2025-11-30T09:30:00.000Z' },
    ]);
    expect(seen).toHaveLength(2);
    expect(JSON.parse(seen[0]!.body)).toMatchObject({ AlarmNamePrefix: 'citadel-dev-' });
    expect(seen[0]!.headers['x-amz-target']).toBe('GraniteServiceVersion20100801.DescribeAlarms');
  });

  it('reads a rolled-back stack’s status from CloudFormation, and none for a stack that does not exist', async () => {
    const { handler } = answering((request) =>
      request.body.includes('StackName=citadel-dev-app')
        ? {
            status: 200,
            headers: { 'content-type': 'text/xml' },
            body: `<DescribeStacksResponse xmlns="http://cloudformation.amazonaws.com/doc/2010-05-15/"><DescribeStacksResult><Stacks><member><StackName>citadel-dev-app</StackName><StackId>arn:aws:cloudformation:eu-west-1:111111111111:stack/citadel-dev-app/1</StackId><StackStatus>UPDATE_ROLLBACK_COMPLETE</StackStatus><StackStatusReason>Resource update cancelled</StackStatusReason><CreationTime>2026-01-01T00:00:00Z</CreationTime><LastUpdatedTime>2026-11-30T09:30:05Z</LastUpdatedTime></member></Stacks></DescribeStacksResult><ResponseMetadata><RequestId>r</RequestId></ResponseMetadata></DescribeStacksResponse>`,
          }
        : {
            status: 400,
            headers: { 'content-type': 'text/xml' },
            body: '<ErrorResponse xmlns="http://cloudformation.amazonaws.com/doc/2010-05-15/"><Error><Type>Sender</Type><Code>ValidationError</Code><Message>Stack with id citadel-dev-data does not exist</Message></Error><RequestId>r</RequestId></ErrorResponse>',
          },
    );
    const aws = changeRecordAws('eu-west-1', handler);

    expect(await aws.stackStatus('citadel-dev-app')).toEqual({
      status: 'UPDATE_ROLLBACK_COMPLETE',
      reason: 'Resource update cancelled',
      updatedAt: new Date('2026-11-30T09:30:05Z'),
    });
    expect(await aws.stackStatus('citadel-dev-data')).toBeUndefined();
  });
});

describe('reading a record back', () => {
  it.each([
    ['schemaVersion 2', { schemaVersion: 2 }, '/schemaVersion'],
    ['a digest that is not sha256', { image: { digest: 'sha1:abc' } }, '/image/digest'],
    ['an unknown outcome', { outcome: { status: 'maybe' } }, '/outcome/status'],
    ['a failure without its step', { outcome: { status: 'failed' } }, '/outcome/failedStep'],
    ['an end before the start', { finishedAt: '2026-11-30T09:00:00.000Z' }, '/finishedAt'],
  ])('refuses %s, naming the field', async (_, change, field) => {
    const d = deps();
    await deploy(['--env', 'dev', '--stacks', 'shared'], d);
    const record = { ...storedRecord(d), ...change } as Record<string, unknown>;
    if ('image' in change) record.image = { ...change.image };

    expect(() => parseChangeRecord(record, 'r.json')).toThrow(`r.json: ${field}`);
  });

  it('round-trips the written record through its file', async () => {
    const d = deps();
    await deploy(['--env', 'dev', '--stacks', 'shared', '--record-dir', 'out'], d);
    const [file] = await readdir(join(dir, 'out'));

    const record = parseChangeRecord(JSON.parse(await readFile(join(dir, 'out', file!), 'utf8')), file!);

    expect(record).toEqual(storedRecord(d));
  });
});
