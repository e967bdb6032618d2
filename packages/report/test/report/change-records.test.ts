import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { ChangeRecord } from '@citadel/infra/change-record';
import {
  readChangeRecords,
  renderChangeRecordsHtml,
  renderChangeRecordsMarkdown,
} from '../../src/report/change-records.js';
import { CONTROLS } from '../../src/report/control-mapping.js';

const COMMIT = '3f6c2b1e9a0d4c7b8e5f1a2d3c4b5a6978695a4b';
const RECORD: ChangeRecord = {
  schemaVersion: 1,
  environment: 'prod',
  account: '333333333333',
  region: 'eu-west-1',
  stacks: ['citadel-prod-app', 'citadel-prod-monitoring'],
  commit: COMMIT,
  pullRequest: { number: 214, url: 'https://github.com/example-org/citadel/pull/214' },
  approval: {
    source: 'github-environment',
    approvers: [{ login: 'octo-reviewer', state: 'approved', comment: 'ok', environments: ['prod'] }],
  },
  deployedBy: 'arn:aws:sts::333333333333:assumed-role/citadel-prod-github-deploy/deploy-prod-42',
  image: {
    digest: `sha256:${'c'.repeat(64)}`,
    scan: { tool: 'trivy', critical: 0, high: 0, medium: 1, low: 2, unknown: 0 },
  },
  diff: { exitCode: 0, text: '[~] AWS::ECS::TaskDefinition Api', truncated: false },
  strategy: 'rolling',
  alarms: {
    readAt: '2026-11-30T09:40:00.000Z',
    states: [
      { name: 'citadel-prod-monitoring-ApiErrors-1A2B', state: 'OK' },
      { name: 'citadel-prod-app-PaymentsDlq-9Z8Y', state: 'ALARM' },
    ],
  },
  outcome: { status: 'succeeded' },
  startedAt: '2026-11-30T09:30:00.000Z',
  finishedAt: '2026-11-30T09:39:00.000Z',
};

let dir: string;
beforeEach(async () => {
  dir = await mkdtemp(join(tmpdir(), 'citadel-records-'));
});
afterEach(async () => {
  await rm(dir, { recursive: true, force: true });
});
const write = (name: string, value: unknown) =>
  writeFile(join(dir, name), typeof value === 'string' ? value : JSON.stringify(value));

describe('the change-record section', () => {
  it('lists the environment’s records newest first, with approvers, digest, strategy, outcome and alarms', async () => {
    // Prepare
    const failed: ChangeRecord = {
      ...RECORD,
      approval: { source: 'operator', operatorArn: 'arn:aws:sts::333333333333:assumed-role/admin/alice' },
      outcome: {
        status: 'rolled-back',
        failedStep: 'deploy',
        detail: 'citadel-prod-app UPDATE_ROLLBACK_COMPLETE',
      },
      startedAt: '2026-12-01T10:00:00.000Z',
      finishedAt: '2026-12-01T10:05:00.000Z',
    };
    await write('a.json', RECORD);
    await write('b.json', failed);
    await write('a.cdx.json', { bomFormat: 'CycloneDX' });
    await write('dev.json', { ...RECORD, environment: 'dev', account: '111111111111' });

    // Act
    const records = readChangeRecords(dir, 'prod');
    const markdown = renderChangeRecordsMarkdown(records);
    const html = renderChangeRecordsHtml(records);

    // Assess
    expect(records.map((r) => r.startedAt)).toEqual(['2026-12-01T10:00:00.000Z', '2026-11-30T09:30:00.000Z']);
    const rows = markdown.split('\n').filter((line) => line.startsWith('| 2026'));
    expect(rows[0]).toContain('operator arn:aws:sts::333333333333:assumed-role/admin/alice');
    expect(rows[0]).toContain('rolled-back at deploy: citadel-prod-app UPDATE_ROLLBACK_COMPLETE');
    expect(rows[1]).toContain('[#214](https://github.com/example-org/citadel/pull/214)');
    expect(rows[1]).toContain('octo-reviewer (approved)');
    expect(rows[1]).toContain(`sha256:${'c'.repeat(64)}`);
    expect(rows[1]).toContain('| rolling |');
    expect(rows[1]).toContain('ALARM: citadel-prod-app-PaymentsDlq-9Z8Y');
    expect(markdown).toContain('PCI DSS v4.0.1 6.5.1, PCI DSS v4.0.1 6.5.2, HIPAA 164.308(a)(8)');
    expect(html).toContain('<a href="https://github.com/example-org/citadel/pull/214">#214</a>');
    expect(html.match(/<tr class=/g)).toHaveLength(2);
  });

  it('escapes what a record holds, so no approval comment or detail can inject markup', async () => {
    const hostile: ChangeRecord = {
      ...RECORD,
      outcome: { status: 'failed', failedStep: 'deploy', detail: '<script>alert(1)</script> | col' },
    };

    expect(renderChangeRecordsHtml([hostile])).not.toContain('<script>');
    expect(renderChangeRecordsHtml([hostile])).toContain('&#60;script&#62;');
    const row = renderChangeRecordsMarkdown([hostile])
      .split('\n')
      .find((line) => line.startsWith('| 2026'))!;
    expect(row.split(' | ')).toHaveLength(9);
  });

  it.each([
    ['an unknown schema version', { ...RECORD, schemaVersion: 2 }, '/schemaVersion'],
    ['an image digest that is not sha256', { ...RECORD, image: { digest: 'latest' } }, '/image/digest'],
    [
      'a pull request number that is text',
      { ...RECORD, pullRequest: { number: '214', url: RECORD.pullRequest!.url } },
      '/pullRequest/number',
    ],
    ['a failure without its step', { ...RECORD, outcome: { status: 'failed' } }, '/outcome/failedStep'],
    ['an unknown field', { ...RECORD, approvedByCeo: true }, '/'],
    ['a file that is not JSON', '{"schemaVersion":', '(file)'],
  ])('refuses %s, naming the file and the field', async (_, value, field) => {
    await write('good.json', RECORD);
    await write('bad.json', value);

    expect(() => readChangeRecords(dir)).toThrow(`${join(dir, 'bad.json')}: ${field}`);
  });

  it('maps change records to PCI DSS v4.0.1 6.5.1–6.5.2 and HIPAA 164.308(a)(8) in the control mapping', () => {
    const ids = CONTROLS.map((control) => `${control.framework} ${control.id}`);
    expect(ids).toContain('PCI DSS v4.0.1 6.5.1');
    expect(CONTROLS.find((control) => control.id === '6.5.1')?.related).toEqual(['6.5.2']);
    expect(ids).toContain('HIPAA 164.308(a)(8)');
    const evaluation = CONTROLS.find((control) => control.id === '164.308(a)(8)')!;
    expect(evaluation.evidence.map((e) => e.setting).join(' ')).toContain('Object Lock');
  });
});
