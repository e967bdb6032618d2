import { spawn } from 'node:child_process';

/** What one AWS CLI call returned. */
export interface AwsCliResult {
  readonly code: number;
  readonly stdout: string;
  readonly stderr: string;
}

/** Runs `aws <args>` with the given environment; resolves when it exits, whatever the code. */
export type RunAws = (
  args: readonly string[],
  env: Readonly<Record<string, string | undefined>>,
) => Promise<AwsCliResult>;

/** An AWS CLI call that failed; the message names the call and carries the CLI's own error. */
export class AwsCliError extends Error {
  constructor(args: readonly string[], result: AwsCliResult) {
    super(
      `\`aws ${args.join(' ')}\` failed (exit ${result.code}): ${result.stderr.trim() || result.stdout.trim()}`,
    );
    this.name = 'AwsCliError';
  }
}

/** The AWS CLI v2 on PATH, with JSON output and no pager. */
export const runAwsCli: RunAws = (args, env) =>
  new Promise((resolve, reject) => {
    const child = spawn('aws', [...args, '--output', 'json', '--no-cli-pager'], {
      env: { ...env },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (chunk: Buffer) => (stdout += chunk.toString('utf8')));
    child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString('utf8')));
    child.on('error', reject);
    child.on('close', (code, signal) => resolve({ code: code ?? (signal ? 1 : 0), stdout, stderr }));
  });

/** Runs a call that must succeed and parses its JSON output (`{}` when it printed nothing). */
export async function awsJson<T>(
  runAws: RunAws,
  args: readonly string[],
  env: Readonly<Record<string, string | undefined>>,
): Promise<T> {
  const result = await runAws(args, env);
  if (result.code !== 0) throw new AwsCliError(args, result);
  return (result.stdout.trim() ? JSON.parse(result.stdout) : {}) as T;
}
