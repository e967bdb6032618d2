import { readFileSync, readdirSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';

const REPOSITORY = fileURLToPath(new URL('../../../../../', import.meta.url));
const AGPL_PACKAGE = '@cloud-copilot/';
const SHIPPED = ['packages/api', 'packages/db', 'packages/functions'];

function files(directory: string): string[] {
  return readdirSync(directory).flatMap((name) => {
    if (name === 'node_modules' || name === 'dist') return [];
    const path = join(directory, name);
    return statSync(path).isDirectory()
      ? files(path)
      : /\.(ts|mts|cts|js|mjs|cjs|json)$/.test(name)
        ? [path]
        : [];
  });
}

describe('the AGPL-licensed IAM evaluator stays out of what ships', () => {
  it.each(SHIPPED)('%s does not list @cloud-copilot packages as a dependency', (pkg) => {
    // Prepare
    const manifest = JSON.parse(readFileSync(join(REPOSITORY, pkg, 'package.json'), 'utf8')) as Record<
      string,
      unknown
    >;
    // Act
    const listed = ['dependencies', 'devDependencies', 'optionalDependencies', 'peerDependencies'].flatMap(
      (field) => Object.keys((manifest[field] as Record<string, string> | undefined) ?? {}),
    );
    // Assess
    expect(listed.filter((name) => name.startsWith(AGPL_PACKAGE))).toEqual([]);
  });

  it.each(SHIPPED)('%s does not import @cloud-copilot packages', (pkg) => {
    const importing = files(join(REPOSITORY, pkg))
      .filter((file) => !file.endsWith('package.json'))
      .filter((file) => readFileSync(file, 'utf8').includes(AGPL_PACKAGE));
    expect(importing).toEqual([]);
  });

  it('keeps iam-simulate a devDependency of packages/infra', () => {
    const manifest = JSON.parse(readFileSync(join(REPOSITORY, 'packages/infra/package.json'), 'utf8')) as {
      dependencies?: Record<string, string>;
      devDependencies?: Record<string, string>;
    };
    expect(Object.keys(manifest.dependencies ?? {})).not.toContain('@cloud-copilot/iam-simulate');
    expect(Object.keys(manifest.devDependencies ?? {})).toContain('@cloud-copilot/iam-simulate');
  });
});
