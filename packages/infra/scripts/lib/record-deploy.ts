import { mkdirSync, writeFileSync } from 'node:fs';
import { basename, join } from 'node:path';
import type { EnvironmentConfig } from '../../config/index.js';
import { changeRecordBucketName } from '../../lib/constructs/change-record-bucket.js';
import { STACK_LAYERS } from '../../lib/stacks/citadel-stack.js';
import type { CallerIdentity } from './aws-identity.js';
import type { AlarmState, ChangeRecordAws } from './change-record-aws.js';
import { sha256 } from './change-record-aws.js';
import {
  CHANGE_RECORD_SCHEMA_VERSION,
  MAX_DIFF_CHARS,
  changeRecordKey,
  parseChangeRecord,
  revisionReportKeys,
  sbomKey,
  type ChangeRecord,
} from './change-record.js';
import type { DeployEvidence } from './deploy-evidence.js';

/** The deploy ran (or did not), but its change record could not be written: the run must fail. */
export class ChangeRecordWriteError extends Error {
  override readonly name = 'ChangeRecordWriteError';
}

/** Runs the CDK CLI, printing its output as it comes and returning it too. */
export type CaptureCdk = (
  args: readonly string[],
  env: Readonly<Record<string, string | undefined>>,
) => Promise<{ code: number; output: string }>;

/** The report of a revision, in Markdown and in JSON. */
export interface RevisionReport {
  readonly markdown: string;
  readonly json: string;
}

/**
 * Renders the report of the revision from the synthesized cloud assembly in `assemblyDir`
 * (the report package's renderRevisionReport).
 */
export type RenderRevisionReport = (
  assemblyDir: string,
  environment: string,
  facts: { readonly commit: string; readonly renderedAt: Date },
) => Promise<RevisionReport>;

/** What recording a deploy needs, passed in so that tests can answer for AWS. */
export interface ChangeRecordDeps {
  readonly captureCdk: CaptureCdk;
  /** The AWS calls, in the environment's region. */
  readonly aws: (region: string) => ChangeRecordAws;
  readonly now: () => Date;
  /** The commit checked out, when `--commit` is not given. */
  readonly currentCommit: () => string;
  /**
   * Renders the revision report; with it, a deploy synthesizes once into a cloud assembly,
   * reports on it and deploys that very assembly.
   * @default - no revision report: diff and deploy each synthesize, and the record names no report
   */
  readonly renderRevisionReport?: RenderRevisionReport;
}

/** The deployment strategy the environment asks for; `rolling` until its config names one. */
export function deploymentStrategy(config: EnvironmentConfig): string {
  return (config as { deployment?: { strategy?: string } }).deployment?.strategy ?? 'rolling';
}

/** One deploy to record. */
export interface RecordedDeploy {
  readonly config: EnvironmentConfig;
  readonly stackNames: readonly string[];
  readonly caller: CallerIdentity;
  readonly evidence: DeployEvidence;
  readonly imageDigest?: string;
  /** Link to the workflow run, when it ran in GitHub Actions. */
  readonly runUrl?: string;
  /** `cdk diff` of the stacks about to be deployed. */
  readonly diff: () => Promise<{ code: number; output: string }>;
  /**
   * The report of the revision, rendered after the diff from the assembly it synthesized.
   * @default - the record names no report
   */
  readonly revisionReport?: () => Promise<RevisionReport>;
  /** The deploy itself; resolves to the CDK CLI's exit code. */
  readonly deploy: () => Promise<number>;
  readonly log: (line: string) => void;
  /**
   * True when every stack deployed comes before `shared`, whose change-record bucket may then
   * not exist yet: a missing bucket keeps the record in `--record-dir` instead of failing.
   * @default false - a missing bucket fails the run
   */
  readonly precedesRecordBucket?: boolean;
}

type Outcome = ChangeRecord['outcome'];
const ROLLED_BACK = /^(UPDATE_)?ROLLBACK_COMPLETE$/;

/**
 * Diffs, renders the revision report (when the run has one; a failure stops before the
 * deploy), deploys, and then, whatever happened, reads the alarms and writes the change
 * record (and the SBOM and the report next to it) to the environment's change-record bucket
 * and to `--record-dir`.
 * Resolves to the deploy's exit code; rethrows what the deploy threw once the record is
 * written; throws ChangeRecordWriteError when the record could not be written.
 */
export async function recordDeploy(run: RecordedDeploy, deps: ChangeRecordDeps): Promise<number> {
  const { config } = run;
  const startedAt = deps.now();
  const aws = deps.aws(config.region);
  let diff: ChangeRecord['diff'] = { exitCode: -1, text: '', truncated: false };
  let outcome: Outcome = { status: 'failed', failedStep: 'diff' };
  let code = 1;
  let thrown: unknown;
  let report: RevisionReport | undefined;
  try {
    const result = await run.diff();
    diff = {
      exitCode: result.code,
      text: result.output.slice(0, MAX_DIFF_CHARS),
      truncated: result.output.length > MAX_DIFF_CHARS,
    };
    if (result.code !== 0) {
      outcome = {
        status: 'failed',
        failedStep: 'diff',
        detail: `cdk diff exited with ${result.code}; nothing was deployed`,
      };
      code = result.code;
    } else {
      if (run.revisionReport) {
        outcome = { status: 'failed', failedStep: 'report' };
        report = await run.revisionReport();
      }
      outcome = { status: 'failed', failedStep: 'deploy' };
      code = await run.deploy();
      outcome =
        code === 0 ? { status: 'succeeded' } : await failedDeploy(aws, run.stackNames, startedAt, code);
    }
  } catch (error) {
    thrown = error;
    outcome = { ...outcome, detail: oneLine((error as Error).message ?? String(error)) };
  }

  const alarms = await alarmStates(aws, config.name, deps.now);
  const finishedAt = deps.now();
  const key = changeRecordKey(config.name, compactIso(startedAt), run.evidence.commit);
  const reportBodies = report
    ? { markdown: Buffer.from(report.markdown), json: Buffer.from(report.json) }
    : undefined;
  const record = buildRecord(run, {
    startedAt,
    finishedAt,
    diff,
    outcome,
    alarms,
    key,
    report: reportBodies,
  });
  const storage = await writeRecord(run, aws, record, key, reportBodies);
  run.log(
    `Change record ${key}: ${outcome.status}${outcome.failedStep ? ` at ${outcome.failedStep}` : ''}` +
      (storage
        ? `; kept in ${run.evidence.recordDir} only, because s3://${storage.bucket} does not exist yet (shared is not deployed)`
        : ''),
  );
  if (thrown !== undefined) throw thrown;
  return code;
}

async function failedDeploy(
  aws: ChangeRecordAws,
  stackNames: readonly string[],
  startedAt: Date,
  code: number,
): Promise<Outcome> {
  for (const stackName of stackNames) {
    const stack = await aws.stackStatus(stackName).catch(() => undefined);
    if (stack && ROLLED_BACK.test(stack.status) && (stack.updatedAt ?? startedAt) >= startedAt) {
      return {
        status: 'rolled-back',
        failedStep: 'deploy',
        detail: oneLine(`${stackName} ${stack.status}${stack.reason ? `: ${stack.reason}` : ''}`),
      };
    }
  }
  return { status: 'failed', failedStep: 'deploy', detail: `cdk deploy exited with ${code}` };
}

/** The environment's alarms (those of its own stacks only) after the deploy; an error is recorded, not thrown. */
async function alarmStates(
  aws: ChangeRecordAws,
  environment: string,
  now: () => Date,
): Promise<ChangeRecord['alarms']> {
  const prefix = `citadel-${environment}-`;
  const ownStacks = STACK_LAYERS.map((layer) => `${prefix}${layer}-`);
  try {
    const states = await aws.describeAlarms(prefix);
    return {
      readAt: now().toISOString(),
      states: states
        .filter((alarm: AlarmState) => ownStacks.some((stack) => alarm.name.startsWith(stack)))
        .map((alarm) => ({ ...alarm })),
    };
  } catch (error) {
    return { readAt: now().toISOString(), error: oneLine((error as Error).message), states: [] };
  }
}

function buildRecord(
  run: RecordedDeploy,
  facts: {
    startedAt: Date;
    finishedAt: Date;
    diff: ChangeRecord['diff'];
    outcome: Outcome;
    alarms: ChangeRecord['alarms'];
    key: string;
    report: ReportBodies | undefined;
  },
): ChangeRecord {
  const { config, evidence, caller } = run;
  const reportKeys = revisionReportKeys(facts.key);
  const sbom = evidence.sbom;
  return {
    schemaVersion: CHANGE_RECORD_SCHEMA_VERSION,
    environment: config.name,
    account: config.account,
    region: config.region,
    stacks: [...run.stackNames],
    commit: evidence.commit,
    ...(evidence.pullRequest ? { pullRequest: evidence.pullRequest } : {}),
    approval: evidence.approvers
      ? {
          source: 'github-environment',
          ...(run.runUrl ? { runUrl: run.runUrl } : {}),
          approvers: evidence.approvers,
        }
      : { source: 'operator', operatorArn: caller.arn },
    deployedBy: caller.arn,
    image: {
      ...(run.imageDigest ? { digest: run.imageDigest } : {}),
      ...(sbom
        ? {
            sbom: {
              key: sbomKey(facts.key),
              sha256: sha256(sbom.body).hex,
              format: 'CycloneDX' as const,
              specVersion: sbom.specVersion,
              components: sbom.components,
            },
          }
        : {}),
      ...(evidence.scan ? { scan: evidence.scan } : {}),
    },
    ...(facts.report
      ? {
          report: {
            key: reportKeys.markdown,
            sha256: sha256(facts.report.markdown).hex,
            jsonKey: reportKeys.json,
            jsonSha256: sha256(facts.report.json).hex,
          },
        }
      : {}),
    diff: facts.diff,
    strategy: deploymentStrategy(config),
    alarms: facts.alarms,
    outcome: facts.outcome,
    startedAt: facts.startedAt.toISOString(),
    finishedAt: facts.finishedAt.toISOString(),
  };
}

type ReportBodies = { readonly markdown: Buffer; readonly json: Buffer };

type Storage = NonNullable<ChangeRecord['storage']>;

/**
 * The SBOM and the revision report first (the record points at them), then the record;
 * locally first, so a failed upload leaves a copy. Every object goes under the bucket's
 * default Object Lock retention, which S3 applies to a PutObject that carries a checksum.
 * Resolves to where the record was kept instead when the bucket does not exist yet and the
 * deploy was of stacks that precede it (the record in `--record-dir` then says so).
 */
async function writeRecord(
  run: RecordedDeploy,
  aws: ChangeRecordAws,
  record: ChangeRecord,
  key: string,
  report: ReportBodies | undefined,
): Promise<Storage | undefined> {
  const { config, evidence } = run;
  const bucket = changeRecordBucketName(config.name, config.account, config.region);
  const body = Buffer.from(`${JSON.stringify(record, null, 2)}\n`);
  const sidecars: { key: string; body: Buffer; contentType: string }[] = [
    ...(evidence.sbom
      ? [{ key: sbomKey(key), body: evidence.sbom.body, contentType: 'application/vnd.cyclonedx+json' }]
      : []),
    ...(report
      ? [
          {
            key: revisionReportKeys(key).markdown,
            body: report.markdown,
            contentType: 'text/markdown; charset=utf-8',
          },
          { key: revisionReportKeys(key).json, body: report.json, contentType: 'application/json' },
        ]
      : []),
  ];
  try {
    parseChangeRecord(record, key);
    if (evidence.recordDir) {
      mkdirSync(evidence.recordDir, { recursive: true });
      writeFileSync(join(evidence.recordDir, basename(key)), body);
      for (const sidecar of sidecars)
        writeFileSync(join(evidence.recordDir, basename(sidecar.key)), sidecar.body);
    }
    for (const sidecar of sidecars)
      await aws.putObject(bucket, sidecar.key, sidecar.body, sidecar.contentType);
    await aws.putObject(bucket, key, body, 'application/json');
    return undefined;
  } catch (error) {
    const absent = isNoSuchBucket(error);
    if (absent && run.precedesRecordBucket && evidence.recordDir) {
      const storage: Storage = {
        status: 'bucket-absent',
        bucket,
        keptIn: 'record-dir',
        detail: oneLine((error as Error).message).slice(0, 1000),
      };
      const kept = parseChangeRecord({ ...record, storage }, key);
      writeFileSync(join(evidence.recordDir, basename(key)), `${JSON.stringify(kept, null, 2)}\n`);
      return storage;
    }
    throw new ChangeRecordWriteError(
      `the deploy finished (${record.outcome.status}) but its change record s3://${bucket}/${key} could not be written: ${oneLine((error as Error).message)}. ` +
        (absent && run.precedesRecordBucket
          ? 'The bucket does not exist until shared is deployed; give --record-dir to keep the record of a stack deployed before it. '
          : '') +
        'The deploy itself is not undone; write the record again from --record-dir or investigate before the next deploy.',
      { cause: error },
    );
  }
}

/** S3's answer for a bucket that does not exist, as the SDK surfaces it (name, or the XML error code). */
function isNoSuchBucket(error: unknown): boolean {
  const { name, Code } = (error ?? {}) as { name?: unknown; Code?: unknown };
  return name === 'NoSuchBucket' || Code === 'NoSuchBucket';
}

/** `2026-11-30T09:12:44.123Z` as `20261130T091244.123Z`: ISO 8601 basic format, safe in file and artifact names. */
export function compactIso(date: Date): string {
  return date.toISOString().replace(/[-:]/g, '');
}

// eslint-disable-next-line no-control-regex -- removing control characters is the point
const UNPRINTABLE = /[\u0000-\u001F\u007F\u202A-\u202E\u2066-\u2069]+/g;

function oneLine(text: string): string {
  return text.replace(UNPRINTABLE, ' ').trim().slice(0, 2000);
}
