import { execFile } from 'node:child_process';
import { mkdir, mkdtemp, readdir, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { ListRestoreJobsCommand } from '@aws-sdk/client-backup';
import { ListObjectsV2Command } from '@aws-sdk/client-s3';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { runEvidenceCli, type EvidenceCliContext } from '../../src/evidence/index.js';
import {
  ACCOUNT,
  BUCKET,
  REGION,
  backupAccessDenied,
  mockAccount,
  type AccountMocks,
} from './aws-fixtures.js';

const ROOT = new URL('../../../../', import.meta.url);
let work: string;
let mocks: AccountMocks;
let out: string[];
let err: string[];

function context(): EvidenceCliContext {
  return {
    environments: ['prod'],
    environment: () => ({ account: ACCOUNT, region: REGION }),
    synthReport: () => async (directory) => {
      await mkdir(directory, { recursive: true });
      await writeFile(join(directory, 'compliance.md'), '# report\n');
      return { commit: 'abc1234' };
    },
    out: (line) => out.push(line),
    err: (line) => err.push(line),
    now: new Date('2026-04-10T12:00:00Z'),
  };
}

beforeEach(async () => {
  work = await mkdtemp(join(tmpdir(), 'citadel-evidence-cli-'));
  mocks = mockAccount();
  out = [];
  err = [];
});
afterEach(async () => {
  mocks.restore();
  await rm(work, { recursive: true, force: true });
});

const collectArgs = (dir: string) => [
  '--env',
  'prod',
  '--from',
  '2026-01-01',
  '--to',
  '2026-03-31',
  '--out',
  dir,
];

describe('npm run evidence', () => {
  it('prints the manifest head, which --verify then accepts', async () => {
    const dir = join(work, 'bundle');
    expect(await runEvidenceCli(collectArgs(dir), context())).toBe(0);
    const head = out.find((line) => line.startsWith('manifest head: '))?.slice('manifest head: '.length);
    expect(head).toMatch(/^[0-9a-f]{64}$/);
    // Without --records-bucket, the records come from the bucket prod's shared stack creates.
    expect(err.join('\n')).not.toMatch(/no change-record bucket was named/);
    const listed = mocks.s3.commandCalls(ListObjectsV2Command).map((call) => call.args[0].input.Bucket);
    expect(listed.length).toBeGreaterThan(0);
    expect(new Set(listed)).toEqual(new Set([BUCKET]));

    expect(await runEvidenceCli(['--verify', dir, '--head', head!], context())).toBe(0);
    await writeFile(join(dir, 'summary.md'), 'edited');
    expect(await runEvidenceCli(['--verify', dir, '--head', head!], context())).toBe(1);
    expect(err.join('\n')).toMatch(/BundleVerificationError: summary.md: sha256 is/);
  });

  it('exits 1 naming the record and the key when a deployed revision’s report is missing, with the bundle written', async () => {
    mocks.restore();
    mocks = mockAccount(ACCOUNT, { deleted: ['records/prod/2026-03-04T10-00-00Z.report.md'] });
    const dir = join(work, 'bundle');

    expect(await runEvidenceCli(collectArgs(dir), context())).toBe(1);

    expect(err).toContain(
      `gap: change record records/prod/2026-03-04T10-00-00Z.json: revision report records/prod/2026-03-04T10-00-00Z.report.md is missing from s3://${BUCKET}`,
    );
    expect(err.join('\n')).toMatch(/1 deployed revision\(s\) lack their report/);
    expect(await readdir(dir)).toContain('manifest.json');
  });

  it('exits 1 with the call, the action and the fix when one call is denied, and leaves no manifest', async () => {
    mocks.backup.on(ListRestoreJobsCommand).rejects(backupAccessDenied('backup:ListRestoreJobs'));
    expect(await runEvidenceCli(collectArgs(join(work, 'bundle')), context())).toBe(1);
    expect(err[0]).toBe(
      'MissingPermissionError: Backup.ListRestoreJobs in eu-west-1 was refused (AccessDeniedException): grant ' +
        'backup:ListRestoreJobs to the collector\'s read-only role (the policy is in docs/compliance.md, "Evidence over a period")',
    );
    expect(await readdir(work)).toEqual([]);
  });

  it('exits 1 naming the argument when the real script is given a hostile period', async () => {
    const result = await promisify(execFile)(
      'npx',
      [
        'tsx',
        'packages/report/scripts/evidence.ts',
        '--env',
        'prod',
        '--from',
        '2026-03-31',
        '--to',
        '2026-01-01',
      ],
      { cwd: ROOT },
    ).then(
      () => ({ code: 0, stderr: '' }),
      (error: { code: number; stderr: string }) => error,
    );
    expect(result.code).toBe(1);
    expect(result.stderr).toMatch(
      /EvidenceArgumentError: --from: "2026-03-31" is refused: it is after --to 2026-01-01/,
    );
  }, 60_000);
});
