import { randomBytes } from 'node:crypto';
import { mkdir, readdir, rename, rm, rmdir, stat, writeFile } from 'node:fs/promises';
import { basename, dirname, join } from 'node:path';
import { BackupClient } from '@aws-sdk/client-backup';
import { CloudTrailClient } from '@aws-sdk/client-cloudtrail';
import { ConfigServiceClient } from '@aws-sdk/client-config-service';
import { S3Client } from '@aws-sdk/client-s3';
import { SecurityHubClient } from '@aws-sdk/client-securityhub';
import { GetCallerIdentityCommand, STSClient } from '@aws-sdk/client-sts';
import { callAws } from './aws-call.js';
import { EvidenceArgumentError, EvidenceCollectionError } from './errors.js';
import {
  configRuleRows,
  summarizeBackups,
  summarizeFindings,
  type CollectedEvidence,
  type EvidenceSummary,
} from './evidence-summary.js';
import { MANIFEST_FILE, buildManifest } from './manifest.js';
import type { EvidencePeriod } from './period.js';
import { renderSummaryHtml, renderSummaryMarkdown } from './render-summary.js';
import { collectBackupJobs } from './sources/backup-jobs.js';
import { collectChangeRecords } from './sources/change-records.js';
import { collectConfigCompliance } from './sources/config-compliance.js';
import { IAM_EVENTS_REGION, collectIamTrail } from './sources/iam-trail.js';
import { collectSecurityHubFindings } from './sources/security-hub.js';
import {
  collectRevisionReport,
  type RevisionReportFiles,
  type RevisionReportGap,
} from './sources/revision-reports.js';

/** Writes the synth-time report of the current revision into a directory; returns the commit it is from. */
export type SynthReportWriter = (directory: string) => Promise<{ readonly commit: string }>;

export interface CollectEvidenceOptions {
  readonly environment: string;
  /** The environment's account: the credentials must reach this one. */
  readonly account: string;
  /** The environment's regions, primary first. */
  readonly regions: readonly string[];
  readonly period: EvidencePeriod;
  /** The bundle directory; must not exist yet, or be empty. */
  readonly outDir: string;
  readonly writeSynthReport: SynthReportWriter;
  /**
   * The change-record bucket.
   * @default - change records are not collected, and the bundle says so
   */
  readonly recordsBucket?: string;
  /** @default - now */
  readonly now?: Date;
}

export interface CollectedBundle {
  readonly directory: string;
  readonly head: string;
  readonly files: number;
  readonly summary: EvidenceSummary;
  /** Deployed revisions whose report is missing or not what the record hashed; the bundle lists them too. */
  readonly gaps: readonly RevisionReportGap[];
}

/**
 * CloudTrail LookupEvents answers 2 requests a second and Security Hub GetFindings 3: a long
 * period's pages are throttled, and the SDK's backoff retries them.
 */
const CLIENT_OPTIONS = { maxAttempts: 10 } as const;

const json = (value: unknown): string => `${JSON.stringify(value, null, 2)}\n`;

/** One line naming the change record, the report's key and what is wrong. */
export function gapText(gap: RevisionReportGap): string {
  return `change record ${gap.record}: revision report ${gap.key ?? '(none named)'} ${gap.problem}`;
}

async function checkOutDir(outDir: string): Promise<void> {
  const existing = await stat(outDir).catch(() => undefined);
  if (existing && (!existing.isDirectory() || (await readdir(outDir)).length > 0)) {
    throw new EvidenceArgumentError(
      '--out',
      outDir,
      'it already exists and is not empty; name a new directory',
    );
  }
}

/**
 * Reads every source for the period, then writes the bundle into a staging directory
 * beside `outDir` and renames it into place with its manifest last: a failed or refused
 * call leaves nothing, never a bundle that looks complete.
 */
export async function collectEvidence(options: CollectEvidenceOptions): Promise<CollectedBundle> {
  const { environment, period, regions } = options;
  const now = options.now ?? new Date();
  const primary = regions[0];
  if (primary === undefined) throw new EvidenceCollectionError(`environment ${environment} names no region`);
  await checkOutDir(options.outDir);

  const identity = await callAws(
    { call: 'STS.GetCallerIdentity', action: 'sts:GetCallerIdentity', region: primary },
    () => new STSClient({ ...CLIENT_OPTIONS, region: primary }).send(new GetCallerIdentityCommand({})),
  );
  if (identity.Account !== options.account) {
    throw new EvidenceCollectionError(
      `the credentials reach account ${String(identity.Account)} (${String(identity.Arn)}), but environment ` +
        `${environment} is in account ${options.account}; use the read-only role of that account`,
    );
  }
  const collected: CollectedEvidence = {
    config: [],
    securityHub: [],
    backup: [],
    changeRecords: undefined,
    iam: await collectIamTrail(
      new CloudTrailClient({ ...CLIENT_OPTIONS, region: IAM_EVENTS_REGION }),
      period,
      now,
    ),
  };
  for (const region of regions) {
    (collected.config as unknown[]).push(
      await collectConfigCompliance(new ConfigServiceClient({ ...CLIENT_OPTIONS, region }), region, period),
    );
    (collected.securityHub as unknown[]).push(
      await collectSecurityHubFindings(new SecurityHubClient({ ...CLIENT_OPTIONS, region }), region, period),
    );
    (collected.backup as unknown[]).push(
      await collectBackupJobs(new BackupClient({ ...CLIENT_OPTIONS, region }), region, period),
    );
  }
  const changeRecords = options.recordsBucket
    ? await collectChangeRecords(
        new S3Client({ ...CLIENT_OPTIONS, region: primary }),
        primary,
        options.recordsBucket,
        environment,
        period,
      )
    : undefined;

  const revisions: RevisionReportFiles[] = [];
  const gaps: RevisionReportGap[] = [];
  if (changeRecords) {
    const s3 = new S3Client({ ...CLIENT_OPTIONS, region: primary });
    for (const record of changeRecords.records) {
      const found = await collectRevisionReport(
        s3,
        primary,
        changeRecords.bucket,
        changeRecords.prefix,
        record.key,
        JSON.parse(record.body) as Record<string, unknown>,
      );
      if (found === undefined) continue;
      if ('problem' in found) gaps.push(found);
      else revisions.push(found);
    }
  }

  const staging = join(
    dirname(options.outDir),
    `.${basename(options.outDir)}.partial-${randomBytes(6).toString('hex')}`,
  );
  try {
    const files = new Map<string, string | Uint8Array>();
    files.set('sts/get-caller-identity.json', json(identity));
    for (const evidence of collected.config)
      files.set(`config-compliance/${evidence.region}.json`, json(evidence));
    for (const evidence of collected.securityHub)
      files.set(`security-hub/${evidence.region}.json`, json(evidence));
    for (const evidence of collected.backup) files.set(`backup/${evidence.region}.json`, json(evidence));
    files.set('cloudtrail-iam.json', json(collected.iam));
    if (changeRecords) files.set('change-records.json', json(changeRecords));

    await mkdir(staging, { recursive: true });
    const reportPath = `report/${environment}`;
    const { commit } = await options.writeSynthReport(join(staging, reportPath));
    // Each revision's report, byte for byte as the deploy stored it (its SHA-256 checked against the record).
    const revisionReports = new Map<string, string>();
    for (const revision of revisions) {
      const directory = `report/revisions/${basename(revision.recordKey).replace(/\.json$/, '')}`;
      files.set(`${directory}/${basename(revision.markdown.key)}`, revision.markdown.body);
      files.set(`${directory}/${basename(revision.json.key)}`, revision.json.body);
      revisionReports.set(revision.recordKey, `${directory}/`);
    }
    const summary: EvidenceSummary = {
      environment,
      account: options.account,
      regions,
      period: {
        from: period.from,
        to: period.to,
        start: period.start.toISOString(),
        end: period.end.toISOString(),
      },
      collectedAt: now.toISOString(),
      sources: [
        ...collected.config.map((e) => ({
          name: 'AWS Config compliance',
          region: e.region,
          file: `config-compliance/${e.region}.json`,
          items: e.latest.length,
        })),
        ...collected.securityHub.map((e) => ({
          name: 'Security Hub findings',
          region: e.region,
          file: `security-hub/${e.region}.json`,
          items: e.ages.length,
        })),
        ...collected.backup.map((e) => ({
          name: 'Backup, copy and restore jobs',
          region: e.region,
          file: `backup/${e.region}.json`,
          items:
            e.backupJobs.pages.reduce((n, p) => n + (p.BackupJobs?.length ?? 0), 0) +
            e.copyJobs.pages.reduce((n, p) => n + (p.CopyJobs?.length ?? 0), 0) +
            e.restoreJobs.pages.reduce((n, p) => n + (p.RestoreJobs?.length ?? 0), 0),
        })),
        {
          name: 'IAM role changes (CloudTrail)',
          region: collected.iam.region,
          file: 'cloudtrail-iam.json',
          items: collected.iam.events.length,
        },
        ...(changeRecords
          ? [
              {
                name: 'Deploy change records',
                region: primary,
                file: 'change-records.json',
                items: changeRecords.records.length,
              },
            ]
          : []),
      ],
      configRules: collected.config.flatMap(configRuleRows),
      findings: summarizeFindings(collected.securityHub),
      backups: summarizeBackups(collected.backup),
      changeRecords: {
        note: changeRecords
          ? [
              changeRecords.rejected.length > 0
                ? `${changeRecords.rejected.length} object(s) under s3://${changeRecords.bucket}/${changeRecords.prefix} are not change records of this environment: see change-records.json.`
                : undefined,
              gaps.length > 0
                ? `${gaps.length} deployed revision(s) without their report: ${gaps.map(gapText).join('; ')}.`
                : undefined,
            ]
              .filter(Boolean)
              .join(' ') || undefined
          : 'Not collected: no change-record bucket was named (--records-bucket).',
        records: (changeRecords?.records ?? []).map((record) => ({
          startedAt: record.startedAt,
          commit: record.commit,
          key: record.key,
          report: revisionReports.get(record.key),
        })),
      },
      iam: {
        coverageNote: collected.iam.coverageNote,
        events: collected.iam.events.map((event) => ({
          time: event.EventTime?.toISOString() ?? '',
          name: event.EventName ?? '',
          user: event.Username ?? '',
          resources: (event.Resources ?? []).map((resource) => resource.ResourceName ?? '').join(', '),
        })),
      },
      report: { commit, path: `${reportPath}/` },
    };
    files.set('summary.md', renderSummaryMarkdown(summary));
    files.set('summary.html', renderSummaryHtml(summary));
    files.set(
      'bundle.json',
      json({
        environment,
        account: options.account,
        regions,
        period: summary.period,
        collectedAt: summary.collectedAt,
        caller: identity.Arn,
        synthReport: summary.report,
        revisionReports: Object.fromEntries(revisionReports),
        gaps: gaps.map((gap) => ({ ...gap, text: gapText(gap) })),
        notCollected: changeRecords ? [] : ['change records: no --records-bucket'],
        coverage: collected.iam.coverageNote ? [collected.iam.coverageNote] : [],
      }),
    );
    for (const [path, content] of files) {
      await mkdir(dirname(join(staging, path)), { recursive: true });
      await writeFile(join(staging, path), content);
    }
    const manifest = await buildManifest(staging);
    await writeFile(join(staging, MANIFEST_FILE), json(manifest));
    if (await stat(options.outDir).catch(() => undefined)) await rmdir(options.outDir);
    await rename(staging, options.outDir);
    return { directory: options.outDir, head: manifest.head, files: manifest.entries.length, summary, gaps };
  } catch (error) {
    await rm(staging, { recursive: true, force: true });
    throw error;
  }
}
