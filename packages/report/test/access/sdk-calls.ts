import { readFileSync, readdirSync, statSync } from 'node:fs';
import { join, relative } from 'node:path';

/** One AWS call found in the source, with the IAM action it needs. */
export interface SdkCall {
  readonly file: string;
  readonly call: string;
  readonly action: string;
}

/** IAM service prefixes of the SDK client packages the code may use. */
const SERVICE_OF_CLIENT: Readonly<Record<string, string>> = {
  'client-sqs': 'sqs',
  'client-ssm': 'ssm',
  'client-secrets-manager': 'secretsmanager',
  'client-acm': 'acm',
  'client-kms': 'kms',
  'client-s3': 's3',
  'client-sts': 'sts',
  'client-sns': 'sns',
  'client-cloudwatch': 'cloudwatch',
  'client-cloudwatch-logs': 'logs',
  'client-backup': 'backup',
};

/** Batch commands authorize as their single-entry action (IAM has no separate batch action). */
const ACTION_OF_COMMAND: Readonly<Record<string, string>> = {
  'sqs:SendMessageBatch': 'sqs:SendMessage',
  'sqs:DeleteMessageBatch': 'sqs:DeleteMessage',
  'sqs:ChangeMessageVisibilityBatch': 'sqs:ChangeMessageVisibility',
};

/** `@aws-sdk` packages that make no AWS call of their own. */
const NO_CALL_PACKAGES = new Set(['types', 'credential-providers', 'smithy-client']);

const IMPORT = /import\s+(type\s+)?\{([^}]*)\}\s+from\s+'@aws-sdk\/([\w-]+)'/g;

function sourceFiles(directory: string): string[] {
  return readdirSync(directory).flatMap((name) => {
    const path = join(directory, name);
    if (statSync(path).isDirectory()) return sourceFiles(path);
    return /\.(ts|mts|js|mjs)$/.test(name) && !/\.test\./.test(name) ? [path] : [];
  });
}

/**
 * Every run-time AWS call in the given source folders: each `<Name>Command` imported from an
 * `@aws-sdk/client-*` package, the RDS `Signer` (an IAM database token), and a clear error for
 * any other AWS SDK use the proof cannot map to an IAM action.
 */
export function findSdkCalls(root: string, directories: readonly string[]): SdkCall[] {
  const calls: SdkCall[] = [];
  for (const file of directories.flatMap((directory) => sourceFiles(join(root, directory)))) {
    const source = readFileSync(file, 'utf8');
    const where = relative(root, file);
    if (/from\s+'aws-sdk'|require\('aws-sdk'\)/.test(source))
      throw new Error(`${where} uses the AWS SDK v2; map its calls to IAM actions`);
    for (const [, typeOnly, names, pkg] of source.matchAll(IMPORT) as Iterable<string[]>) {
      if (typeOnly || NO_CALL_PACKAGES.has(pkg!)) continue;
      if (pkg === 'rds-signer') {
        if (/\bSigner\b/.test(names!))
          calls.push({ file: where, call: 'Signer.getAuthToken', action: 'rds-db:connect' });
        continue;
      }
      const service = SERVICE_OF_CLIENT[pkg!];
      if (!service)
        throw new Error(
          `${where} imports @aws-sdk/${pkg}, which the coverage check cannot map to IAM; add it to SERVICE_OF_CLIENT`,
        );
      for (const raw of names!.split(',')) {
        const name = raw.trim();
        if (name.startsWith('type ')) continue;
        const command = /^(\w+)Command$/.exec(name.split(/\s+as\s+/)[0]!)?.[1];
        if (!command) continue;
        const action = `${service}:${command}`;
        calls.push({ file: where, call: `${name}`, action: ACTION_OF_COMMAND[action] ?? action });
      }
    }
    for (const [constructed] of source.matchAll(/new (\w+Command)\(/g)) {
      const name = constructed.slice(4, -1);
      if (!calls.some((call) => call.file === where && call.call === name)) {
        throw new Error(
          `${where} constructs ${name} without importing it from an @aws-sdk client; the coverage check cannot map it`,
        );
      }
    }
  }
  return calls;
}
