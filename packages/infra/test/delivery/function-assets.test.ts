import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  bundleFunctions,
  loadEnvironment,
  MAX_BUNDLE_BYTES,
  MAX_IMPORT_MS,
  measureImport,
  placeholderCaBundle,
} from '@citadel/functions/bundle';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { synthesizedApp } from '../support/synthesized-app.js';
import {
  cdkShippedHandlerDigests,
  deployedFunctions,
  directoryBytes,
  fileDigests,
  type DeployedFunction,
} from './deployed-function-assets.js';

/** What a deployed function's code is, by where it was built. */
type Provenance = { kind: 'citadel'; name: string } | { kind: 'cdk' } | { kind: 'unknown' };

/**
 * The CDK's own handlers `require` AWS SDK clients that the Lambda runtime provides and their
 * asset leaves out. Empty stand-ins let them load here; their import time then counts the
 * handler's own code, not the runtime's SDK.
 */
function runtimeSdkStubs(assetDir: string): string {
  const stubs = mkdtempSync(join(tmpdir(), 'citadel-runtime-sdk-'));
  for (const file of fileDigests(assetDir).keys()) {
    for (const [, client] of readFileSync(join(assetDir, file), 'utf8').matchAll(
      /require\("(@aws-sdk\/[\w-]+)"\)/g,
    )) {
      mkdirSync(join(stubs, client as string), { recursive: true });
      writeFileSync(
        join(stubs, client as string, 'index.js'),
        'module.exports = new Proxy({}, { get: () => class {} });',
      );
    }
  }
  return stubs;
}

function sameFiles(a: Map<string, string>, b: Map<string, string>): boolean {
  return a.size === b.size && [...a].every(([path, digest]) => b.get(path) === digest);
}

describe('Lambda function assets in the synthesized cloud assembly', () => {
  const outDir = mkdtempSync(join(tmpdir(), 'citadel-measured-bundles-'));
  const ca = placeholderCaBundle();
  const measured = new Map<string, Map<string, string>>();
  let cdkShipped: Set<string>;
  let deployed: DeployedFunction[];

  const provenanceOf = (fn: DeployedFunction): Provenance => {
    const files = fileDigests(fn.assetDir);
    for (const [name, bundle] of measured) if (sameFiles(files, bundle)) return { kind: 'citadel', name };
    if ([...files.values()].every((digest) => cdkShipped.has(digest))) return { kind: 'cdk' };
    return { kind: 'unknown' };
  };

  beforeAll(async () => {
    // Prepare: the bundles bundle.ts builds and measures, and the app as `cdk deploy` synthesizes it
    for (const fn of await bundleFunctions(outDir)) measured.set(fn.name, fileDigests(join(outDir, fn.name)));
    cdkShipped = cdkShippedHandlerDigests();
    deployed = deployedFunctions(synthesizedApp().app.synth());
  }, 300_000);
  afterAll(() => {
    ca.remove();
    rmSync(outDir, { recursive: true, force: true });
  });

  it('deploys, for every Citadel function, exactly the bundle that bundle.ts builds and measures', () => {
    // Act
    const unmeasured = deployed
      .filter((fn) => provenanceOf(fn).kind === 'unknown')
      .map((fn) => `${fn.id} (${fn.handler}, ${[...fileDigests(fn.assetDir).keys()].join(', ')})`);

    // Assess
    expect(deployed.length).toBeGreaterThan(0);
    expect(unmeasured).toEqual([]);
  });

  it('recognizes the bundle of every Citadel function the environments deploy', () => {
    // Act
    const deployedNames = new Set(
      deployed
        .map(provenanceOf)
        .flatMap((provenance) => (provenance.kind === 'citadel' ? [provenance.name] : [])),
    );

    // Assess
    expect([...deployedNames]).toEqual(
      expect.arrayContaining([
        'cloudflare-certificate',
        'cloudflare-dns',
        'database-bootstrap',
        'payment-processor',
      ]),
    );
  });

  it('calls an exported function of index.mjs as each Citadel function handler', () => {
    for (const fn of deployed.filter((candidate) => provenanceOf(candidate).kind === 'citadel')) {
      expect(fn.handler, fn.id).toMatch(/^index\.[A-Za-z_$][\w$]*$/);
      expect(fn.runtime, fn.id).toMatch(/^nodejs(2[2-9]|[3-9]\d)\.x$/);
    }
  });

  it('keeps every deployed function asset within the size and import-time budgets', () => {
    // Prepare: each distinct asset and handler once (environments share them)
    const distinct = new Map<string, DeployedFunction>();
    for (const fn of deployed) distinct.set(`${fn.assetDir}#${fn.handler}`, fn);
    const figures: string[] = [];
    const overBudget: string[] = [];

    // Act
    for (const fn of distinct.values()) {
      const provenance = provenanceOf(fn);
      const [module, exportName] = fn.handler.split('.') as [string, string];
      const file = join(fn.assetDir, provenance.kind === 'citadel' ? `${module}.mjs` : `${module}.js`);
      const bytes = directoryBytes(fn.assetDir);
      const env = { ...loadEnvironment(ca.path), NODE_PATH: runtimeSdkStubs(fn.assetDir) };
      const { cpuMs } = measureImport(file, env, { exportName });
      const label =
        provenance.kind === 'citadel' ? `${provenance.name} ${fn.handler}` : `cdk ${fn.handler} (${fn.id})`;
      figures.push(`${label}: ${bytes} bytes, import ${cpuMs.toFixed(0)} ms CPU`);
      if (bytes > MAX_BUNDLE_BYTES || cpuMs > MAX_IMPORT_MS) overBudget.push(figures.at(-1) as string);
    }
    console.log(`deployed function assets:\n  ${figures.join('\n  ')}`);

    // Assess
    expect(overBudget).toEqual([]);
  }, 180_000);
});
