import { execFileSync } from 'node:child_process';
import { ENVIRONMENT_NAMES, loadEnvironmentConfig } from '@citadel/infra/config';
import { reportWriter, runEvidenceCli } from '../src/evidence/index.js';

/** The checked-out commit, marked when the work tree has changes the commit does not hold. */
function currentCommit(): string {
  try {
    const commit = execFileSync('git', ['rev-parse', 'HEAD'], { encoding: 'utf8' }).trim();
    const dirty = execFileSync('git', ['status', '--porcelain'], { encoding: 'utf8' }).trim() !== '';
    return dirty ? `${commit} (with uncommitted changes)` : commit;
  } catch {
    return 'unknown (not a git checkout)';
  }
}

process.exitCode = await runEvidenceCli(process.argv.slice(2), {
  environments: ENVIRONMENT_NAMES,
  environment: loadEnvironmentConfig,
  // Loaded only when a bundle is collected: synthesizing the app is the slow part.
  synthReport: reportWriter(
    async (options) => (await import('../src/report/generate-reports.js')).generateReports(options),
    currentCommit,
  ),
  out: (line) => console.log(line),
  err: (line) => console.error(line),
});
