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

/** `npx cdk <args>` from packages/infra, printing its output as it comes and returning it as well. */
export const captureCdkCli = (
  args: readonly string[],
  env: Readonly<Record<string, string | undefined>>,
): Promise<{ code: number; output: string }> =>
  new Promise((resolve, reject) => {
    const child = spawn('npx', ['--no-install', 'cdk', ...args], {
      cwd: INFRA_DIR,
      env: { ...env },
      stdio: ['inherit', 'pipe', 'pipe'],
    });
    const chunks: Buffer[] = [];
    child.stdout.on('data', (chunk: Buffer) => {
      chunks.push(chunk);
      process.stdout.write(chunk);
    });
    child.stderr.on('data', (chunk: Buffer) => {
      chunks.push(chunk);
      process.stderr.write(chunk);
    });
    child.on('error', reject);
    child.on('close', (code, signal) =>
      resolve({ code: code ?? (signal ? 1 : 0), output: Buffer.concat(chunks).toString('utf8') }),
    );
  });
