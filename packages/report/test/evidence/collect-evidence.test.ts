import { mkdtemp, readFile, readdir, rm, writeFile, mkdir } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ListCopyJobsCommand } from '@aws-sdk/client-backup';
import { LookupEventsCommand } from '@aws-sdk/client-cloudtrail';
import { GetObjectCommand } from '@aws-sdk/client-s3';
import { GetFindingsCommand, InvalidAccessException } from '@aws-sdk/client-securityhub';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import {
  MissingPermissionError,
  collectEvidence,
  parsePeriod,
  verifyBundle,
  type CollectEvidenceOptions,
} from '../../src/evidence/index.js';
import {
  ACCOUNT,
  BUCKET,
  RECORDS,
  REGION,
  REPORTS,
  reportEntry,
  backupAccessDenied,
  mockAccount,
  type AccountMocks,
} from './aws-fixtures.js';

const NOW = new Date('2026-04-10T12:00:00Z');
let work: string;
let mocks: AccountMocks;

beforeEach(async () => {
  work = await mkdtemp(join(tmpdir(), 'citadel-evidence-'));
  mocks = mockAccount();
});
afterEach(async () => {
  mocks.restore();
  await rm(work, { recursive: true, force: true });
});

function options(overrides: Partial<CollectEvidenceOptions> = {}): CollectEvidenceOptions {
  return {
    environment: 'prod',
    account: ACCOUNT,
    regions: [REGION],
    period: parsePeriod('2026-01-01', '2026-03-31', NOW),
    outDir: join(work, 'bundle'),
    recordsBucket: BUCKET,
    now: NOW,
    writeSynthReport: async (directory) => {
      await mkdir(directory, { recursive: true });
      await writeFile(join(directory, 'compliance.md'), '# Compliance report — prod\n');
      return { commit: '0123456789abcdef0123456789abcdef01234567' };
    },
    ...overrides,
  };
}

const readJson = async (path: string) => JSON.parse(await readFile(path, 'utf8')) as Record<string, any>; // eslint-disable-line @typescript-eslint/no-explicit-any

describe('collectEvidence', () => {
  it('writes one file per source, each call paginated to its last page, and a manifest that verifies', async () => {
    const bundle = await collectEvidence(options());

    const files = (await readdir(bundle.directory, { recursive: true })).sort();
    expect(files).toEqual(
      expect.arrayContaining([
        'backup/eu-west-1.json',
        'bundle.json',
        'change-records.json',
        'cloudtrail-iam.json',
        'config-compliance/eu-west-1.json',
        'manifest.json',
        'report/prod/compliance.md',
        'security-hub/eu-west-1.json',
        'sts/get-caller-identity.json',
        'summary.html',
        'summary.md',
      ]),
    );
    const hub = await readJson(join(bundle.directory, 'security-hub/eu-west-1.json'));
    expect(
      hub.findings.pages.map((page: { $metadata: { requestId: string } }) => page.$metadata.requestId),
    ).toEqual(['sh-1', 'sh-2']);
    expect(hub.findings.request.Filters).toEqual({
      CreatedAt: [{ End: '2026-04-01T00:00:00.000Z' }],
      UpdatedAt: [{ Start: '2026-01-01T00:00:00.000Z' }],
    });
    expect(
      mocks.securityHub.commandCalls(GetFindingsCommand).map((call) => call.args[0].input.NextToken),
    ).toEqual([undefined, 'sh-page-2']);
    const config = await readJson(join(bundle.directory, 'config-compliance/eu-west-1.json'));
    expect(config.rules.pages).toHaveLength(2);
    expect(config.evaluationsByRule).toHaveLength(2);
    expect(config.evaluationsByRule[1].pages).toHaveLength(2);
    expect(config.complianceHistory[0].request).toMatchObject({
      earlierTime: '2026-01-01T00:00:00.000Z',
      laterTime: '2026-04-01T00:00:00.000Z',
    });
    expect(config.complianceHistory[0].pages).toHaveLength(2);
    const backup = await readJson(join(bundle.directory, 'backup/eu-west-1.json'));
    expect(
      backup.backupJobs.pages.flatMap((page: { BackupJobs: { BackupJobId: string }[] }) =>
        page.BackupJobs.map((job) => job.BackupJobId),
      ),
    ).toEqual(['bj-1', 'bj-2']);
    expect(backup.backupJobs.request).toMatchObject({
      ByCreatedAfter: '2026-01-01T00:00:00.000Z',
      ByCreatedBefore: '2026-04-01T00:00:00.000Z',
    });
    const trail = await readJson(join(bundle.directory, 'cloudtrail-iam.json'));
    expect(
      trail.lookups.map(
        (lookup: { request: { LookupAttributes: { AttributeValue: string }[] } }) =>
          lookup.request.LookupAttributes[0]?.AttributeValue,
      ),
    ).toEqual(['UpdateAssumeRolePolicy', 'CreateRole', 'DeleteRole', 'AttachRolePolicy', 'PutRolePolicy']);
    expect(trail.events.map((event: { EventName: string }) => event.EventName)).toEqual([
      'CreateRole',
      'UpdateAssumeRolePolicy',
      'UpdateAssumeRolePolicy',
    ]);

    const manifest = await verifyBundle(bundle.directory, bundle.head);
    expect(manifest.entries.map((entry) => entry.path)).not.toContain('manifest.json');
    expect(manifest.head).toBe(bundle.head);
  });

  it('computes age for open findings and time to resolve for resolved ones', async () => {
    const { summary } = await collectEvidence(options());
    const hub = await readJson(join(work, 'bundle/security-hub/eu-west-1.json'));
    expect(hub.ages).toEqual([
      // open since 2026-01-10T08:00 until the period's end, 2026-04-01T00:00
      expect.objectContaining({ state: 'open', severity: 'MEDIUM', ageDays: 80.7 }),
      // first observed 2026-02-01T00:00, resolved (archived) at 2026-02-05T12:00
      expect.objectContaining({ state: 'resolved', severity: 'CRITICAL', daysToResolve: 4.5 }),
    ]);
    expect(hub.ages[0]).not.toHaveProperty('daysToResolve');
    expect(hub.ages[1]).not.toHaveProperty('ageDays');
    expect(summary.findings).toMatchObject({
      open: 1,
      resolved: 1,
      oldestOpenDays: 80.7,
      medianDaysToResolve: 4.5,
    });
    expect(summary.configRules).toContainEqual(
      expect.objectContaining({
        rule: 's3-bucket-ssl-requests-only',
        compliant: 1,
        nonCompliant: 1,
        changesInPeriod: 3,
      }),
    );
    expect(summary.backups[0]?.counts).toEqual({
      backup: { COMPLETED: 1, FAILED: 1 },
      copy: { COMPLETED: 1 },
      restore: { COMPLETED: 1 },
      restoreTestValidation: { SUCCESSFUL: 1 },
    });
  });

  it('keeps change records in the period byte for byte and sets aside objects that are not this environment’s records', async () => {
    const bundle = await collectEvidence(options());

    const records = await readJson(join(bundle.directory, 'change-records.json'));
    expect(records.records.map((record: { key: string }) => record.key)).toEqual([
      'records/prod/2026-02-03T10-00-00Z.json',
      'records/prod/2026-03-04T10-00-00Z.json',
    ]);
    expect(records.records[1].body).toBe(RECORDS['records/prod/2026-03-04T10-00-00Z.json']);
    expect(records.records.map((record: { commit: string }) => record.commit)).toEqual([
      'a1b2c3d4e5f60718293a4b5c6d7e8f9012345678',
      'ffffffffffffffffffffffffffffffffffffffff',
    ]);
    // The reports stored next to the records are read through their record, never taken for records.
    expect(records.rejected).toEqual([
      { key: 'records/prod/copied-from-qa.json', reason: 'environment "qa" is not "prod"' },
      { key: 'records/prod/truncated.json', reason: 'not JSON' },
    ]);
    expect(mocks.s3.commandCalls(GetObjectCommand)).toHaveLength(Object.keys(RECORDS).length + 4);
    const markdown = await readFile(join(bundle.directory, 'summary.md'), 'utf8');
    expect(markdown).toContain('0123456789abcdef0123456789abcdef01234567');
  });

  it('puts the report of every deployed revision in the bundle, byte for byte and chained in the manifest', async () => {
    // Act
    const bundle = await collectEvidence(options());

    // Assess
    expect(bundle.gaps).toEqual([]);
    for (const base of ['2026-02-03T10-00-00Z', '2026-03-04T10-00-00Z']) {
      for (const suffix of ['report.md', 'report.json']) {
        const path = `report/revisions/${base}/${base}.${suffix}`;
        expect(await readFile(join(bundle.directory, path), 'utf8')).toBe(
          REPORTS[`records/prod/${base}.${suffix}`],
        );
      }
    }
    const manifest = await verifyBundle(bundle.directory, bundle.head);
    expect(manifest.entries.map((entry) => entry.path)).toEqual(
      expect.arrayContaining([
        'report/revisions/2026-03-04T10-00-00Z/2026-03-04T10-00-00Z.report.md',
        'report/revisions/2026-03-04T10-00-00Z/2026-03-04T10-00-00Z.report.json',
      ]),
    );
    const summary = await readFile(join(bundle.directory, 'summary.md'), 'utf8');
    expect(summary).toContain('report/revisions/2026-02-03T10-00-00Z/');
    expect((await readJson(join(bundle.directory, 'bundle.json'))).gaps).toEqual([]);
  });

  it('lists a tampered report as a gap naming the record and the key, and leaves it out of the bundle', async () => {
    // Prepare: the Markdown report was replaced after the deploy.
    mocks.restore();
    mocks = mockAccount(ACCOUNT, {
      objects: { 'records/prod/2026-02-03T10-00-00Z.report.md': '# Revision report: prod — all clear\n' },
    });

    // Act
    const bundle = await collectEvidence(options());

    // Assess
    expect(bundle.gaps).toEqual([
      {
        record: 'records/prod/2026-02-03T10-00-00Z.json',
        key: 'records/prod/2026-02-03T10-00-00Z.report.md',
        problem: expect.stringMatching(
          /^has SHA-256 [a-f0-9]{64}, but the record says [a-f0-9]{64}: it is not the report the deploy wrote$/,
        ),
      },
    ]);
    const files = await readdir(bundle.directory, { recursive: true });
    expect(files).not.toContain('report/revisions/2026-02-03T10-00-00Z/2026-02-03T10-00-00Z.report.md');
    const described = await readJson(join(bundle.directory, 'bundle.json'));
    expect(described.gaps[0].text).toContain(
      'change record records/prod/2026-02-03T10-00-00Z.json: revision report records/prod/2026-02-03T10-00-00Z.report.md has SHA-256',
    );
    await verifyBundle(bundle.directory, bundle.head);
  });

  it.each([
    [
      'a missing report',
      { deleted: ['records/prod/2026-03-04T10-00-00Z.report.json'] },
      'records/prod/2026-03-04T10-00-00Z.report.json',
      /^is missing from s3:\/\/citadel-prod-records-/,
    ],
    [
      'a record of a deployed revision that names no report',
      {
        objects: {
          'records/prod/2026-02-03T10-00-00Z.json': JSON.stringify({
            schemaVersion: 1,
            environment: 'prod',
            startedAt: '2026-02-03T10:00:00Z',
            outcome: { status: 'succeeded' },
          }),
        },
      },
      undefined,
      /^names no revision report, though its deploy went past the diff$/,
    ],
    [
      'a report key outside the record’s prefix',
      {
        objects: {
          'records/prod/2026-02-03T10-00-00Z.json': JSON.stringify({
            schemaVersion: 1,
            environment: 'prod',
            startedAt: '2026-02-03T10:00:00Z',
            report: {
              ...reportEntry('records/prod/2026-02-03T10-00-00Z'),
              key: 'records/qa/other.report.md',
            },
          }),
        },
      },
      'records/qa/other.report.md',
      /^report.key "records\/qa\/other.report.md" is not a key under records\/prod\/$/,
    ],
  ])('lists %s as a gap', async (_, objects, key, problem) => {
    mocks.restore();
    mocks = mockAccount(ACCOUNT, objects);

    const bundle = await collectEvidence(options());

    expect(bundle.gaps).toEqual([
      {
        record: expect.stringMatching(/^records\/prod\/2026-0[23]-0[34]T10-00-00Z\.json$/),
        key,
        problem: expect.stringMatching(problem),
      },
    ]);
  });

  it('owes no report for a deploy that stopped at its diff or its report', async () => {
    mocks.restore();
    mocks = mockAccount(ACCOUNT, {
      objects: {
        'records/prod/2026-02-03T10-00-00Z.json': JSON.stringify({
          schemaVersion: 1,
          environment: 'prod',
          startedAt: '2026-02-03T10:00:00Z',
          outcome: { status: 'failed', failedStep: 'report', detail: 'no stage' },
        }),
      },
    });

    const bundle = await collectEvidence(options());

    expect(bundle.gaps).toEqual([]);
  });

  it('says in the bundle when the period starts before CloudTrail event history and points to the trail’s logs', async () => {
    const bundle = await collectEvidence(options());
    const manifest = await readJson(join(bundle.directory, 'bundle.json'));
    expect(manifest.coverage[0]).toMatch(/only the last 90 days.*trail's log files in its S3 bucket/);
    expect(await readFile(join(bundle.directory, 'summary.html'), 'utf8')).toContain('only the last 90 days');

    const recent = await collectEvidence(
      options({ period: parsePeriod('2026-03-01', '2026-03-31', NOW), outDir: join(work, 'recent') }),
    );
    expect((await readJson(join(recent.directory, 'bundle.json'))).coverage).toEqual([]);
  });

  it('escapes what AWS returns in the HTML and Markdown summaries', async () => {
    mocks.cloudTrail.on(LookupEventsCommand).resolves({
      Events: [
        {
          EventId: 'e-hostile',
          EventName: 'CreateRole',
          EventTime: new Date('2026-02-01T00:00:00Z'),
          Username: 'x | y\nz',
          Resources: [{ ResourceType: 'AWS::IAM::Role', ResourceName: '<img src=x onerror=alert(1)>' }],
        },
      ],
    });
    const bundle = await collectEvidence(options());
    const html = await readFile(join(bundle.directory, 'summary.html'), 'utf8');
    expect(html).not.toContain('<img');
    expect(html).toContain('&lt;img src=x onerror=alert(1)&gt;');
    const markdown = await readFile(join(bundle.directory, 'summary.md'), 'utf8');
    expect(markdown).toContain('x \\| y z');
  });

  it('fails naming the call, the IAM action and the fix when a call is denied, and writes nothing', async () => {
    mocks.backup.on(ListCopyJobsCommand).rejects(backupAccessDenied('backup:ListCopyJobs'));
    const error = await collectEvidence(options()).catch((caught: unknown) => caught);

    expect(error).toBeInstanceOf(MissingPermissionError);
    expect((error as Error).message).toBe(
      'Backup.ListCopyJobs in eu-west-1 was refused (AccessDeniedException): grant backup:ListCopyJobs to the ' +
        'collector\'s read-only role (the policy is in docs/compliance.md, "Evidence over a period")',
    );
    expect(await readdir(work)).toEqual([]);
  });

  it('fails saying Security Hub is not subscribed, and writes nothing', async () => {
    mocks.securityHub.on(GetFindingsCommand).rejects(
      new InvalidAccessException({
        $metadata: { httpStatusCode: 401, requestId: 'sh-denied' },
        message: `Account ${ACCOUNT} is not subscribed to AWS Security Hub`,
        Code: 'InvalidAccessException',
      }),
    );
    await expect(collectEvidence(options())).rejects.toThrow(
      /SecurityHub.GetFindings in eu-west-1 was refused \(InvalidAccessException\): the service is not enabled \(not subscribed\)/,
    );
    expect(await readdir(work)).toEqual([]);
  });

  it('fails when the credentials reach another account, before reading anything else', async () => {
    mocks.restore();
    mocks = mockAccount('444444444444');
    await expect(collectEvidence(options())).rejects.toThrow(
      /reach account 444444444444 .* environment prod is in account 333333333333/,
    );
    expect(mocks.securityHub.calls()).toHaveLength(0);
    expect(await readdir(work)).toEqual([]);
  });

  it('leaves nothing behind when writing the report fails after collection', async () => {
    await expect(
      collectEvidence(
        options({
          writeSynthReport: () => Promise.reject(new Error('synth failed: unacknowledged finding')),
        }),
      ),
    ).rejects.toThrow('synth failed');
    expect(await readdir(work)).toEqual([]);
  });

  it('refuses a bundle directory that already holds files', async () => {
    await mkdir(join(work, 'bundle'));
    await writeFile(join(work, 'bundle', 'keep.txt'), 'earlier bundle');
    await expect(collectEvidence(options())).rejects.toThrow(/--out: .* already exists and is not empty/);
    expect(await readdir(join(work, 'bundle'))).toEqual(['keep.txt']);
    expect(mocks.sts.calls()).toHaveLength(0);
  });

  it('fails instead of looping when a service hands back the same page token', async () => {
    mocks.securityHub.on(GetFindingsCommand).resolves({ Findings: [], NextToken: 'same' });
    await expect(collectEvidence(options())).rejects.toThrow(
      /SecurityHub.GetFindings in eu-west-1 returned the page token "same" twice/,
    );
    expect(await readdir(work)).toEqual([]);
  });
});
