import { dirname, resolve } from 'node:path';
import { changeRecordBucketName } from '@citadel/infra/constructs/change-record-bucket';
import { USAGE, parseEvidenceArguments } from './arguments.js';
import { collectEvidence, gapText, type SynthReportWriter } from './collect-evidence.js';
import { verifyBundle } from './manifest.js';

/** What the command needs from the project: the environments and a writer of the synth-time report. */
export interface EvidenceCliContext {
  readonly environments: readonly string[];
  readonly environment: (name: string) => { readonly account: string; readonly region: string };
  /** Writes the report of environment `name` into a directory. */
  readonly synthReport: (name: string) => SynthReportWriter;
  readonly out: (line: string) => void;
  readonly err: (line: string) => void;
  readonly now?: Date;
}

/** Runs `npm run evidence`; returns the exit code. Every failure prints one message naming its cause. */
export async function runEvidenceCli(args: readonly string[], context: EvidenceCliContext): Promise<number> {
  try {
    const command = parseEvidenceArguments(args, context.environments, context.now);
    if (command.kind === 'help') {
      context.out(USAGE);
      return 0;
    }
    if (command.kind === 'verify') {
      const manifest = await verifyBundle(resolve(command.directory), command.head);
      context.out(`verified ${manifest.entries.length} files in ${command.directory}; head ${manifest.head}`);
      return 0;
    }
    const config = context.environment(command.environment);
    const started = performance.now();
    const bundle = await collectEvidence({
      environment: command.environment,
      account: config.account,
      regions: [config.region],
      period: command.period,
      outDir: resolve(command.outDir),
      // The bucket the environment's shared stack creates, unless another is named.
      recordsBucket:
        command.recordsBucket ?? changeRecordBucketName(command.environment, config.account, config.region),
      ...(context.now ? { now: context.now } : {}),
      writeSynthReport: context.synthReport(command.environment),
    });
    for (const note of [bundle.summary.changeRecords.note, bundle.summary.iam.coverageNote]) {
      if (note) context.err(`note: ${note}`);
    }
    context.out(
      `evidence: ${command.environment} ${command.period.from}..${command.period.to}, ${bundle.files} files -> ` +
        `${bundle.directory} in ${((performance.now() - started) / 1000).toFixed(1)} s`,
    );
    context.out(`manifest head: ${bundle.head}`);
    if (bundle.gaps.length > 0) {
      for (const gap of bundle.gaps) context.err(`gap: ${gapText(gap)}`);
      context.err(
        `${bundle.gaps.length} deployed revision(s) lack their report; the bundle lists them under "gaps" in bundle.json. ` +
          'Restore the objects from the bucket’s replica, or record why they are missing, before handing the bundle over.',
      );
      return 1;
    }
    return 0;
  } catch (error) {
    context.err(error instanceof Error ? `${error.name}: ${error.message}` : String(error));
    if (error instanceof Error && error.name === 'CredentialsProviderError') {
      context.err(
        "evidence reads the environment's account: give the operator's read-only credentials " +
          '(AWS_PROFILE, or the AWS_ACCESS_KEY_ID/AWS_SECRET_ACCESS_KEY/AWS_SESSION_TOKEN of the read-only role)',
      );
    }
    context.err(USAGE);
    return 1;
  }
}

/** The report writer the command uses: the existing report code, in the bundle's report/ directory. */
export function reportWriter(
  generate: (options: { outDir: string; environments: string[] }) => Promise<unknown>,
  commit: () => string,
): (name: string) => SynthReportWriter {
  return (name) => async (directory) => {
    await generate({ outDir: dirname(directory), environments: [name] });
    return { commit: commit() };
  };
}
