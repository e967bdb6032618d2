import { spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';

/** packages/infra, where cdk.json names the app. */
export const INFRA_DIR = fileURLToPath(new URL('../..', import.meta.url));

/** Runs the CDK CLI with the given arguments; resolves to its exit code. */
export type RunCdk = (
  args: readonly string[],
  env: Readonly<Record<string, string | undefined>>,
) => Promise<number>;

/** `npx cdk <args>` from packages/infra, sharing this terminal. */
export const runCdkCli: RunCdk = (args, env) =>
  new Promise((resolve, reject) => {
    const child = spawn('npx', ['--no-install', 'cdk', ...args], {
      cwd: INFRA_DIR,
      env: { ...env },
      stdio: 'inherit',
    });
    child.on('error', reject);
    child.on('exit', (code, signal) => resolve(code ?? (signal ? 1 : 0)));
  });
