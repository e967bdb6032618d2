import { parseArgs, type ParseArgsConfig } from 'node:util';
import { ENVIRONMENT_NAMES, type EnvironmentName } from '../../config/index.js';
import { STACK_LAYERS, type StackLayer } from '../../lib/stacks/citadel-stack.js';
import { parseContextArgs, type ContextEntry } from './context-args.js';
import type { EvidenceOptions } from './deploy-evidence.js';
import { UsageError } from './errors.js';

const IMAGE_DIGEST = /^sha256:[a-f0-9]{64}$/;

type CommandOptions = NonNullable<ParseArgsConfig['options']>;

/**
 * `--name value` options of a Citadel command, strictly: an unknown option or a positional
 * argument throws UsageError with the command's usage line, before anything is called.
 */
export function parseCommandOptions<const O extends CommandOptions>(
  argv: readonly string[],
  options: O,
  usageLine: string,
) {
  try {
    return parseArgs({ args: [...argv], strict: true, allowPositionals: false, options }).values;
  } catch (error) {
    throw new UsageError(`${(error as Error).message}\n${usageLine}`, { cause: error });
  }
}

/**
 * The `--env` value as an environment name of the project; throws UsageError when it is
 * missing or unknown.
 */
export function environmentOption(
  value: unknown,
  usageLine: string,
  names: readonly string[] = ENVIRONMENT_NAMES,
): EnvironmentName {
  if (value === undefined) throw new UsageError(`--env is required.\n${usageLine}`);
  if (typeof value !== 'string' || !names.includes(value)) {
    throw new UsageError(`unknown environment "${String(value)}"; expected one of ${names.join(', ')}.`);
  }
  return value;
}

/** What a command line is checked against: the project's environments and workloads. */
export interface ProjectNames {
  readonly environments: readonly string[];
  readonly workloads: readonly string[];
}

export interface DeliveryArgs {
  readonly env: EnvironmentName;
  /** Layers asked for, in layer order; undefined when `--stacks` was not given. */
  readonly stacks: readonly StackLayer[] | undefined;
  /** `sha256:` digest of the API image to run (deploy only). */
  readonly imageDigest: string | undefined;
  /** Cloud assembly to compare against instead of the deployed stacks (diff only). */
  readonly against: string | undefined;
  /** Already-synthesized cloud assembly to diff (diff only, with `against`). */
  readonly app: string | undefined;
  /** `--context key=value` entries to pass on to the CDK CLI, checked. */
  readonly context: readonly ContextEntry[];
  /** What the change record is told about the change (deploy only); checked by readDeployEvidence. */
  readonly evidence: EvidenceOptions;
}

/** Deploy options that feed the change record: option name -> EvidenceOptions field. */
const EVIDENCE_OPTIONS = {
  commit: 'commit',
  'pull-request': 'pullRequest',
  approvals: 'approvals',
  sbom: 'sbom',
  'scan-summary': 'scanSummary',
  'record-dir': 'recordDir',
} as const satisfies Record<string, keyof EvidenceOptions>;

/** Parses `--env <env> [--stacks a,b] ...`; throws UsageError naming the bad value and the accepted ones. */
export function parseDeliveryArgs(
  argv: readonly string[],
  command: 'deploy' | 'diff',
  project: ProjectNames,
): DeliveryArgs {
  const values: Readonly<Record<string, unknown>> = parseCommandOptions(
    argv,
    {
      env: { type: 'string' },
      stacks: { type: 'string' },
      context: { type: 'string', multiple: true },
      ...(command === 'deploy'
        ? {
            'image-digest': { type: 'string' },
            ...Object.fromEntries(
              Object.keys(EVIDENCE_OPTIONS).map((name) => [name, { type: 'string' as const }]),
            ),
          }
        : { against: { type: 'string' }, app: { type: 'string' } }),
    },
    usage(command, project.environments),
  );
  const text = (name: string): string | undefined =>
    typeof values[name] === 'string' ? values[name] : undefined;
  const env = environmentOption(values.env, usage(command, project.environments), project.environments);
  const imageDigest = text('image-digest');
  if (imageDigest !== undefined && !IMAGE_DIGEST.test(imageDigest)) {
    throw new UsageError(
      `--image-digest "${imageDigest}" is not a "sha256:" followed by 64 lowercase hex digits.`,
    );
  }
  const against = text('against');
  const app = text('app');
  if (app !== undefined && against === undefined) {
    throw new UsageError('--app is only used with --against (an offline diff between two cloud assemblies).');
  }
  const context = parseContextArgs(
    Array.isArray(values.context) ? (values.context as string[]) : [],
    project.workloads,
  );
  const evidence = Object.fromEntries(
    Object.entries(EVIDENCE_OPTIONS).flatMap(([name, field]) => {
      const value = text(name);
      return value === undefined ? [] : [[field, value]];
    }),
  ) as EvidenceOptions;
  return { env, stacks: parseStacks(text('stacks')), imageDigest, against, app, context, evidence };
}

function parseStacks(list: string | undefined): StackLayer[] | undefined {
  if (list === undefined) return undefined;
  const asked = list.split(',').map((s) => s.trim());
  const unknown = asked.filter((s) => !(STACK_LAYERS as readonly string[]).includes(s));
  if (unknown.length > 0 || asked.length === 0) {
    throw new UsageError(
      `unknown stack "${unknown.join(', ') || list}"; expected a comma-separated list of ${STACK_LAYERS.join(', ')}.`,
    );
  }
  return STACK_LAYERS.filter((layer) => asked.includes(layer));
}

function usage(command: 'deploy' | 'diff', environments: readonly string[]): string {
  return command === 'deploy'
    ? `usage: npm run deploy -- --env <${environments.join('|')}> [--stacks ${STACK_LAYERS.join(',')}] [--image-digest sha256:...] [--context image:<workload>=<tag> ...] [--commit <sha>] [--pull-request <n>] [--approvals <file>] [--sbom <file>] [--scan-summary <file>] [--record-dir <dir>]`
    : `usage: npm run diff -- --env <${environments.join('|')}> [--stacks ...] [--context image:<workload>=<tag> ...] [--against <cloud assembly> [--app <cloud assembly>]]`;
}
