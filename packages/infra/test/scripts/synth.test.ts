import { execFile } from 'node:child_process';
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { afterAll, describe, expect, it } from 'vitest';

const run = promisify(execFile);
const REPO = fileURLToPath(new URL('../../../../', import.meta.url));
const SYNTH = fileURLToPath(new URL('../../scripts/synth.ts', import.meta.url));
const ORDERS_APPLICATION = fileURLToPath(new URL('./fixtures/orders-application.ts', import.meta.url));
const scratch = mkdtempSync(join(tmpdir(), 'citadel-synth-'));

afterAll(() => rmSync(scratch, { recursive: true, force: true }));

/** `npm run synth` as a team runs it from the repository root: `tsx packages/infra/scripts/synth.ts`. */
function synth(args: string[], env: Record<string, string>) {
  return run('npx', ['--no-install', 'tsx', SYNTH, ...args], {
    cwd: REPO,
    env: { ...process.env, INIT_CWD: REPO, ...env },
    timeout: 280_000,
    maxBuffer: 16 * 1024 * 1024,
  });
}

describe('npm run synth', () => {
  it("synthesizes the team's environments, named by relative paths, with its workloads", async () => {
    const outdir = join(scratch, 'orders.out');

    const { stdout } = await synth(['--outdir', outdir], {
      CITADEL_APPLICATION: 'packages/infra/test/scripts/fixtures/orders-application.ts',
      CITADEL_ENVIRONMENTS: 'examples/orders/environments',
    });

    expect(stdout).toMatch(/Synthesized 2 environments \(prod, staging\)/);
    const stages = readdirSync(outdir).filter((entry) => entry.startsWith('assembly-'));
    expect(stages.sort()).toEqual(['assembly-prod', 'assembly-staging']);
    const appTemplate = readdirSync(join(outdir, 'assembly-staging')).find((file) =>
      /^staging.?app.*\.template\.json$/i.test(file),
    );
    expect(appTemplate).toBeDefined();
    const template = readFileSync(join(outdir, 'assembly-staging', appTemplate!), 'utf8');
    expect(template).toContain('orders-fulfilment');
    expect(template).toContain('orders-nightly-report');
  }, 300_000);

  it.each([
    [
      'a missing application module',
      { CITADEL_APPLICATION: 'teams/orders/application.ts' },
      /CITADEL_APPLICATION: .*teams\/orders\/application\.ts does not exist/,
    ],
    [
      'a missing environments directory',
      { CITADEL_APPLICATION: ORDERS_APPLICATION, CITADEL_ENVIRONMENTS: 'teams/orders/environments' },
      /CITADEL_ENVIRONMENTS: .*teams\/orders\/environments does not exist/,
    ],
  ])(
    'fails with exit code 2 for %s, naming the path, and writes nothing',
    async (_, env, message) => {
      const outdir = join(scratch, 'refused.out');

      const error = (await synth(['--outdir', outdir], env).catch((caught: unknown) => caught)) as {
        code: number;
        stderr: string;
      };

      expect(error.code).toBe(2);
      expect(error.stderr).toMatch(message);
      expect(existsSync(outdir)).toBe(false);
    },
    120_000,
  );

  it('refuses to clear an output directory that holds something other than a cloud assembly', async () => {
    const outdir = mkdtempSync(join(scratch, 'keep-'));
    writeFileSync(join(outdir, 'notes.txt'), 'mine');

    const error = (await synth(['--outdir', outdir], {}).catch((caught: unknown) => caught)) as {
      code: number;
      stderr: string;
    };

    expect(error.code).toBe(2);
    expect(error.stderr).toContain('no cloud assembly');
    expect(existsSync(join(outdir, 'notes.txt'))).toBe(true);
  }, 120_000);
});
