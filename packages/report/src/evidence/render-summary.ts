import { STYLE, escape, table as htmlTable } from '../report/render-html.js';
import { cell, table as markdownTable } from '../report/render-markdown.js';
import type { EvidenceSummary } from './evidence-summary.js';

interface Section {
  readonly title: string;
  readonly id: string;
  readonly lines: readonly string[];
  readonly headers: readonly string[];
  readonly rows: readonly (readonly string[])[];
}

function sections(summary: EvidenceSummary): Section[] {
  return [
    {
      title: 'Sources',
      id: 'sources',
      lines: [],
      headers: ['Source', 'Region', 'File', 'Items'],
      rows: summary.sources.map((source) => [source.name, source.region, source.file, String(source.items)]),
    },
    {
      title: 'AWS Config compliance',
      id: 'config',
      lines: [],
      headers: [
        'Region',
        'Rule',
        'Compliant',
        'Non-compliant',
        'Not applicable',
        'Compliance changes in period',
      ],
      rows: summary.configRules.map((rule) => [
        rule.region,
        rule.rule,
        String(rule.compliant),
        String(rule.nonCompliant),
        String(rule.notApplicable),
        String(rule.changesInPeriod),
      ]),
    },
    {
      title: 'Security Hub findings',
      id: 'findings',
      lines: [
        `${summary.findings.open} open (oldest ${summary.findings.oldestOpenDays ?? '-'} days), ` +
          `${summary.findings.resolved} resolved (median ${summary.findings.medianDaysToResolve ?? '-'} days to resolve).`,
      ],
      headers: ['Severity', 'Open', 'Resolved'],
      rows: summary.findings.bySeverity.map((row) => [row.severity, String(row.open), String(row.resolved)]),
    },
    {
      title: 'Backups, copies and restore tests',
      id: 'backup',
      lines: [],
      headers: ['Region', 'Jobs', 'State', 'Count'],
      rows: summary.backups.flatMap(({ region, counts }) =>
        Object.entries(counts).flatMap(([kind, states]) =>
          Object.entries(states).map(([state, count]) => [region, kind, state, String(count)]),
        ),
      ),
    },
    {
      title: 'Deploy change records',
      id: 'changes',
      lines: summary.changeRecords.note ? [summary.changeRecords.note] : [],
      headers: ['Started', 'Commit', 'Key', 'Report of the revision'],
      rows: summary.changeRecords.records.map((record) => [
        record.startedAt,
        record.commit ?? '-',
        record.key,
        record.report ?? 'none: see the gaps in bundle.json',
      ]),
    },
    {
      title: 'IAM role and trust policy changes',
      id: 'iam',
      lines: summary.iam.coverageNote ? [summary.iam.coverageNote] : [],
      headers: ['Time', 'Event', 'User', 'Resources'],
      rows: summary.iam.events.map((event) => [event.time, event.name, event.user, event.resources]),
    },
    {
      title: 'Synth-time report',
      id: 'report',
      lines: [`Generated from commit ${summary.report.commit}: ${summary.report.path}`],
      headers: [],
      rows: [],
    },
  ];
}

function heading(summary: EvidenceSummary): string {
  return (
    `Environment ${summary.environment}, account ${summary.account}, regions ${summary.regions.join(', ')}; ` +
    `period ${summary.period.from} to ${summary.period.to} (UTC, ${summary.period.start} to ${summary.period.end}); ` +
    `collected ${summary.collectedAt}.`
  );
}

/** The summary as Markdown, in the report's table style. */
export function renderSummaryMarkdown(summary: EvidenceSummary): string {
  const parts = [`# Citadel evidence — ${summary.environment}`, '', cell(heading(summary)), ''];
  for (const section of sections(summary)) {
    parts.push(`## ${section.title}`, '', ...section.lines.flatMap((line) => [cell(line), '']));
    if (section.headers.length > 0) parts.push(markdownTable(section.headers, section.rows));
  }
  return `${parts.join('\n').trimEnd()}\n`;
}

/** The summary as one self-contained page, with the report's style. */
export function renderSummaryHtml(summary: EvidenceSummary): string {
  const body = sections(summary)
    .map(
      (section) =>
        `<h2 id="h-${section.id}">${escape(section.title)}</h2>${section.lines.map((line) => `<p>${escape(line)}</p>`).join('')}` +
        (section.headers.length > 0
          ? htmlTable(
              section.headers,
              section.rows.map((row) => row.map(escape)),
              section.id,
            )
          : ''),
    )
    .join('\n');
  return `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width,initial-scale=1">
<title>Citadel evidence — ${escape(summary.environment)}</title>
<style>${STYLE}</style></head>
<body><header><h1>Citadel evidence — ${escape(summary.environment)}</h1><p>${escape(heading(summary))}</p></header>
<main>
${body}
</main></body></html>
`;
}
