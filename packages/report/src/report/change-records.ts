import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { ChangeRecordError, parseChangeRecord, type ChangeRecord } from '@citadel/infra/change-record';

/** The controls a change record is evidence for. */
export const CHANGE_RECORD_CONTROLS = [
  'PCI DSS v4.0.1 6.5.1',
  'PCI DSS v4.0.1 6.5.2',
  'HIPAA 164.308(a)(8)',
] as const;

/** Largest record file read, in bytes (a record holds at most 512 KiB of diff). */
const MAX_RECORD_BYTES = 2 * 1024 * 1024;

/**
 * The change records in `dir` (files ending `.json`, not the `.cdx.json` SBOMs next to them),
 * newest first, optionally of one environment only. A file that is not a valid record throws
 * ChangeRecordError naming the file and the field: a report never leaves one out silently.
 */
export function readChangeRecords(dir: string, environment?: string, limit = 50): ChangeRecord[] {
  const files = readdirSync(dir).filter((name) => name.endsWith('.json') && !name.endsWith('.cdx.json'));
  const records = files.map((name) => {
    const path = join(dir, name);
    const size = statSync(path).size;
    if (size > MAX_RECORD_BYTES) {
      throw new ChangeRecordError(
        path,
        '(file)',
        `${size} bytes is more than the ${MAX_RECORD_BYTES} a record may hold`,
      );
    }
    let value: unknown;
    try {
      value = JSON.parse(readFileSync(path, 'utf8'));
    } catch (error) {
      throw new ChangeRecordError(path, '(file)', `is not JSON: ${(error as Error).message}`, {
        cause: error,
      });
    }
    return parseChangeRecord(value, path);
  });
  return records
    .filter((record) => environment === undefined || record.environment === environment)
    .sort((a, b) => b.startedAt.localeCompare(a.startedAt))
    .slice(0, limit);
}

/** One row of the change-record table, as plain text cells. */
interface Row {
  readonly when: string;
  readonly environment: string;
  readonly commit: string;
  readonly pullRequest: string;
  readonly approvers: string;
  readonly digest: string;
  readonly strategy: string;
  readonly outcome: string;
  readonly alarms: string;
}

const HEADERS: Record<keyof Row, string> = {
  when: 'When (UTC)',
  environment: 'Environment',
  commit: 'Commit',
  pullRequest: 'Pull request',
  approvers: 'Approved by',
  digest: 'Image digest',
  strategy: 'Strategy',
  outcome: 'Outcome',
  alarms: 'Alarms after',
};

function rowOf(record: ChangeRecord): Row {
  const approval = record.approval;
  const approvers =
    approval.source === 'operator'
      ? `operator ${approval.operatorArn}`
      : approval.approvers.length === 0
        ? 'no environment approval'
        : approval.approvers.map((a) => `${a.login} (${a.state})`).join(', ');
  const alarming = record.alarms.states.filter((alarm) => alarm.state === 'ALARM').map((alarm) => alarm.name);
  const alarms = record.alarms.error
    ? `not read: ${record.alarms.error}`
    : alarming.length > 0
      ? `ALARM: ${alarming.join(', ')}`
      : `${record.alarms.states.length} OK or insufficient data`;
  return {
    when: `${record.startedAt} – ${record.finishedAt}`,
    environment: record.environment,
    commit: record.commit.slice(0, 12),
    pullRequest: record.pullRequest ? `#${record.pullRequest.number}` : '—',
    approvers,
    digest: record.image.digest ?? '—',
    strategy: record.strategy,
    outcome:
      record.outcome.status === 'succeeded'
        ? 'succeeded'
        : `${record.outcome.status} at ${record.outcome.failedStep ?? '?'}${record.outcome.detail ? `: ${record.outcome.detail}` : ''}`,
    alarms,
  };
}

const INTRO = `Every deploy writes a change record (who approved it, what was deployed, what happened). Evidence for ${CHANGE_RECORD_CONTROLS.join(', ')}.`;

/** The records as a Markdown section; cell text is escaped so no record can break the table. */
export function renderChangeRecordsMarkdown(records: readonly ChangeRecord[]): string {
  const cell = (text: string) =>
    text
      .replace(/\\/g, '\\\\')
      .replace(/\|/g, '\\|')
      .replace(/[\r\n]+/g, ' ');
  const keys = Object.keys(HEADERS) as (keyof Row)[];
  const lines = [
    '## Change records',
    '',
    INTRO,
    '',
    `| ${keys.map((key) => HEADERS[key]).join(' | ')} |`,
    `| ${keys.map(() => '---').join(' | ')} |`,
    ...records.map((record) => {
      const row = rowOf(record);
      const pr = record.pullRequest
        ? `[${cell(row.pullRequest)}](${record.pullRequest.url})`
        : row.pullRequest;
      return `| ${keys.map((key) => (key === 'pullRequest' ? pr : cell(row[key]))).join(' | ')} |`;
    }),
  ];
  if (records.length === 0) lines.push('', 'No change records.');
  return `${lines.join('\n')}\n`;
}

const escapeHtml = (text: string) => text.replace(/[&<>"']/g, (char) => `&#${char.charCodeAt(0)};`);

/** The records as an HTML section, every value escaped. */
export function renderChangeRecordsHtml(records: readonly ChangeRecord[]): string {
  const keys = Object.keys(HEADERS) as (keyof Row)[];
  const body = records
    .map((record) => {
      const row = rowOf(record);
      const cells = keys.map((key) =>
        key === 'pullRequest' && record.pullRequest
          ? `<td><a href="${escapeHtml(record.pullRequest.url)}">${escapeHtml(row.pullRequest)}</a></td>`
          : `<td>${escapeHtml(row[key])}</td>`,
      );
      return `<tr class="${record.outcome.status}">${cells.join('')}</tr>`;
    })
    .join('\n');
  return [
    '<section id="change-records">',
    '<h2>Change records</h2>',
    `<p>${escapeHtml(INTRO)}</p>`,
    '<table>',
    `<thead><tr>${keys.map((key) => `<th>${escapeHtml(HEADERS[key])}</th>`).join('')}</tr></thead>`,
    `<tbody>\n${body}\n</tbody>`,
    '</table>',
    '</section>',
    '',
  ].join('\n');
}
