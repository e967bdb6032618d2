import { execFile } from 'node:child_process';
import { chmod, mkdir, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { repoPath } from '../delivery/repo.js';

let home: string;

beforeEach(async () => {
  home = await mkdtemp(join(tmpdir(), 'citadel-destroy-'));
});

afterEach(async () => {
  await rm(home, { recursive: true, force: true });
});

/** Runs `npm run destroy`'s script with an `aws` and `npx` on PATH that only record their calls. */
async function runDestroy(argv: readonly string[]): Promise<{ code: number; stderr: string; calls: string }> {
  const bin = join(home, 'bin');
  const calls = join(home, 'calls.log');
  await mkdir(bin);
  await writeFile(join(home, 'config'), '[profile citadel-dev]\nsso_session = example\n');
  for (const tool of ['aws', 'npx']) {
    await writeFile(join(bin, tool), `#!/bin/sh\necho "${tool} $*" >> ${calls}\n`);
    await chmod(join(bin, tool), 0o755);
  }
  const result = await promisify(execFile)(
    process.execPath,
    ['--import', 'tsx', repoPath('packages/infra/scripts/destroy.ts'), ...argv],
    {
      cwd: repoPath('.'),
      env: {
        PATH: `${bin}:${process.env.PATH ?? ''}`,
        HOME: home,
        AWS_PROFILE: 'citadel-dev',
        AWS_CONFIG_FILE: join(home, 'config'),
      },
    },
  ).then(
    () => ({ code: 0, stderr: '' }),
    (error: { code: number; stderr: string }) => error,
  );
  return { code: result.code, stderr: result.stderr, calls: await readFile(calls, 'utf8').catch(() => '') };
}

describe('npm run destroy as a command', () => {
  it('stops with exit code 2 on a wrong confirmation, having called nothing', async () => {
    // Act
    const result = await runDestroy(['--env', 'dev', '--confirm', 'destroy prod']);

    // Assess
    expect(result.code).toBe(2);
    expect(result.stderr).toContain('destroy: --confirm must be exactly "destroy dev" (got "destroy prod")');
    expect(result.calls).toBe('');
  });

  it('stops with exit code 2 for prod without --destroy-production, having called nothing', async () => {
    const result = await runDestroy(['--env', 'prod', '--confirm', 'destroy prod']);

    expect(result.code).toBe(2);
    expect(result.stderr).toContain('destroying prod also needs --destroy-production');
    expect(result.calls).toBe('');
  });
});
