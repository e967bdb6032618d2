import { mkdir, readFile, writeFile } from 'node:fs/promises';
import { join, relative } from 'node:path';
import { buildCitadelApp } from '@citadel/infra';
import {
  ENVIRONMENTS_DIRECTORY,
  loadAllEnvironmentConfigs,
  loadEnvironmentConfig,
} from '@citadel/infra/config';
import { buildEnvironmentReport, type EnvironmentReport } from './environment-report.js';
import { renderHtml } from './render-html.js';
import { renderMarkdown } from './render-markdown.js';
import { RuleResultLog, recordingRulePacks } from './rule-recorder.js';
import { buildSarif } from './sarif.js';

export interface GenerateReportsOptions {
  /** Directory that receives `<env>/index.html`, `compliance.md`, `findings.sarif`, `diagram.svg`. */
  readonly outDir: string;
  /**
   * Environments to report on.
   * @default - every environment in config/
   */
  readonly environments?: readonly string[];
  /**
   * Directory the cloud assembly is written to.
   * @default - a temporary directory
   */
  readonly assemblyDir?: string;
  /** @default - now */
  readonly generatedAt?: Date;
  /**
   * Skip bundling Lambda code (esbuild): the report reads templates, not bundles.
   * @default true
   */
  readonly skipAssetBundling?: boolean;
}

export interface GeneratedReport {
  readonly environment: string;
  readonly directory: string;
  readonly report: EnvironmentReport;
}

const REPORT_ROOT = new URL('../../', import.meta.url);
/** Context key naming the stacks whose assets are bundled; `[]` bundles none (as `cdk synth --exclusively` does). */
const BUNDLING_STACKS = 'aws:cdk:bundling-stacks';
const CONTEXT_ENV = 'CDK_CONTEXT_JSON';

/** Runs `build` with extra context passed the way the CDK CLI passes it, then restores the environment. */
function withContext<T>(context: Record<string, unknown>, build: () => T): T {
  const previous = process.env[CONTEXT_ENV];
  process.env[CONTEXT_ENV] = JSON.stringify({
    ...(previous ? (JSON.parse(previous) as object) : {}),
    ...context,
  });
  try {
    return build();
  } finally {
    if (previous === undefined) delete process.env[CONTEXT_ENV];
    else process.env[CONTEXT_ENV] = previous;
  }
}

/**
 * Synthesizes the Citadel app (every stage checked by all rule packs, each result
 * recorded) and writes one report directory per environment. Throws, writing nothing,
 * when an environment name is unknown or synth fails on an unacknowledged finding.
 */
export async function generateReports(options: GenerateReportsOptions): Promise<GeneratedReport[]> {
  const configs = options.environments?.length
    ? options.environments.map((name) => loadEnvironmentConfig(name))
    : loadAllEnvironmentConfigs();
  const log = new RuleResultLog();
  const { app, stages } = withContext(
    options.skipAssetBundling === false ? {} : { [BUNDLING_STACKS]: [] },
    () =>
      buildCitadelApp({
        configs,
        rulePacks: recordingRulePacks(log),
        ...(options.assemblyDir ? { outdir: options.assemblyDir } : {}),
      }),
  );
  const assembly = app.synth();
  const { version } = JSON.parse(await readFile(new URL('package.json', REPORT_ROOT), 'utf8')) as {
    version: string;
  };
  const generatedAt = options.generatedAt ?? new Date();
  const reports: GeneratedReport[] = [];
  for (const stage of stages) {
    const report = await buildEnvironmentReport(stage, assembly, log, generatedAt);
    const directory = join(options.outDir, report.environment);
    await mkdir(directory, { recursive: true });
    const configUri = relative(process.cwd(), join(ENVIRONMENTS_DIRECTORY, `${report.environment}.ts`));
    await Promise.all([
      writeFile(join(directory, 'index.html'), renderHtml(report)),
      writeFile(join(directory, 'compliance.md'), renderMarkdown(report)),
      writeFile(join(directory, 'diagram.svg'), report.diagramSvg),
      writeFile(
        join(directory, 'findings.sarif'),
        `${JSON.stringify(buildSarif(log.forPathPrefix(`${stage.node.path}/`), report.environment, configUri, version), null, 2)}\n`,
      ),
    ]);
    reports.push({ environment: report.environment, directory, report });
  }
  return reports;
}
