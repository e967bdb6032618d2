import { CredentialsError, UsageError } from './errors.js';
import { ConfigError } from '../../config/index.js';
import { loadProject, ProjectError, projectEnvironment, type CitadelProject } from '../../lib/project.js';
import { execFileSync } from 'node:child_process';
import { captureCdkCli, runCdkCli } from './cdk.js';
import { changeRecordAws } from './change-record-aws.js';
import { ChangeRecordWriteError, type RenderRevisionReport } from './record-deploy.js';
import type { DeliveryDeps } from './delivery.js';
import { stsCallerIdentity } from './sts.js';

/** Where `npm run` was started: relative paths on the command line and in the settings resolve from here. */
export function invocationDirectory(): string {
  return process.env.INIT_CWD ?? process.cwd();
}

/**
 * The real dependencies: this process's environment, STS, the CDK CLI and the project. The
 * CDK CLI runs bin/citadel.ts from packages/infra, so it is handed the project's settings as
 * absolute paths and builds the same project.
 */
export function processDeps(
  project: CitadelProject,
  renderRevisionReport?: RenderRevisionReport,
): DeliveryDeps {
  return {
    env: { ...process.env, ...projectEnvironment(project) },
    getCallerIdentity: stsCallerIdentity,
    runCdk: runCdkCli,
    log: (line) => console.log(line),
    cwd: invocationDirectory(),
    project,
    changeRecords: {
      captureCdk: captureCdkCli,
      aws: (region) => changeRecordAws(region),
      now: () => new Date(),
      currentCommit: () =>
        execFileSync('git', ['rev-parse', 'HEAD'], { cwd: invocationDirectory(), encoding: 'utf8' }).trim(),
      ...(renderRevisionReport ? { renderRevisionReport } : {}),
    },
  };
}

/** Runs a delivery command and turns known failures into one clear line and exit code 2. */
export async function runCommand(
  name: string,
  command: (argv: readonly string[], deps: DeliveryDeps) => Promise<number>,
  renderRevisionReport?: RenderRevisionReport,
): Promise<void> {
  try {
    const project = await loadProject(process.env, { cwd: invocationDirectory() });
    process.exitCode = await command(process.argv.slice(2), processDeps(project, renderRevisionReport));
  } catch (error) {
    if (
      error instanceof UsageError ||
      error instanceof CredentialsError ||
      error instanceof ConfigError ||
      error instanceof ProjectError
    ) {
      console.error(`${name}: ${error.message}`);
      process.exitCode = 2;
      return;
    }
    if (error instanceof ChangeRecordWriteError) {
      console.error(`${name}: ERROR: ${error.message}`);
      process.exitCode = 3;
      return;
    }
    throw error;
  }
}
