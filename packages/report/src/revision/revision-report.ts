import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { RevisionReport } from '@citadel/infra/delivery';
import { CloudAssembly } from 'aws-cdk-lib/cx-api';
import { buildAccessSection, outcomeText, type AccessSection } from '../report/access-section.js';
import { table } from '../report/render-markdown.js';

/** What the revision report holds, also written as its JSON form. */
export interface RevisionReportData {
  readonly environment: string;
  readonly commit: string;
  readonly renderedAt: string;
  /** Every stack of the environment in the assembly, with the SHA-256 of its template file. */
  readonly stacks: readonly {
    readonly name: string;
    readonly region: string;
    readonly resources: number;
    readonly templateSha256: string;
  }[];
  /** Resources by CloudFormation type, across the environment's stacks. */
  readonly resourceTypes: Readonly<Record<string, number>>;
  readonly access: AccessSection;
}

/** The environment is not in the assembly, or the assembly cannot be read; nothing is deployed without its report. */
export class RevisionReportError extends Error {
  override readonly name = 'RevisionReportError';
}

/**
 * Renders the report of the revision about to be deployed from its synthesized cloud assembly
 * (the directory `cdk deploy --app` is then given): each stack of the environment with the
 * SHA-256 of its template, its resources by type, and the access proof judged on those very
 * templates. Rule-pack results are not repeated: the assembly exists only because synth
 * passed every pack with no unacknowledged finding.
 */
export async function renderRevisionReport(
  assemblyDir: string,
  environment: string,
  facts: { readonly commit: string; readonly renderedAt: Date },
): Promise<RevisionReport> {
  let stage: CloudAssembly;
  try {
    const root = new CloudAssembly(assemblyDir);
    stage = root.getNestedAssembly(`assembly-${environment}`);
  } catch (error) {
    throw new RevisionReportError(
      `the cloud assembly ${assemblyDir} has no stage "${environment}" (${(error as Error).message}); synthesize the environment before rendering its report`,
      { cause: error },
    );
  }
  const resourceTypes: Record<string, number> = {};
  const stacks = stage.stacks.map((artifact) => {
    const resources = Object.values(
      (artifact.template as { Resources?: Record<string, { Type?: string }> }).Resources ?? {},
    );
    for (const resource of resources) {
      const type = String(resource.Type);
      resourceTypes[type] = (resourceTypes[type] ?? 0) + 1;
    }
    return {
      name: artifact.stackName,
      region: artifact.environment.region,
      resources: resources.length,
      templateSha256: createHash('sha256')
        .update(readFileSync(join(stage.directory, artifact.templateFile)))
        .digest('hex'),
    };
  });
  const data: RevisionReportData = {
    environment,
    commit: facts.commit,
    renderedAt: facts.renderedAt.toISOString(),
    stacks,
    resourceTypes: Object.fromEntries(Object.entries(resourceTypes).sort(([a], [b]) => a.localeCompare(b))),
    access: await buildAccessSection(environment, stage),
  };
  return { markdown: revisionMarkdown(data), json: `${JSON.stringify(data, null, 2)}\n` };
}

function revisionMarkdown(data: RevisionReportData): string {
  const { allowed, denied, skipped, notAsRequired } = data.access.counts;
  const offending = [
    ...data.access.principals.flatMap((principal) => principal.may),
    ...data.access.mustDeny,
  ].filter((entry) => !entry.asRequired);
  return [
    `# Revision report: ${data.environment} at ${data.commit}`,
    '',
    `Rendered ${data.renderedAt} from the cloud assembly this deploy deployed. Synth passed every rule pack ` +
      '(HIPAA Security, PCI DSS 3.2.1, NIST 800-53 rev5, AwsSolutions, Citadel) with no unacknowledged finding, or there would be no assembly.',
    '',
    '## Stacks',
    '',
    table(
      ['Stack', 'Region', 'Resources', 'Template SHA-256'],
      data.stacks.map((stack) => [
        stack.name,
        stack.region,
        String(stack.resources),
        `\`${stack.templateSha256}\``,
      ]),
    ),
    '',
    '## Who can do what',
    '',
    `${allowed} allowed, ${denied} denied, ${skipped} skipped, ${notAsRequired} not as required (${data.access.controls.join(', ')}).`,
    '',
    ...(offending.length > 0
      ? [
          table(
            ['Who', 'Action', 'Resource', 'Outcome'],
            offending.map((entry) => [entry.who, entry.action, entry.resource, outcomeText(entry)]),
          ),
          '',
        ]
      : []),
    '## Resources by type',
    '',
    table(
      ['Type', 'Count'],
      Object.entries(data.resourceTypes).map(([type, count]) => [type, String(count)]),
    ),
    '',
  ].join('\n');
}
