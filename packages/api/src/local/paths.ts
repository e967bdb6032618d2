import { resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

const repositoryRoot = resolve(fileURLToPath(new URL('.', import.meta.url)), '../../../..');

/** Where local mode keeps its state: CITADEL_DATA_DIR, or `.data/` at the repository root. */
export function localDataDir(env: NodeJS.ProcessEnv = process.env): string {
  return resolve(env.CITADEL_DATA_DIR ?? resolve(repositoryRoot, '.data'));
}
