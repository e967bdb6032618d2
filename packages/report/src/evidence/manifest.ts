import { createHash } from 'node:crypto';
import { readFile, readdir } from 'node:fs/promises';
import { join, relative, sep } from 'node:path';
import { BundleVerificationError } from './errors.js';

/** The manifest's own name in the bundle; it is the one file it does not list. */
export const MANIFEST_FILE = 'manifest.json';
/** The chain's value before the first entry. */
export const CHAIN_START = '0'.repeat(64);
const MANIFEST_VERSION = 1;

export interface ManifestEntry {
  /** Path inside the bundle, `/`-separated. */
  readonly path: string;
  /** sha256 of the file's bytes. */
  readonly sha256: string;
  /** sha256 of the previous entry's chain, this path and this file's sha256. */
  readonly chain: string;
}

export interface Manifest {
  readonly manifestVersion: number;
  readonly algorithm: 'sha256';
  readonly entries: readonly ManifestEntry[];
  /** The last entry's chain: printed by the collector, so a rewritten manifest is detected too. */
  readonly head: string;
}

const sha256 = (data: string | Uint8Array): string => createHash('sha256').update(data).digest('hex');

/** Links one entry to the chain before it. */
export function chainHash(previous: string, path: string, fileSha256: string): string {
  return sha256(`${previous}\n${path}\n${fileSha256}`);
}

/** Entries are in this order (byte order of the path), so any reordering is detected. */
const byPath = (a: string, b: string): number => (a < b ? -1 : a > b ? 1 : 0);

/** Every file under the directory except the manifest, as sorted bundle paths. */
export async function bundleFiles(directory: string): Promise<string[]> {
  const entries = await readdir(directory, { recursive: true, withFileTypes: true });
  return entries
    .filter((entry) => entry.isFile())
    .map((entry) => relative(directory, join(entry.parentPath, entry.name)).split(sep).join('/'))
    .filter((path) => path !== MANIFEST_FILE)
    .sort(byPath);
}

/** Hashes every file of the bundle into a chained manifest. */
export async function buildManifest(directory: string): Promise<Manifest> {
  const entries: ManifestEntry[] = [];
  let previous = CHAIN_START;
  for (const path of await bundleFiles(directory)) {
    const fileSha256 = sha256(await readFile(join(directory, path)));
    previous = chainHash(previous, path, fileSha256);
    entries.push({ path, sha256: fileSha256, chain: previous });
  }
  return { manifestVersion: MANIFEST_VERSION, algorithm: 'sha256', entries, head: previous };
}

function parseManifest(text: string): Manifest {
  let manifest: unknown;
  try {
    manifest = JSON.parse(text);
  } catch {
    throw new BundleVerificationError(MANIFEST_FILE, 'is not JSON');
  }
  const candidate = manifest as Partial<Manifest> | null;
  if (
    candidate?.manifestVersion !== MANIFEST_VERSION ||
    !Array.isArray(candidate.entries) ||
    typeof candidate.head !== 'string' ||
    !candidate.entries.every(
      (entry: Partial<ManifestEntry> | null) =>
        typeof entry?.path === 'string' &&
        typeof entry.sha256 === 'string' &&
        typeof entry.chain === 'string',
    )
  ) {
    throw new BundleVerificationError(
      MANIFEST_FILE,
      `is not a version ${MANIFEST_VERSION} evidence manifest`,
    );
  }
  return candidate as Manifest;
}

/**
 * Recomputes the chain over the files as they are now. Throws BundleVerificationError
 * naming the first file that differs: changed, removed, added, out of order, or a head
 * other than `expectedHead` (the one printed when the bundle was collected).
 */
export async function verifyBundle(directory: string, expectedHead?: string): Promise<Manifest> {
  let text: string;
  try {
    text = await readFile(join(directory, MANIFEST_FILE), 'utf8');
  } catch {
    throw new BundleVerificationError(
      MANIFEST_FILE,
      `not found in ${directory}; this is not a complete bundle`,
    );
  }
  const manifest = parseManifest(text);
  const onDisk = new Set(await bundleFiles(directory));
  let previous = CHAIN_START;
  let previousPath: string | undefined;
  for (const entry of manifest.entries) {
    if (previousPath !== undefined && byPath(previousPath, entry.path) >= 0) {
      throw new BundleVerificationError(
        entry.path,
        `is listed after ${previousPath}: the manifest was reordered`,
      );
    }
    if (!onDisk.has(entry.path))
      throw new BundleVerificationError(entry.path, 'is listed in the manifest but missing');
    const fileSha256 = sha256(await readFile(join(directory, entry.path)));
    if (fileSha256 !== entry.sha256) {
      throw new BundleVerificationError(
        entry.path,
        `sha256 is ${fileSha256}, the manifest says ${entry.sha256}: the file changed`,
      );
    }
    previous = chainHash(previous, entry.path, fileSha256);
    if (previous !== entry.chain) {
      throw new BundleVerificationError(
        entry.path,
        'chain hash does not match: the manifest was edited at or before this entry',
      );
    }
    onDisk.delete(entry.path);
    previousPath = entry.path;
  }
  const [added] = [...onDisk].sort(byPath);
  if (added !== undefined)
    throw new BundleVerificationError(added, 'is in the bundle but not in the manifest: a file was added');
  if (previous !== manifest.head) {
    throw new BundleVerificationError(
      MANIFEST_FILE,
      `head ${manifest.head} is not the chain's end ${previous}`,
    );
  }
  if (expectedHead !== undefined && expectedHead !== manifest.head) {
    throw new BundleVerificationError(
      MANIFEST_FILE,
      `head ${manifest.head} is not the head printed at collection, ${expectedHead}: the manifest was rewritten`,
    );
  }
  return manifest;
}
