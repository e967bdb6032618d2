import { spawnSync } from 'node:child_process';
import { chmod, mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import getPort from 'get-port';
import { describe, expect, it } from 'vitest';

const MODULE = fileURLToPath(new URL('../src/local/embedded-postgres.ts', import.meta.url));

describe('embedded PostgreSQL', () => {
  it('leaves the exit code of the process that started and stopped it alone', async () => {
    // Prepare
    const root = await mkdtemp(join(tmpdir(), 'citadel-exit-'));
    await chmod(root, 0o755);
    const script = `
      const { startEmbeddedPostgres } = await import(${JSON.stringify(MODULE)});
      const postgres = await startEmbeddedPostgres({ dataDir: ${JSON.stringify(join(root, 'data'))}, port: ${await getPort()} });
      await postgres.stop();
      process.exitCode = 3;`;

    try {
      // Act
      const result = spawnSync(process.execPath, ['--import', 'tsx', '--input-type=module', '-e', script], {
        encoding: 'utf8',
        timeout: 60_000,
      });

      // Assess
      expect(result.status, result.stderr).toBe(3);
    } finally {
      await rm(root, { recursive: true, force: true });
    }
  }, 90_000);
});
