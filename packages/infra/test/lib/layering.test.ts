import { mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, isAbsolute, join, relative, resolve, sep } from 'node:path';
import { fileURLToPath } from 'node:url';
import ts from 'typescript';
import { afterEach, describe, expect, it } from 'vitest';

/**
 * Layers of the infrastructure package. Environment config is data that stacks read and pass
 * on as props; constructs, workloads and the platform object know nothing of config, and
 * config knows nothing of lib/, so either side changes without the other and no loop forms.
 */

const PACKAGE_NAME = '@citadel/infra';
const INFRA_ROOT = fileURLToPath(new URL('../../', import.meta.url));

/**
 * The app and its stages read every environment's config and build one stage per
 * environment, which hands each stack its config: the level above the stacks.
 */
const COMPOSITION_ROOT = ['lib/citadel-app.ts', 'lib/citadel-stage.ts', 'lib/project.ts'];

interface PackageLayout {
  /** Absolute path of the package directory. */
  readonly root: string;
  /** The package.json `exports` map: subpath (`./config`, `./constructs/*`) to file. */
  readonly exports: Readonly<Record<string, string>>;
}

interface ImportEdge {
  /** The importing file, relative to the package root, with `/` separators. */
  readonly importer: string;
  readonly specifier: string;
}

function layoutOf(root: string): PackageLayout {
  const manifest = JSON.parse(readFileSync(join(root, 'package.json'), 'utf8')) as {
    exports?: Record<string, string>;
  };
  return { root, exports: manifest.exports ?? {} };
}

/** Every module specifier a source file imports or re-exports, static or dynamic; comments are not code. */
function importSpecifiers(source: string): string[] {
  return ts.preProcessFile(source, true, true).importedFiles.map((file) => file.fileName);
}

/** The file a `@citadel/infra/<subpath>` specifier resolves to through the exports map. */
function exportTarget(exports: Readonly<Record<string, string>>, subpath: string): string | undefined {
  const exact = exports[subpath];
  if (exact !== undefined) return exact;
  for (const [pattern, target] of Object.entries(exports)) {
    const star = pattern.indexOf('*');
    if (star < 0) continue;
    const prefix = pattern.slice(0, star);
    const suffix = pattern.slice(star + 1);
    if (
      subpath.length >= prefix.length + suffix.length &&
      subpath.startsWith(prefix) &&
      subpath.endsWith(suffix)
    ) {
      return target.replace('*', subpath.slice(prefix.length, subpath.length - suffix.length));
    }
  }
  return undefined;
}

/** Absolute path a specifier points to inside the package, or undefined for another package or a built-in. */
function resolveInPackage(layout: PackageLayout, importer: string, specifier: string): string | undefined {
  if (specifier.startsWith('.')) return resolve(dirname(importer), specifier);
  if (specifier === PACKAGE_NAME || specifier.startsWith(`${PACKAGE_NAME}/`)) {
    const subpath = `.${specifier.slice(PACKAGE_NAME.length)}`;
    // A subpath the map does not export is taken literally, so `@citadel/infra/config/schema.js` still counts.
    return resolve(layout.root, exportTarget(layout.exports, subpath) ?? subpath);
  }
  return undefined;
}

function isInside(path: string, directory: string): boolean {
  const fromDirectory = relative(directory, path);
  return fromDirectory === '' || (!fromDirectory.startsWith('..') && !isAbsolute(fromDirectory));
}

function typeScriptFiles(directory: string): string[] {
  return readdirSync(directory, { withFileTypes: true, recursive: true })
    .filter((entry) => entry.isFile() && entry.name.endsWith('.ts'))
    .map((entry) => join(entry.parentPath, entry.name))
    .sort();
}

/** The imports in the `.ts` files under `from` (folders relative to the package) that point into `into`. */
function importsInto(layout: PackageLayout, from: readonly string[], into: string): ImportEdge[] {
  const target = join(layout.root, into);
  return from
    .flatMap((folder) => typeScriptFiles(join(layout.root, folder)))
    .flatMap((file) =>
      importSpecifiers(readFileSync(file, 'utf8'))
        .filter((specifier) => {
          const resolved = resolveInPackage(layout, file, specifier);
          return resolved !== undefined && isInside(resolved, target);
        })
        .map((specifier) => ({ importer: relative(layout.root, file).split(sep).join('/'), specifier })),
    );
}

const FIXTURE_EXPORTS = {
  '.': './lib/citadel-app.ts',
  './config': './config/index.ts',
  './stacks/app-stack': './lib/stacks/app-stack.ts',
  './constructs/*': './lib/constructs/*.ts',
};

describe('the import scanner', () => {
  const fixture: PackageLayout = { root: resolve(tmpdir(), 'infra-fixture'), exports: FIXTURE_EXPORTS };
  const construct = join(fixture.root, 'lib/constructs/some-construct.ts');
  const configFile = join(fixture.root, 'config/schema.ts');
  const pointsInto = (importer: string, specifier: string, folder: string): boolean => {
    const resolved = resolveInPackage(fixture, importer, specifier);
    return resolved !== undefined && isInside(resolved, join(fixture.root, folder));
  };

  it.each([
    ['a file in config/', '../../config/index.js'],
    ['the config directory itself', '../../config'],
    ['a path that wanders back into config/', '../../lib/../config/schema.js'],
    ['the package export', '@citadel/infra/config'],
    ['a config file the exports map does not list', '@citadel/infra/config/schema.js'],
  ])('counts a construct import of %s (%s) as an import of config', (_, specifier) => {
    expect(pointsInto(construct, specifier, 'config')).toBe(true);
  });

  it.each([
    ['a sibling construct named after AWS Config', './config-recorder.js'],
    ['the CDK module for AWS Config', 'aws-cdk-lib/aws-config'],
    ['a folder whose name only starts with config', '../../configuration/index.js'],
    ['another workspace package', '@citadel/db/roles'],
    ['a package whose name only starts with the infra package name', '@citadel/infra-tools/config'],
  ])('does not count %s (%s) as config', (_, specifier) => {
    expect(pointsInto(construct, specifier, 'config')).toBe(false);
  });

  it.each([
    ['a relative path into lib/', '../lib/constructs/api-service.js'],
    ['the package root, which is the CDK app', '@citadel/infra'],
    ['an exported stack', '@citadel/infra/stacks/app-stack'],
    ['an exported construct, through the wildcard', '@citadel/infra/constructs/api-service'],
  ])('counts a config import of %s (%s) as an import of lib', (_, specifier) => {
    expect(pointsInto(configFile, specifier, 'lib')).toBe(true);
  });

  it('finds static, type-only, multi-line, re-exported, side-effect and dynamic imports, and none in comments or strings', () => {
    const source = [
      "// import { Hidden } from '../../config/index.js';",
      "/* import { Hidden } from '../../config/index.js'; */",
      "const text = `from '../../config/index.js'`;",
      "import type { EnvironmentConfig } from '../../config/index.js';",
      'import {',
      '  ConfigError,',
      "} from '../../config/validate.js';",
      "export * from '../../config/schema.js';",
      "import '../../config/capacity.js';",
      "const loaded = await import('../../config/workloads.js');",
    ].join('\n');

    expect(importSpecifiers(source)).toEqual([
      '../../config/index.js',
      '../../config/validate.js',
      '../../config/schema.js',
      '../../config/capacity.js',
      '../../config/workloads.js',
    ]);
  });

  describe('on files in a package directory', () => {
    let root: string | undefined;
    afterEach(() => {
      if (root) rmSync(root, { recursive: true, force: true });
    });

    it('walks nested folders and names each importing file', () => {
      root = mkdtempSync(join(tmpdir(), 'infra-layering-'));
      const files: Record<string, string> = {
        'package.json': JSON.stringify({ name: PACKAGE_NAME, exports: FIXTURE_EXPORTS }),
        'config/index.ts': 'export const LIMIT = 1;\n',
        'lib/constructs/clean.ts': "import { Construct } from 'constructs';\n",
        'lib/constructs/nested/deep.ts': "import { LIMIT } from '../../../config/index.js';\n",
        'lib/workloads/job.ts': "import type { X } from '@citadel/infra/config';\n",
        'lib/stacks/stack.ts': "import type { X } from '../../config/index.js';\n",
      };
      for (const [path, content] of Object.entries(files)) {
        mkdirSync(dirname(join(root, path)), { recursive: true });
        writeFileSync(join(root, path), content);
      }

      expect(importsInto(layoutOf(root), ['lib/constructs', 'lib/workloads'], 'config')).toEqual([
        { importer: 'lib/constructs/nested/deep.ts', specifier: '../../../config/index.js' },
        { importer: 'lib/workloads/job.ts', specifier: '@citadel/infra/config' },
      ]);
    });
  });
});

describe('layering of the infrastructure package', () => {
  const infra = layoutOf(INFRA_ROOT);

  it('scans the folders it guards, and sees the stacks import config', () => {
    for (const folder of ['lib/constructs', 'lib/workloads', 'lib/platform', 'config']) {
      expect(typeScriptFiles(join(INFRA_ROOT, folder)), folder).not.toEqual([]);
    }
    const stackImporters = importsInto(infra, ['lib/stacks'], 'config').map((edge) => edge.importer);
    expect(stackImporters).toContain('lib/stacks/data-stack.ts');
  });

  it('lets no construct, workload or platform file import config', () => {
    expect(importsInto(infra, ['lib/constructs', 'lib/workloads', 'lib/platform'], 'config')).toEqual([]);
  });

  it('lets config import nothing from lib', () => {
    expect(importsInto(infra, ['config'], 'lib')).toEqual([]);
  });

  it('leaves reading config to the stacks and the app that builds them', () => {
    const offenders = importsInto(infra, ['lib'], 'config').filter(
      (edge) => !edge.importer.startsWith('lib/stacks/') && !COMPOSITION_ROOT.includes(edge.importer),
    );
    expect(offenders).toEqual([]);
  });
});
