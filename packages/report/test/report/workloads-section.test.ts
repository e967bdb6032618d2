import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { CONTROLS, WORKLOAD_GUARDRAILS, type WorkloadGuardrailId } from '../../src/report/control-mapping.js';
import type { Verdict } from '../../src/report/guardrail-check.js';
import { workloadsSectionHtml } from '../../src/report/render-html.js';
import { markdownText, workloadsSectionMarkdown } from '../../src/report/render-markdown.js';
import {
  buildWorkloadsSection,
  type WorkloadRow,
  type WorkloadsSection,
} from '../../src/report/workloads-section.js';
import { FixtureEnvironment } from './workload-fixtures.js';

const HOSTILE = '<script>alert(1)</script>|`rm -rf`*x*[a](javascript:x)';
const WILDCARD_GRANT = { Effect: 'Allow', Action: 'ecr:GetAuthorizationToken', Resource: '*' };

/** One environment holding a compliant workload of each shape and one workload per broken guardrail. */
function fixtureSection(): WorkloadsSection {
  const fixture = new FixtureEnvironment();
  fixture.service('compliant');
  fixture.service('map-tagged', { tags: 'map' });
  fixture.job('nightly');
  fixture.function('processor');
  fixture.function('unacked-managed', { acknowledgeManagedPolicy: false });
  fixture.service('root-user', { user: '0:0' });
  fixture.service('no-user', { user: null });
  fixture.service('named-user', { user: 'node' });
  fixture.service('writable-root', { readOnly: false });
  fixture.service('plain-logs', { kms: false });
  fixture.service('short-logs', { retentionDays: 30 });
  fixture.service('unwatched', { alarm: 'none' });
  fixture.service('app-stack-alarm', { alarm: 'app' });
  fixture.service('public-ip', { assignPublicIp: 'ENABLED' });
  fixture.service('unset-public-ip', { assignPublicIp: null });
  fixture.service('wildcard', { statements: [WILDCARD_GRANT] });
  const acked = fixture.service('acked-wildcard', { statements: [WILDCARD_GRANT] });
  FixtureEnvironment.acknowledge(acked.policy, 'AwsSolutions-IAM5[Resource::*]');
  const otherFinding = fixture.service('acked-other-finding', { statements: [WILDCARD_GRANT] });
  FixtureEnvironment.acknowledge(otherFinding.policy, 'AwsSolutions-IAM5[Action::s3:*]');
  fixture.service(HOSTILE);
  const { index, isAcknowledged } = fixture.synthesize();
  return buildWorkloadsSection(index, isAcknowledged);
}

const section = fixtureSection();
const row = (name: string): WorkloadRow => {
  const found = section.rows.find((candidate) => candidate.name === name);
  if (!found) throw new Error(`no row for ${name}`);
  return found;
};
const verdicts = (name: string): Record<WorkloadGuardrailId, Verdict> =>
  Object.fromEntries(
    Object.entries(row(name).guardrails).map(([id, check]) => [id, check.verdict]),
  ) as Record<WorkloadGuardrailId, Verdict>;
const ALL_HOLD: Record<WorkloadGuardrailId, Verdict> = {
  nonRootUser: 'yes',
  readOnlyRootFilesystem: 'yes',
  noPublicIp: 'yes',
  encryptedRetainedLogs: 'yes',
  alarmed: 'yes',
  scopedIam: 'yes',
};

describe('buildWorkloadsSection on hand-made templates', () => {
  it('finds every workload by its tag, given as a list or as a map, with its kind', () => {
    expect(section.rows.map((entry) => [entry.name, entry.kind])).toEqual(
      expect.arrayContaining([
        ['compliant', 'service'],
        ['map-tagged', 'service'],
        ['nightly', 'job'],
        ['processor', 'function'],
      ]),
    );
    expect(section.rows).toHaveLength(19);
  });

  it.each(['compliant', 'map-tagged', 'nightly', 'acked-wildcard', HOSTILE])(
    'holds every guardrail for %s',
    (name) => {
      expect(verdicts(name)).toEqual(ALL_HOLD);
    },
  );

  it('holds logs, alarm and IAM for a function and leaves the container guardrails not applicable', () => {
    expect(verdicts('processor')).toEqual({
      ...ALL_HOLD,
      nonRootUser: 'n/a',
      readOnlyRootFilesystem: 'n/a',
      noPublicIp: 'n/a',
    });
    expect(row('processor').iam).toMatchObject({
      managedPolicies: ['service-role/AWSLambdaBasicExecutionRole'],
      acknowledgedWildcards: 1,
      databaseRoles: ['fn_role'],
    });
  });

  it.each<[string, WorkloadGuardrailId, RegExp]>([
    ['root-user', 'nonRootUser', /runs as root \(0:0\)/],
    ['no-user', 'nonRootUser', /no user/],
    ['named-user', 'nonRootUser', /"node" is not a numeric uid/],
    ['writable-root', 'readOnlyRootFilesystem', /root filesystem is writable/],
    ['plain-logs', 'encryptedRetainedLogs', /no KMS key/],
    ['short-logs', 'encryptedRetainedLogs', /retention 30 days < 90/],
    ['unwatched', 'alarmed', /no alarm of the monitoring stack/],
    ['app-stack-alarm', 'alarmed', /no alarm of the monitoring stack/],
    ['public-ip', 'noPublicIp', /AssignPublicIp "ENABLED"/],
    ['unset-public-ip', 'noPublicIp', /AssignPublicIp not set/],
    ['wildcard', 'scopedIam', /unacknowledged: Resource::\* in app\/wildcardTaskRolePolicy/],
    ['acked-other-finding', 'scopedIam', /unacknowledged: Resource::\*/],
    ['unacked-managed', 'scopedIam', /AWS managed policy service-role\/AWSLambdaBasicExecutionRole/],
  ])('fails when %s: %s is no, every other guardrail as before', (name, guardrail, detail) => {
    const expected = name === 'unacked-managed' ? verdicts('processor') : ALL_HOLD;
    expect(verdicts(name)).toEqual({ ...expected, [guardrail]: 'no' });
    expect(row(name).guardrails[guardrail].detail).toMatch(detail);
  });

  it('names the database role from the dbuser ARN of rds-db:connect', () => {
    expect(row('compliant').iam.databaseRoles).toEqual(['compliant_role']);
    expect(row('nightly').iam.databaseRoles).toEqual([]);
  });

  it('counts every no in the summary', () => {
    expect(section.counts).toEqual({
      workloads: 19,
      checks: 19 * 6 - 2 * 3,
      failing: 13,
      workloadsFailing: 13,
    });
  });

  it('cites only controls of the control mapping', () => {
    const known = new Set(CONTROLS.map((control) => `${control.framework} ${control.id}`));
    for (const guardrail of WORKLOAD_GUARDRAILS)
      for (const control of guardrail.controls) expect(known, control).toContain(control);
    expect(section.controls).toEqual(
      expect.arrayContaining([
        'PCI DSS v4.0.1 2.2.1',
        'PCI DSS v4.0.1 7.2.2',
        'HIPAA 164.312(a)(1)',
        'HIPAA 164.312(b)',
      ]),
    );
  });
});

describe('rendering the Workloads section', () => {
  const html = workloadsSectionHtml(section);
  const markdown = workloadsSectionMarkdown(section).join('\n');

  it('shows each no plainly, with its detail, in both renderings', () => {
    expect(html).toContain('<span class="pill gap">no</span> app/rootuserTask/main: runs as root (0:0)');
    expect(html).toMatch(
      /<p id="workloads-counts">19 workloads, 108 guardrail checks, <b>13<\/b> not holding in 13 workloads\.<\/p>/,
    );
    expect(markdown).toMatch(/\| root-user \| service \| \*\*no\*\*: [^|]*runs as root/);
    expect(markdown).toContain('19 workloads, 108 guardrail checks, 13 not holding in 13 workloads.');
  });

  it('escapes a hostile tag value in the HTML', () => {
    expect(html).not.toContain('<script>');
    expect(html).toContain('<b>&lt;script&gt;alert(1)&lt;/script&gt;|`rm -rf`*x*[a](javascript:x)</b>');
  });

  it('escapes a hostile tag value in the Markdown: no HTML, no code span, no extra column', () => {
    const line = markdown.split('\n').find((candidate) => candidate.includes('alert(1)')) ?? '';
    expect(markdown).not.toContain('<script>');
    expect(line).toContain(
      '&lt;script&gt;alert(1)&lt;/script&gt;\\|\\`rm -rf\\`\\*x\\*\\[a\\](javascript:x)',
    );
    expect(line.split(/(?<!\\)\|/)).toHaveLength(2 + 2 + WORKLOAD_GUARDRAILS.length + 1);
  });

  it('keeps any workload name inert and in its own cell (property)', () => {
    fc.assert(
      fc.property(
        fc.string({ unit: 'grapheme-ascii', maxLength: 60 }),
        fc.string({ maxLength: 20 }),
        (name, kind) => {
          const [first] = section.rows;
          const one: WorkloadsSection = { ...section, rows: [{ ...(first as WorkloadRow), name, kind }] };
          const page = workloadsSectionHtml(one);
          const cell = /<td data-label="Workload"><b>([^]*?)<\/b><br>/.exec(page)?.[1] ?? '';
          const decoded = cell
            .replace(/&lt;/g, '<')
            .replace(/&gt;/g, '>')
            .replace(/&quot;/g, '"')
            .replace(/&amp;/g, '&');
          expect(cell).not.toMatch(/[<>"]/);
          expect(decoded).toBe(name);
          const line = workloadsSectionMarkdown(one)
            .join('\n')
            .split('\n')
            .find(
              (text) => text.startsWith('| ') && !text.startsWith('| Workload') && !text.startsWith('| ---'),
            );
          expect(line?.split(/(?<!\\)\|/)).toHaveLength(2 + 2 + WORKLOAD_GUARDRAILS.length + 1);
          expect(line).not.toMatch(/</);
          expect(line).not.toMatch(/(^|[^\\])(\\\\)*`/);
        },
      ),
    );
  });

  it.each([
    ['<img src=x onerror=alert(1)>', '&lt;img src=x onerror=alert(1)&gt;'],
    ['`code`', '\\`code\\`'],
    ['**bold** _it_', '\\*\\*bold\\*\\* \\_it\\_'],
    ['[link](http://x)', '\\[link\\](http://x)'],
    ['a\\`b', 'a\\\\\\`b'],
    ['two\r\nlines', 'two lines'],
  ])('writes %j as inert Markdown %j', (text, expected) => {
    expect(markdownText(text)).toBe(expected);
  });
});
