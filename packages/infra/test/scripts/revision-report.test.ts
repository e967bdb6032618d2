import { createHash } from 'node:crypto';
import { mkdtemp, readdir, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { parseChangeRecord } from '../../scripts/lib/change-record.js';
import { deploy, type DeliveryDeps } from '../../scripts/lib/delivery.js';
import type { RenderRevisionReport } from '../../scripts/lib/record-deploy.js';
import { STUB_COMMIT, stubChangeRecords } from '../support/change-record-stub.js';

const RECORD_KEY = `records/dev/20261130T093001.000Z-${STUB_COMMIT}.json`;
const REPORT = { markdown: '# Revision report: dev\n', json: '{"environment":"dev"}\n' };
const sha256 = (text: string | Buffer) => createHash('sha256').update(text).digest('hex');

let dir: string;
beforeEach(async () => {
  dir = await mkdtemp(join(tmpdir(), 'citadel-revision-'));
});
afterEach(async () => {
  await rm(dir, { recursive: true, force: true });
});

function deps(render: RenderRevisionReport) {
  const records = { ...stubChangeRecords(), renderRevisionReport: render };
  const d: DeliveryDeps = {
    env: { AWS_ACCESS_KEY_ID: 'AKIAEXAMPLE', AWS_SECRET_ACCESS_KEY: 'example', HOME: dir, CI: 'true' },
    getCallerIdentity: vi.fn(async () => ({
      account: '111111111111',
      arn: 'arn:aws:sts::111111111111:assumed-role/citadel-dev-github-deploy/deploy-dev-42',
    })),
    runCdk: vi.fn(async () => 0),
    log: () => undefined,
    cwd: dir,
    changeRecords: records,
  };
  return { d, records };
}

const ARGS = ['--env', 'dev', '--stacks', 'shared', '--commit', STUB_COMMIT, '--record-dir', 'out'];

describe('the report of each deployed revision', () => {
  it('is rendered from the assembly the diff synthesized, and that very assembly is deployed', async () => {
    // Prepare
    const render = vi.fn<RenderRevisionReport>(async () => REPORT);
    const { d, records } = deps(render);

    // Act
    await deploy(ARGS, d);

    // Assess
    const diffArgs = vi.mocked(records.captureCdk).mock.calls[0]![0];
    const assemblyDir = diffArgs[diffArgs.indexOf('--output') + 1];
    expect(assemblyDir).toMatch(/citadel-dev-assembly-/);
    expect(render).toHaveBeenCalledWith(assemblyDir, 'dev', {
      commit: STUB_COMMIT,
      renderedAt: expect.any(Date),
    });
    const deployArgs = vi.mocked(d.runCdk).mock.calls[0]![0];
    expect(deployArgs.slice(0, 3)).toEqual(['deploy', '--app', assemblyDir]);
    expect(render.mock.invocationCallOrder[0]).toBeLessThan(vi.mocked(d.runCdk).mock.invocationCallOrder[0]!);
  });

  it('is stored next to the change record, which names its keys and SHA-256', async () => {
    const { d, records } = deps(async () => REPORT);

    await deploy(ARGS, d);

    // The report goes first: a record never points at an object that is not there yet.
    expect(records.objects.map((object) => object.key)).toEqual([
      RECORD_KEY.replace(/\.json$/, '.report.md'),
      RECORD_KEY.replace(/\.json$/, '.report.json'),
      RECORD_KEY,
    ]);
    const [markdown, json, stored] = records.objects;
    expect(new Set(records.objects.map((object) => object.bucket))).toEqual(
      new Set(['citadel-dev-records-111111111111-eu-west-1']),
    );
    const record = parseChangeRecord(JSON.parse(stored!.body.toString('utf8')), stored!.key);
    expect(record.report).toEqual({
      key: markdown!.key,
      sha256: sha256(markdown!.body),
      jsonKey: json!.key,
      jsonSha256: sha256(json!.body),
    });
    expect(markdown!.body.toString('utf8')).toBe(REPORT.markdown);
    expect(markdown!.contentType).toBe('text/markdown; charset=utf-8');
    expect((await readdir(join(dir, 'out'))).sort()).toEqual(
      [RECORD_KEY, markdown!.key, json!.key].map((key) => key.split('/').at(-1)).sort(),
    );
    expect(await readFile(join(dir, 'out', markdown!.key.split('/').at(-1)!), 'utf8')).toBe(REPORT.markdown);
  });

  it('fails the run before the deploy when the report cannot be rendered, and records that', async () => {
    const { d, records } = deps(async () => {
      throw new Error('the cloud assembly has no stage "dev"');
    });

    await expect(deploy(ARGS, d)).rejects.toThrow('the cloud assembly has no stage "dev"');

    expect(d.runCdk).not.toHaveBeenCalled();
    const stored = records.objects.at(-1)!;
    const record = parseChangeRecord(JSON.parse(stored.body.toString('utf8')), stored.key);
    expect(record.outcome).toEqual({
      status: 'failed',
      failedStep: 'report',
      detail: 'the cloud assembly has no stage "dev"',
    });
    expect(record.report).toBeUndefined();
    expect(records.objects).toHaveLength(1);
  });

  it('renders nothing and passes the context to the deploy when no renderer is given', async () => {
    const { d, records } = deps(async () => REPORT);
    delete (records as { renderRevisionReport?: unknown }).renderRevisionReport;

    await deploy(ARGS, d);

    expect(vi.mocked(records.captureCdk).mock.calls[0]![0]).not.toContain('--output');
    expect(vi.mocked(d.runCdk).mock.calls[0]![0]).not.toContain('--app');
    expect(records.objects.map((object) => object.key)).toEqual([RECORD_KEY]);
  });
});
