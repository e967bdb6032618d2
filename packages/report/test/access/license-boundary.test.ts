import { readFileSync, readdirSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';

const REPOSITORY = fileURLToPath(new URL('../../../../', import.meta.url));
const AGPL_SCOPE = '@cloud-copilot/';
const IAM_SIMULATE = '@cloud-copilot/iam-simulate';
const REPORT_WORKSPACE = 'packages/report';
const REPORT_PACKAGE = '@citadel/report';
const DEPENDENCY_FIELDS = ['dependencies', 'devDependencies', 'optionalDependencies', 'peerDependencies'];

type Manifest = Record<string, unknown> & { workspaces?: string[] };

const manifest = (directory: string): Manifest =>
  JSON.parse(readFileSync(join(REPOSITORY, directory, 'package.json'), 'utf8')) as Manifest;

const listed = (directory: string, fields = DEPENDENCY_FIELDS): string[] =>
  fields.flatMap((field) =>
    Object.keys((manifest(directory)[field] as Record<string, string> | undefined) ?? {}),
  );

/** Source, script and config files of a workspace; installed packages and build output are not its own. */
function files(directory: string): string[] {
  return readdirSync(directory).flatMap((name) => {
    if (name === 'node_modules' || name === 'dist' || name === 'cdk.out') return [];
    const path = join(directory, name);
    if (statSync(path).isDirectory()) return files(path);
    return /\.(ts|mts|cts|js|mjs|cjs|json)$/.test(name) && name !== 'package.json' ? [path] : [];
  });
}

const mentioning = (directory: string, text: string): string[] =>
  files(join(REPOSITORY, directory)).filter((file) => readFileSync(file, 'utf8').includes(text));

/** Every workspace but the report: what is deployed (api, db, functions) and what deploys it (infra). */
const OTHER_WORKSPACES = (manifest('.').workspaces ?? []).filter(
  (workspace) => workspace !== REPORT_WORKSPACE,
);

describe('the AGPL-licensed IAM evaluator stays in @citadel/report, which is never deployed', () => {
  it('checks api, db, functions and infra', () => {
    expect(OTHER_WORKSPACES).toEqual(
      expect.arrayContaining(['packages/api', 'packages/db', 'packages/functions', 'packages/infra']),
    );
  });

  it.each(OTHER_WORKSPACES)('%s does not list @cloud-copilot packages or @citadel/report', (workspace) => {
    // Act
    const names = listed(workspace);
    // Assess
    expect(names.filter((name) => name.startsWith(AGPL_SCOPE) || name === REPORT_PACKAGE)).toEqual([]);
  });

  it.each(OTHER_WORKSPACES)('%s does not import @cloud-copilot packages or @citadel/report', (workspace) => {
    expect([...mentioning(workspace, AGPL_SCOPE), ...mentioning(workspace, REPORT_PACKAGE)]).toEqual([]);
  });

  it('sees the evaluator imported where it is, so the scan would see it anywhere else', () => {
    expect(mentioning(REPORT_WORKSPACE, IAM_SIMULATE).length).toBeGreaterThan(0);
  });

  it('keeps iam-simulate a devDependency of @citadel/report and of nothing at the root', () => {
    expect(listed(REPORT_WORKSPACE, ['devDependencies'])).toContain(IAM_SIMULATE);
    expect(
      listed(REPORT_WORKSPACE, ['dependencies', 'optionalDependencies', 'peerDependencies']),
    ).not.toContain(IAM_SIMULATE);
    expect(listed('.').filter((name) => name.startsWith(AGPL_SCOPE))).toEqual([]);
  });

  it('leaves packages/report out of the API image: neither the build context nor the Dockerfile takes it', () => {
    // Prepare
    const context = readFileSync(join(REPOSITORY, '.dockerignore'), 'utf8').split('\n');
    const dockerfile = readFileSync(join(REPOSITORY, 'packages/api/Dockerfile'), 'utf8');
    // Assess
    expect(context.filter((line) => line.startsWith('!') && line.includes(REPORT_WORKSPACE))).toEqual([]);
    expect(dockerfile).not.toContain(REPORT_WORKSPACE);
  });
});
