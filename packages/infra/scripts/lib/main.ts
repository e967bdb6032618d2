import { CredentialsError, UsageError } from './errors.js';
import { ConfigError } from '../../config/index.js';
import { runCdkCli } from './cdk.js';
import type { DeliveryDeps } from './delivery.js';
import { stsCallerIdentity } from './sts.js';

/** The real dependencies: this process's environment, STS and the CDK CLI. */
export function processDeps(): DeliveryDeps {
  return {
    env: process.env,
    getCallerIdentity: stsCallerIdentity,
    runCdk: runCdkCli,
    log: (line) => console.log(line),
    cwd: process.env.INIT_CWD ?? process.cwd(),
  };
}

/** Runs a delivery command and turns known failures into one clear line and exit code 2. */
export async function runCommand(
  name: string,
  command: (argv: readonly string[], deps: DeliveryDeps) => Promise<number>,
): Promise<void> {
  try {
    process.exitCode = await command(process.argv.slice(2), processDeps());
  } catch (error) {
    if (error instanceof UsageError || error instanceof CredentialsError || error instanceof ConfigError) {
      console.error(`${name}: ${error.message}`);
      process.exitCode = 2;
      return;
    }
    throw error;
  }
}
