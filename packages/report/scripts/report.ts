import { mkdirSync, writeFileSync } from 'node:fs';
import { parseArgs } from 'node:util';
import { join } from 'node:path';
import {
  readChangeRecords,
  renderChangeRecordsHtml,
  renderChangeRecordsMarkdown,
} from '../src/report/change-records.js';
import { generateReports } from '../src/report/generate-reports.js';

const USAGE =
  'usage: npm run report -- [--env <dev|qa|prod|courses>] [--out <dir>] [--change-records <dir of change records>]';

async function main(): Promise<void> {
  const { values } = parseArgs({
    options: {
      env: { type: 'string', multiple: true },
      out: { type: 'string' },
      'change-records': { type: 'string' },
      help: { type: 'boolean' },
    },
    strict: true,
  });
  if (values.help) {
    console.log(USAGE);
    return;
  }
  const outDir = values.out ?? join(process.cwd(), 'reports');
  const recordsDir = values['change-records'];
  if (recordsDir !== undefined) {
    for (const environment of values.env ?? [undefined]) {
      const records = readChangeRecords(recordsDir, environment);
      const directory = join(outDir, environment ?? 'all');
      mkdirSync(directory, { recursive: true });
      writeFileSync(join(directory, 'change-records.md'), renderChangeRecordsMarkdown(records));
      writeFileSync(join(directory, 'change-records.html'), renderChangeRecordsHtml(records));
      console.log(`${environment ?? 'all environments'}: ${records.length} change record(s) -> ${directory}`);
    }
    return;
  }
  const started = performance.now();
  const reports = await generateReports({ outDir, ...(values.env ? { environments: values.env } : {}) });
  for (const { environment, directory, report } of reports) {
    const checks = report.rules.reduce((sum, rule) => sum + rule.pass + rule.acknowledged + rule.fail, 0);
    console.log(
      `${environment}: ${report.rules.length} rules, ${checks} checks, ${report.acknowledgments.length} acknowledged, ` +
        `${report.failures.length} unacknowledged, ${report.diagram.nodes.length} diagram nodes, ` +
        `${report.access.counts.notAsRequired} access rows not as required -> ${directory}`,
    );
  }
  console.log(
    `report: ${reports.length} environment(s) in ${((performance.now() - started) / 1000).toFixed(1)} s`,
  );
}

main().catch((error: unknown) => {
  console.error(error instanceof Error ? `${error.name}: ${error.message}` : error);
  console.error(USAGE);
  process.exitCode = 1;
});
