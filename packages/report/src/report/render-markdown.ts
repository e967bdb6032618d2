import { outcomeText, type AccessLine } from './access-section.js';
import { controlLabel, WORKLOAD_GUARDRAILS } from './control-mapping.js';
import type { EnvironmentReport } from './environment-report.js';
import type { GuardrailCheck } from './guardrail-check.js';
import type { WorkloadsSection } from './workloads-section.js';

export function cell(text: string): string {
  return text.replace(/\|/g, '\\|').replace(/\n/g, ' ');
}

export function table(headers: readonly string[], rows: readonly (readonly string[])[]): string {
  if (rows.length === 0) return '_None in this environment._\n';
  return (
    [
      `| ${headers.join(' | ')} |`,
      `| ${headers.map(() => '---').join(' | ')} |`,
      ...rows.map((row) => `| ${row.map(cell).join(' | ')} |`),
    ].join('\n') + '\n'
  );
}

const accessRow = (entry: AccessLine) => [
  entry.who,
  `\`${entry.action}\``,
  `\`${entry.resource}\`${entry.via ? ` via ${entry.via} endpoint` : ''}`,
  outcomeText(entry),
  entry.why,
];

function continuousSection(report: EnvironmentReport): string[] {
  const { deployed, absent } = report.continuous;
  return [
    '## Continuous compliance',
    '',
    'What evaluates the account and region after deployment, as this environment deploys it, and the controls whose settings each re-evaluates over time.',
    '',
    table(
      ['Check', 'Kind', 'Deployed as', 'Controls', 'Note'],
      deployed.map(({ check, path }) => [
        check.title,
        check.kind,
        `\`${path}\``,
        check.controls.join(', ') || '—',
        check.note ?? '—',
      ]),
    ),
    absent.length
      ? `Not deployed by this environment (another environment of the same account and region owns its AWS Config and Security Hub, or they are switched off): ${absent.map((check) => check.title).join('; ')}.\n`
      : '',
  ];
}

function accessSection(report: EnvironmentReport): string[] {
  const { access } = report;
  const { allowed, denied, skipped, notAsRequired } = access.counts;
  return [
    '## Who can do what',
    '',
    `Every identity, key, resource and VPC endpoint policy evaluated together offline. Evidence for ${access.controls.join(', ')}. ` +
      `${allowed} allowed, ${denied} denied, ${skipped} skipped (resource absent in this environment), ${notAsRequired} not as required.`,
    '',
    ...access.principals.flatMap(({ who, may }) => [
      `### ${who}`,
      '',
      table(['Who', 'Action', 'Resource', 'Outcome', 'Why'], may.map(accessRow)),
    ]),
    '### Must never happen',
    '',
    table(['Who', 'Action', 'Resource', 'Outcome', 'Why'], access.mustDeny.map(accessRow)),
  ];
}

/**
 * Text from the templates as inert Markdown: no HTML, code spans, emphasis or links can
 * start inside it, and no line break ends a table row. Pipes are left to `cell`.
 */
export function markdownText(text: string): string {
  return text
    .replace(/&/g, '&amp;')
    .replace(/</g, '&lt;')
    .replace(/>/g, '&gt;')
    .replace(/[\r\n]+/g, ' ')
    .replace(/[\\`*_[\]#!~]/g, (character) => `\\${character}`);
}

const guardrailText = (check: GuardrailCheck): string =>
  `${check.verdict === 'no' ? '**no**' : check.verdict}: ${markdownText(check.detail)}`;

/** The "Workloads" section: every workload found by its tag and whether each guardrail holds for it. */
export function workloadsSectionMarkdown(section: WorkloadsSection): string[] {
  const { workloads, checks, failing, workloadsFailing } = section.counts;
  return [
    '## Workloads',
    '',
    `Every workload found by its \`citadel:workload\` tag across the environment's templates, and for each guardrail whether it holds in the templates. Evidence for ${section.controls.join(', ')}. ` +
      `${workloads} workloads, ${checks} guardrail checks, ${failing} not holding${failing ? ` in ${workloadsFailing} workload${workloadsFailing === 1 ? '' : 's'}` : ''}.`,
    '',
    table(
      ['Workload', 'Kind', ...WORKLOAD_GUARDRAILS.map((guardrail) => guardrail.title), 'Database role'],
      section.rows.map((row) => [
        [row.name, ...(row.routes ?? [])].map(markdownText).join('<br>'),
        markdownText(row.kind),
        ...WORKLOAD_GUARDRAILS.map((guardrail) => guardrailText(row.guardrails[guardrail.id])),
        row.iam.databaseRoles.map(markdownText).join(', ') || 'none',
      ]),
    ),
    ...WORKLOAD_GUARDRAILS.map(
      (guardrail) => `- ${guardrail.title}: ${guardrail.holdsWhen} (${guardrail.controls.join(', ')}).`,
    ),
    '',
  ];
}

/** The report of one environment as Markdown, for review in a pull request. */
export function renderMarkdown(report: EnvironmentReport): string {
  const { dataStores, exposure, roles, logGroups } = report.inventories;
  return [
    `# Citadel compliance report — ${report.environment}`,
    '',
    `Generated ${report.generatedAt} from the synthesized app. Diagram: [diagram.svg](diagram.svg); page: [index.html](index.html); SARIF: [findings.sarif](findings.sarif).`,
    '',
    `Stacks: ${report.stacks.map((s) => `\`${s.name}\` (${s.resources} resources)`).join(', ')}.`,
    '',
    '## Control mapping',
    '',
    table(
      ['Control', 'Status', 'Met by', 'Verified by', 'Customer responsibility'],
      report.controls.map((row) => [
        `${controlLabel(row.control)} — ${row.control.title}`,
        row.status,
        row.resources.join('; ') || '—',
        row.rules
          .map((r) =>
            r.evaluated
              ? `\`${r.ruleId}\` ${r.pass} pass, ${r.acknowledged} ack, ${r.fail} fail`
              : `\`${r.ruleId}\` (no resource checked)`,
          )
          .join('; ') || '—',
        row.control.customer ?? '—',
      ]),
    ),
    ...continuousSection(report),
    '## Rules',
    '',
    table(
      ['Rule', 'Passes', 'Acknowledged', 'Failures'],
      report.rules.map((r) => [`\`${r.ruleId}\``, String(r.pass), String(r.acknowledged), String(r.fail)]),
    ),
    '## Acknowledgments',
    '',
    table(
      ['Rule', 'Resource', 'Reason'],
      report.acknowledgments.map((a) => [
        `\`${a.ruleId}${a.finding ? `[${a.finding}]` : ''}\``,
        `\`${a.path}\``,
        a.reason,
      ]),
    ),
    '## Inventories',
    '',
    '### Data stores and their keys',
    '',
    table(
      ['Data store', 'Type', 'Key'],
      dataStores.map((d) => [d.store, `\`${d.type}\``, d.key]),
    ),
    '### Reachable from outside the VPC',
    '',
    table(
      ['Resource', 'Kind', 'Detail'],
      exposure.map((e) => [e.resource, e.kind, `\`${e.detail}\``]),
    ),
    '### IAM roles',
    '',
    table(
      ['Role', 'Assumed by', 'Allows'],
      roles.map((r) => [
        r.role,
        r.assumedBy,
        r.statements
          .map((s) => `${s.effect} ${s.actions}${s.resources ? ` on ${s.resources}` : ''}`)
          .join('<br>'),
      ]),
    ),
    '### Log groups',
    '',
    table(
      ['Log group', 'Retention (days)', 'Key'],
      logGroups.map((l) => [l.logGroup, l.retentionDays, l.key]),
    ),
    ...accessSection(report),
    ...workloadsSectionMarkdown(report.workloads),
  ].join('\n');
}
