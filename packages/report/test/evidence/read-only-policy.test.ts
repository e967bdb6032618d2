import { mkdtemp, readFile, readdir, rm, writeFile, mkdir } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { collectEvidence, parsePeriod } from '../../src/evidence/index.js';
import { ACCOUNT, BUCKET, REGION, mockAccount } from './aws-fixtures.js';

const DOC = new URL('../../../../docs/compliance.md', import.meta.url);

/** The actions of the first JSON policy in the "Evidence over a period" section. */
async function documentedActions(): Promise<string[]> {
  const text = await readFile(DOC, 'utf8');
  const section = text.slice(text.indexOf('## Evidence over a period'));
  const policy = /```json\n([\s\S]*?)```/.exec(section)?.[1];
  if (!policy) throw new Error('docs/compliance.md has no JSON policy under "Evidence over a period"');
  const document = JSON.parse(policy) as { Statement: { Effect: string; Action: string[] }[] };
  expect(document.Statement.every((statement) => statement.Effect === 'Allow')).toBe(true);
  return document.Statement.flatMap((statement) => statement.Action);
}

/** Every `action` a recorded call in the bundle names. */
function recordedActions(value: unknown, into: Set<string>): Set<string> {
  if (Array.isArray(value)) value.forEach((item) => recordedActions(item, into));
  else if (typeof value === 'object' && value !== null) {
    for (const [key, child] of Object.entries(value)) {
      if (key === 'action' && typeof child === 'string') into.add(child);
      else recordedActions(child, into);
    }
  }
  return into;
}

describe('the collector’s documented read-only policy', () => {
  let work: string;
  let used: Set<string>;

  beforeAll(async () => {
    work = await mkdtemp(join(tmpdir(), 'citadel-evidence-policy-'));
    const mocks = mockAccount();
    try {
      const bundle = await collectEvidence({
        environment: 'prod',
        account: ACCOUNT,
        regions: [REGION],
        period: parsePeriod('2026-01-01', '2026-03-31', new Date('2026-04-10T00:00:00Z')),
        outDir: join(work, 'bundle'),
        recordsBucket: BUCKET,
        writeSynthReport: async (directory) => {
          await mkdir(directory, { recursive: true });
          await writeFile(join(directory, 'compliance.md'), '# report\n');
          return { commit: 'abc1234' };
        },
      });
      used = new Set(['sts:GetCallerIdentity', 's3:GetObject']);
      for (const file of await readdir(bundle.directory, { recursive: true })) {
        if (file.endsWith('.json'))
          recordedActions(JSON.parse(await readFile(join(bundle.directory, file), 'utf8')), used);
      }
    } finally {
      mocks.restore();
    }
  });
  afterAll(() => rm(work, { recursive: true, force: true }));

  it('grants every action the collector calls, and nothing else but the decrypt of the records', async () => {
    expect(used.size).toBeGreaterThanOrEqual(15);
    expect(new Set(await documentedActions())).toEqual(new Set([...used, 'kms:Decrypt']));
  });

  it('grants only reads', async () => {
    for (const action of await documentedActions()) {
      expect(action).toMatch(/^[a-z0-9-]+:(Get|List|Describe|Lookup|Decrypt)[A-Za-z]*$/);
    }
  });
});
