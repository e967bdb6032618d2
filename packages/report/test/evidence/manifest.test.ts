import { mkdir, mkdtemp, readFile, rm, unlink, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import fc from 'fast-check';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import {
  BundleVerificationError,
  MANIFEST_FILE,
  buildManifest,
  chainHash,
  verifyBundle,
  type Manifest,
} from '../../src/evidence/index.js';

const FILES: Record<string, string> = {
  'backup/eu-west-1.json': '{"backupJobs":[]}\n',
  'bundle.json': '{"environment":"prod"}\n',
  'security-hub/eu-west-1.json': '{"findings":{"pages":[{"Findings":[]}]}}\n',
  'summary.md': '# Citadel evidence — prod ✓\n',
  'report/prod/compliance.md': '# Compliance report\n',
};

let bundle: string;

async function writeBundle(directory: string): Promise<Manifest> {
  for (const [path, content] of Object.entries(FILES)) {
    await mkdir(join(directory, path, '..'), { recursive: true });
    await writeFile(join(directory, path), content);
  }
  const manifest = await buildManifest(directory);
  await writeFile(join(directory, MANIFEST_FILE), JSON.stringify(manifest, null, 2));
  return manifest;
}

async function verifyError(directory: string, head?: string): Promise<BundleVerificationError> {
  const error = await verifyBundle(directory, head).then(
    () => undefined,
    (caught: unknown) => caught,
  );
  expect(error).toBeInstanceOf(BundleVerificationError);
  return error as BundleVerificationError;
}

async function editManifest(edit: (manifest: Manifest) => Manifest): Promise<void> {
  const path = join(bundle, MANIFEST_FILE);
  await writeFile(path, JSON.stringify(edit(JSON.parse(await readFile(path, 'utf8')) as Manifest)));
}

beforeEach(async () => {
  bundle = await mkdtemp(join(tmpdir(), 'citadel-manifest-'));
});
afterEach(async () => {
  await rm(bundle, { recursive: true, force: true });
});

describe('evidence manifest', () => {
  it('chains every file in path order and verifies an untouched bundle', async () => {
    const manifest = await writeBundle(bundle);
    expect(manifest.entries.map((entry) => entry.path)).toEqual([
      'backup/eu-west-1.json',
      'bundle.json',
      'report/prod/compliance.md',
      'security-hub/eu-west-1.json',
      'summary.md',
    ]);
    let previous = '0'.repeat(64);
    for (const entry of manifest.entries) {
      previous = chainHash(previous, entry.path, entry.sha256);
      expect(entry.chain).toBe(previous);
    }
    expect(manifest.head).toBe(previous);
    await expect(verifyBundle(bundle, manifest.head)).resolves.toMatchObject({ head: manifest.head });
  });

  it('names a changed file', async () => {
    await writeBundle(bundle);
    await writeFile(join(bundle, 'bundle.json'), '{"environment":"qa"}\n');
    expect((await verifyError(bundle)).message).toMatch(
      /^bundle.json: sha256 is [0-9a-f]{64}, the manifest says/,
    );
  });

  it('names a removed file', async () => {
    await writeBundle(bundle);
    await unlink(join(bundle, 'security-hub/eu-west-1.json'));
    expect((await verifyError(bundle)).path).toBe('security-hub/eu-west-1.json');
  });

  it('names an added file', async () => {
    await writeBundle(bundle);
    await writeFile(join(bundle, 'backup/extra.json'), '{}');
    const error = await verifyError(bundle);
    expect(error.path).toBe('backup/extra.json');
    expect(error.message).toMatch(/not in the manifest: a file was added/);
  });

  it('detects a reordered manifest, with or without its chain recomputed', async () => {
    await writeBundle(bundle);
    const swap = (manifest: Manifest) => {
      const entries = [...manifest.entries];
      [entries[1], entries[2]] = [entries[2]!, entries[1]!];
      return entries;
    };
    await editManifest((manifest) => ({ ...manifest, entries: swap(manifest) }));
    const swapped = await verifyError(bundle);
    expect(swapped.path).toBe('report/prod/compliance.md');
    expect(swapped.message).toMatch(/chain hash does not match/);

    await editManifest((manifest) => {
      let previous = '0'.repeat(64);
      const entries = manifest.entries.map((entry) => {
        previous = chainHash(previous, entry.path, entry.sha256);
        return { ...entry, chain: previous };
      });
      return { ...manifest, entries, head: previous };
    });
    const rechained = await verifyError(bundle);
    expect(rechained.path).toBe('bundle.json');
    expect(rechained.message).toMatch(
      /is listed after report\/prod\/compliance.md: the manifest was reordered/,
    );
  });

  it('detects an edited chain and a manifest rewritten to fit a changed file', async () => {
    const original = await writeBundle(bundle);
    await editManifest((manifest) => ({
      ...manifest,
      entries: manifest.entries.map((entry, index) =>
        index === 2 ? { ...entry, chain: 'f'.repeat(64) } : entry,
      ),
    }));
    expect((await verifyError(bundle)).path).toBe('report/prod/compliance.md');

    await writeFile(join(bundle, 'summary.md'), '# forged\n');
    await writeFile(join(bundle, MANIFEST_FILE), JSON.stringify(await buildManifest(bundle)));
    await expect(verifyBundle(bundle)).resolves.toBeDefined();
    expect((await verifyError(bundle, original.head)).message).toMatch(
      /is not the head printed at collection/,
    );
  });

  it('refuses a directory without a manifest, or with one that is not a manifest', async () => {
    expect((await verifyError(bundle)).message).toMatch(/manifest.json: not found/);
    await writeFile(join(bundle, MANIFEST_FILE), '{"entries": "all good"}');
    expect((await verifyError(bundle)).message).toMatch(/is not a version 1 evidence manifest/);
  });

  it('detects any single-byte change in any file', async () => {
    const manifest = await writeBundle(bundle);
    const paths = manifest.entries.map((entry) => entry.path);
    await fc.assert(
      fc.asyncProperty(
        fc.constantFrom(...paths),
        fc.nat(),
        fc.integer({ min: 1, max: 255 }),
        async (path, position, flip) => {
          const file = join(bundle, path);
          const original = await readFile(file);
          const changed = Buffer.from(original);
          const index = position % changed.length;
          changed[index] = changed[index]! ^ flip;
          await writeFile(file, changed);
          try {
            const error = await verifyBundle(bundle).then(
              () => undefined,
              (caught: unknown) => caught as BundleVerificationError,
            );
            expect(error?.path).toBe(path);
          } finally {
            await writeFile(file, original);
          }
        },
      ),
      { numRuns: 200 },
    );
    await expect(verifyBundle(bundle, manifest.head)).resolves.toBeDefined();
  });
});
