/**
 * Bootstraps one environment's account and region with Citadel's hardened template
 * (bootstrap/template.yaml): the KMS-encrypted asset bucket and the deploy roles.
 *
 *   npm run bootstrap -- --env <env> [--execution-policy <managed-policy-arn>] [--dry-run]
 *
 * Needs credentials for the environment's account (stops with a message otherwise).
 * `--dry-run` prints the cdk command without running it.
 */
import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { homedir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { ConfigError, ENVIRONMENT_NAMES, loadEnvironmentConfig } from '../config/index.js';

export const BOOTSTRAP_TEMPLATE = fileURLToPath(new URL('../bootstrap/template.yaml', import.meta.url));
const INFRA_DIR = fileURLToPath(new URL('..', import.meta.url));

/** The `cdk bootstrap` arguments for one environment. */
export function bootstrapArguments(environment: string, executionPolicyArn?: string): string[] {
  const config = loadEnvironmentConfig(environment);
  return [
    'cdk',
    'bootstrap',
    `aws://${config.account}/${config.region}`,
    '--template',
    BOOTSTRAP_TEMPLATE,
    '--bootstrap-customer-key',
    '--termination-protection',
    '--cloudformation-execution-policies',
    executionPolicyArn ?? 'arn:aws:iam::aws:policy/AdministratorAccess',
    '--tags',
    `citadel:environment=${config.name}`,
  ];
}

function hasCredentials(): boolean {
  const env = process.env;
  const sharedFiles = [
    env.AWS_SHARED_CREDENTIALS_FILE,
    env.AWS_CONFIG_FILE,
    join(homedir(), '.aws', 'credentials'),
    join(homedir(), '.aws', 'config'),
  ];
  if (sharedFiles.some((file) => file !== undefined && existsSync(file))) return true;
  return Boolean(
    (env.AWS_ACCESS_KEY_ID && env.AWS_SECRET_ACCESS_KEY) ||
    env.AWS_PROFILE ||
    env.AWS_WEB_IDENTITY_TOKEN_FILE ||
    env.AWS_CONTAINER_CREDENTIALS_FULL_URI ||
    env.AWS_CONTAINER_CREDENTIALS_RELATIVE_URI,
  );
}

function main(): number {
  const { values } = parseArgs({
    options: {
      env: { type: 'string' },
      'execution-policy': { type: 'string' },
      'dry-run': { type: 'boolean', default: false },
    },
  });
  if (!values.env) {
    console.error(
      `Usage: npm run bootstrap -- --env <${ENVIRONMENT_NAMES.join('|')}> [--execution-policy <arn>] [--dry-run]`,
    );
    return 2;
  }
  let args: string[];
  try {
    args = bootstrapArguments(values.env, values['execution-policy']);
  } catch (error) {
    if (error instanceof ConfigError) {
      console.error(error.message);
      return 2;
    }
    throw error;
  }
  console.log(`npx ${args.join(' ')}`);
  if (values['dry-run']) return 0;
  if (!hasCredentials()) {
    console.error(
      `No AWS credentials found for environment "${values.env}". Sign in to its account (AWS_PROFILE, SSO or role credentials) and run again; nothing was changed.`,
    );
    return 1;
  }
  const result = spawnSync('npx', args, { cwd: INFRA_DIR, stdio: 'inherit' });
  return result.status ?? 1;
}

if (process.argv[1] && fileURLToPath(import.meta.url) === process.argv[1]) {
  process.exitCode = main();
}
