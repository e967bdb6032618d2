/**
 * Bootstraps one environment's account and region with Citadel's hardened template
 * (bootstrap/template.yaml): the KMS-encrypted asset bucket and the deploy roles.
 *
 *   npm run bootstrap -- --env <env> [--execution-policy <managed-policy-arn>] [--upgrade] [--dry-run]
 *
 * Reads the account's CDKToolkit stack first. The CDK CLI only warns, and exits 0, when that
 * stack holds another variant (the default bootstrap) or an older Citadel revision, so an
 * account bootstrapped before would keep its unhardened bootstrap: this command stops
 * instead, prints what an upgrade changes, and replaces it only with `--upgrade`.
 * Needs credentials for the environment's account; `--dry-run` prints the cdk command only.
 */
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { parse } from 'yaml';
import { ConfigError, loadAllEnvironmentConfigs, type EnvironmentConfig } from '../config/index.js';
import { loadProject, ProjectError, type CitadelProject } from '../lib/project.js';
import { AwsCliError, runAwsCli, type RunAws } from './lib/aws-cli.js';
import { requireLocalCredentials, verifyAwsIdentity, type GetCallerIdentity } from './lib/aws-identity.js';
import { runCdkCli, type RunCdk } from './lib/cdk.js';
import { environmentOption, parseCommandOptions } from './lib/cli-args.js';
import { describeStack, stackOutput, stackParameter, type StackDescription } from './lib/cloudformation.js';
import { configNamed, projectConfigs } from './lib/delivery.js';
import { CredentialsError, UsageError } from './lib/errors.js';
import { invocationDirectory } from './lib/main.js';
import { stsCallerIdentity } from './lib/sts.js';

export const BOOTSTRAP_TEMPLATE = fileURLToPath(new URL('../bootstrap/template.yaml', import.meta.url));
/** The stack `cdk bootstrap` creates unless told another name. */
export const TOOLKIT_STACK_NAME = 'CDKToolkit';
/** Output of the hardened template that says which revision of Citadel's changes an account has. */
export const REVISION_OUTPUT = 'CitadelBootstrapRevision';
const VARIANT_PARAMETER = 'BootstrapVariant';
const VERSION_OUTPUT = 'BootstrapVersion';
/** What the CDK CLI calls a stack deployed from its own template. */
const DEFAULT_VARIANT = 'AWS CDK: Default Resources';

/** What replacing an older bootstrap with this template changes, printed before an upgrade. */
export const UPGRADE_CHANGES = [
  'asset bucket: encrypted with a new customer-managed KMS key that rotates yearly and is kept when the stack is deleted',
  'asset bucket: public access always blocked, ACLs disabled, TLS-only policy, noncurrent versions expire after 90 days, incomplete uploads abort after 7 days',
  'container asset repository: images scanned on push',
  'deploy role: may lift RDS and load balancer deletion protection (used only by `npm run destroy` after its confirmation)',
  `stack: termination protection on, variant "Citadel: Hardened Resources", ${REVISION_OUTPUT} output`,
] as const;

const usage = (environments: readonly string[]): string =>
  `usage: npm run bootstrap -- --env <${environments.join('|')}> [--execution-policy <arn>] [--upgrade] [--dry-run]`;

/** The variant, version and Citadel revision of a bootstrap template or stack. */
export interface BootstrapIdentity {
  readonly variant: string;
  readonly version: number;
  /** 0 when the template or stack has no Citadel revision (not hardened by Citadel). */
  readonly revision: number;
}

/** What the account's CDKToolkit stack is, compared with this checkout's template. */
export type BootstrapState =
  | { readonly kind: 'absent' }
  | { readonly kind: 'hardened'; readonly current: BootstrapIdentity }
  | { readonly kind: 'outdated'; readonly current: BootstrapIdentity }
  | { readonly kind: 'newer'; readonly current: BootstrapIdentity }
  | { readonly kind: 'unusable'; readonly status: string; readonly reason: string; readonly fix: string };

/** Everything the bootstrap command touches, passed in so that tests can see every call. */
export interface BootstrapDeps {
  readonly env: Readonly<Record<string, string | undefined>>;
  readonly getCallerIdentity: GetCallerIdentity;
  readonly runAws: RunAws;
  readonly runCdk: RunCdk;
  readonly log: (line: string) => void;
  /**
   * The environments and application the command acts on.
   * @default - Citadel's own environments and application
   */
  readonly project?: Pick<CitadelProject, 'configs' | 'application'>;
}

/** The `cdk bootstrap` arguments for one of the environments (Citadel's own by default). */
export function bootstrapArguments(
  environment: string,
  executionPolicyArn?: string,
  configs: readonly EnvironmentConfig[] = loadAllEnvironmentConfigs(),
): string[] {
  const config = configNamed(configs, environment);
  return [
    'cdk',
    'bootstrap',
    `aws://${config.account}/${config.region}`,
    // The recovery stack deploys into the recovery region, which needs its own bootstrap.
    ...(config.recovery ? [`aws://${config.account}/${config.recovery.region}`] : []),
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

/** The variant, version and revision of this checkout's template.yaml. */
export function readBootstrapTemplate(path: string = BOOTSTRAP_TEMPLATE): BootstrapIdentity {
  const template = parse(readFileSync(path, 'utf8')) as {
    Parameters?: Record<string, { Default?: string }>;
    Outputs?: Record<string, { Value?: unknown }>;
  };
  return {
    variant: template.Parameters?.[VARIANT_PARAMETER]?.Default ?? DEFAULT_VARIANT,
    version: toNumber(template.Outputs?.[VERSION_OUTPUT]?.Value),
    revision: toNumber(template.Outputs?.[REVISION_OUTPUT]?.Value),
  };
}

/**
 * Stack states CloudFormation cannot update from, with what a person must do first. Any
 * other `*_IN_PROGRESS` state means an operation is running and the command should wait.
 */
const UNUSABLE_STATUSES: Readonly<Record<string, string>> = {
  CREATE_FAILED: 'delete the stack (`aws cloudformation delete-stack --stack-name CDKToolkit`) and run again',
  ROLLBACK_COMPLETE:
    'its first creation failed and was rolled back; delete the stack (`aws cloudformation delete-stack --stack-name CDKToolkit`) and run again',
  ROLLBACK_FAILED:
    'its first creation failed and could not be rolled back; delete the stack, removing what the console says it could not, and run again',
  DELETE_FAILED:
    'finish deleting it (`aws cloudformation delete-stack --stack-name CDKToolkit`) and run again',
  UPDATE_ROLLBACK_FAILED:
    'an update failed and could not be rolled back; run `aws cloudformation continue-update-rollback --stack-name CDKToolkit` and run again',
  IMPORT_ROLLBACK_FAILED:
    'an import failed and could not be rolled back; fix it in the console and run again',
  UPDATE_FAILED:
    'an update failed; roll it back (`aws cloudformation rollback-stack --stack-name CDKToolkit`) and run again',
};

/** Compares the account's CDKToolkit stack (undefined when there is none) with the template. */
export function classifyBootstrapStack(
  stack: StackDescription | undefined,
  template: BootstrapIdentity,
): BootstrapState {
  if (!stack || stack.StackStatus === 'REVIEW_IN_PROGRESS') return { kind: 'absent' };
  const reason = stack.StackStatusReason ?? 'no reason given';
  const fix = UNUSABLE_STATUSES[stack.StackStatus];
  if (fix) return { kind: 'unusable', status: stack.StackStatus, reason, fix };
  if (stack.StackStatus.endsWith('_IN_PROGRESS')) {
    return {
      kind: 'unusable',
      status: stack.StackStatus,
      reason,
      fix: 'another operation is running on it; wait until it finishes and run again',
    };
  }
  const current: BootstrapIdentity = {
    variant: stackParameter(stack, VARIANT_PARAMETER) ?? DEFAULT_VARIANT,
    version: toNumber(stackOutput(stack, VERSION_OUTPUT)),
    revision: toNumber(stackOutput(stack, REVISION_OUTPUT)),
  };
  if (current.variant === template.variant && current.revision > template.revision) {
    return { kind: 'newer', current };
  }
  if (current.variant === template.variant && current.revision === template.revision) {
    return { kind: 'hardened', current };
  }
  return { kind: 'outdated', current };
}

/** `npm run bootstrap -- --env <env> ...`; resolves to the exit code. */
export async function bootstrap(argv: readonly string[], deps: BootstrapDeps): Promise<number> {
  const configs = projectConfigs(deps);
  const options = parseBootstrapArgs(
    argv,
    configs.map((candidate) => candidate.name),
  );
  const args = bootstrapArguments(options.env, options.executionPolicy, configs);
  const config = configNamed(configs, options.env);
  if (options.dryRun) {
    deps.log(`npx ${args.join(' ')}`);
    return 0;
  }
  requireLocalCredentials(config, deps.env);
  await verifyAwsIdentity(config, deps.env, deps.getCallerIdentity);
  const env = { ...deps.env, AWS_REGION: config.region, AWS_DEFAULT_REGION: config.region };
  const where = `account ${config.account}, ${config.region}`;
  const template = readBootstrapTemplate();
  const state = classifyBootstrapStack(
    await describeStack(deps.runAws, TOOLKIT_STACK_NAME, config.region, env),
    template,
  );
  const run = async (extra: readonly string[]): Promise<number> => {
    const cdkArgs = [...args.slice(1), ...extra];
    deps.log(`npx cdk ${cdkArgs.join(' ')}`);
    return deps.runCdk(cdkArgs, env);
  };
  switch (state.kind) {
    case 'absent':
      deps.log(
        `${TOOLKIT_STACK_NAME} (${where}): not bootstrapped yet; creating it with ${describe(template)}.`,
      );
      return run([]);
    case 'hardened':
      deps.log(
        `${TOOLKIT_STACK_NAME} (${where}): already ${describe(state.current)}; applying the same template (no change unless parameters changed).`,
      );
      return run([]);
    case 'newer':
      deps.log(
        `${TOOLKIT_STACK_NAME} (${where}) holds ${describe(state.current)}, newer than this checkout's revision ${template.revision}. ` +
          'Update this checkout and run again; nothing was changed.',
      );
      return 1;
    case 'unusable':
      deps.log(
        `${TOOLKIT_STACK_NAME} (${where}) is ${state.status} (${state.reason}): ${state.fix}. Nothing was changed.`,
      );
      return 1;
    case 'outdated':
      deps.log(
        `${TOOLKIT_STACK_NAME} (${where}) holds ${describe(state.current)}; this checkout has ${describe(template)}.`,
      );
      deps.log('Upgrading replaces it with the hardened template:');
      for (const change of UPGRADE_CHANGES) deps.log(`  - ${change}`);
      if (state.current.version > template.version) {
        deps.log(
          `  - bootstrap version goes from ${state.current.version} down to ${template.version}: other CDK apps in this account that need a later version stop deploying until they bootstrap again`,
        );
      }
      if (!options.upgrade) {
        deps.log(
          'The CDK CLI would keep the old bootstrap and exit 0. Run again with --upgrade to replace it; nothing was changed.',
        );
        return 1;
      }
      // Without --force the CDK CLI keeps another variant (or a later version) in place.
      return run(['--force']);
  }
}

interface BootstrapOptions {
  readonly env: string;
  readonly executionPolicy: string | undefined;
  readonly upgrade: boolean;
  readonly dryRun: boolean;
}

function parseBootstrapArgs(argv: readonly string[], environments: readonly string[]): BootstrapOptions {
  const values = parseCommandOptions(
    argv,
    {
      env: { type: 'string' },
      'execution-policy': { type: 'string' },
      upgrade: { type: 'boolean', default: false },
      'dry-run': { type: 'boolean', default: false },
    },
    usage(environments),
  );
  const env = environmentOption(values.env, usage(environments), environments);
  const policy = values['execution-policy'];
  if (policy !== undefined && !/^arn:aws[a-z-]*:iam::(aws|\d{12}):policy\/[\w+=,.@/-]+$/.test(policy)) {
    throw new UsageError(
      `--execution-policy "${policy}" is not a managed policy ARN (arn:aws:iam::<account|aws>:policy/<name>).`,
    );
  }
  return {
    env,
    executionPolicy: policy,
    upgrade: values.upgrade ?? false,
    dryRun: values['dry-run'] ?? false,
  };
}

function describe(identity: BootstrapIdentity): string {
  const revision = identity.revision > 0 ? `Citadel revision ${identity.revision}` : 'no Citadel revision';
  return `"${identity.variant}" version ${identity.version} (${revision})`;
}

function toNumber(value: unknown): number {
  const parsed = typeof value === 'number' ? value : parseInt(String(value ?? '0'), 10);
  return Number.isFinite(parsed) ? parsed : 0;
}

async function main(): Promise<void> {
  try {
    const project = await loadProject(process.env, { cwd: invocationDirectory() });
    process.exitCode = await bootstrap(process.argv.slice(2), {
      env: process.env,
      project,
      getCallerIdentity: stsCallerIdentity,
      runAws: runAwsCli,
      runCdk: runCdkCli,
      log: (line) => console.log(line),
    });
  } catch (error) {
    if (
      error instanceof UsageError ||
      error instanceof CredentialsError ||
      error instanceof ConfigError ||
      error instanceof ProjectError
    ) {
      console.error(`bootstrap: ${error.message}`);
      process.exitCode = 2;
      return;
    }
    if (error instanceof AwsCliError) {
      console.error(`bootstrap: ${error.message}. Nothing was changed.`);
      process.exitCode = 1;
      return;
    }
    throw error;
  }
}

if (process.argv[1] && fileURLToPath(import.meta.url) === process.argv[1]) await main();
