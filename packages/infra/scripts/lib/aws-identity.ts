import { existsSync, readFileSync } from 'node:fs';
import { homedir } from 'node:os';
import { join } from 'node:path';
import type { EnvironmentConfig } from '../../config/index.js';
import { CredentialsError } from './errors.js';

type Env = Readonly<Record<string, string | undefined>>;

/** The caller as STS reports it. */
export interface CallerIdentity {
  readonly account: string;
  readonly arn: string;
}

/** Asks STS who the credentials belong to, in the given region. */
export type GetCallerIdentity = (region: string) => Promise<CallerIdentity>;

/**
 * Where the AWS SDK would find credentials, judged from the environment and the shared
 * config files only (no network, no instance metadata). Undefined when there are none.
 */
export function findCredentialSource(env: Env, home: string = homedir()): string | undefined {
  if (env.AWS_ACCESS_KEY_ID && env.AWS_SECRET_ACCESS_KEY) return 'AWS_ACCESS_KEY_ID in the environment';
  if (env.AWS_WEB_IDENTITY_TOKEN_FILE && env.AWS_ROLE_ARN)
    return `web identity token for ${env.AWS_ROLE_ARN}`;
  if (env.AWS_CONTAINER_CREDENTIALS_RELATIVE_URI || env.AWS_CONTAINER_CREDENTIALS_FULL_URI)
    return 'container credentials';
  const profile = env.AWS_PROFILE ?? 'default';
  const files = [
    env.AWS_SHARED_CREDENTIALS_FILE ?? join(home, '.aws', 'credentials'),
    env.AWS_CONFIG_FILE ?? join(home, '.aws', 'config'),
  ];
  const header = new RegExp(
    `^\\[\\s*(profile\\s+)?${profile.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}\\s*\\]\\s*$`,
    'm',
  );
  const file = files.find((path) => existsSync(path) && header.test(readFileSync(path, 'utf8')));
  return file ? `profile "${profile}" in ${file}` : undefined;
}

/**
 * Checks, without any call, that credentials exist and that no region other than the
 * environment's is selected. Returns where the credentials come from; throws CredentialsError.
 */
export function requireLocalCredentials(config: EnvironmentConfig, env: Env, home?: string): string {
  const target = describe(config);
  const source = findCredentialSource(env, home);
  if (!source) {
    throw new CredentialsError(
      `no AWS credentials found for ${target}. Sign in first, for example \`aws sso login --profile <profile>\` and ` +
        '`export AWS_PROFILE=<profile>`; in GitHub Actions credentials come from the OIDC deploy role. Nothing was called or changed.',
    );
  }
  const selectedRegion = env.AWS_REGION ?? env.AWS_DEFAULT_REGION;
  if (selectedRegion && selectedRegion !== config.region) {
    throw new CredentialsError(
      `AWS_REGION is "${selectedRegion}" but ${target} lives in ${config.region}; unset it or set it to ${config.region}. Nothing was changed.`,
    );
  }
  return source;
}

/**
 * Checks, before anything changes in AWS, that credentials exist and belong to the
 * environment's account, and that no region other than the environment's is selected.
 * Returns the caller; throws CredentialsError with what to do otherwise.
 */
export async function verifyAwsIdentity(
  config: EnvironmentConfig,
  env: Env,
  getCallerIdentity: GetCallerIdentity,
  home?: string,
): Promise<CallerIdentity> {
  const source = requireLocalCredentials(config, env, home);
  let caller: CallerIdentity;
  try {
    caller = await getCallerIdentity(config.region);
  } catch (error) {
    throw new CredentialsError(
      `could not verify the AWS credentials from ${source} for ${describe(config)}: ${(error as Error).message}. Nothing was changed.`,
      { cause: error },
    );
  }
  if (caller.account !== config.account) {
    throw new CredentialsError(
      `the credentials from ${source} are for account ${caller.account} (${caller.arn}), not ${describe(config)}. ` +
        'Switch to a profile for that account. Nothing was changed.',
    );
  }
  return caller;
}

function describe(config: EnvironmentConfig): string {
  return `environment "${config.name}" (account ${config.account}, region ${config.region})`;
}
