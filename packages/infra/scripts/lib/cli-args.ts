import { parseArgs, type ParseArgsConfig } from 'node:util';
import { ENVIRONMENT_NAMES, isEnvironmentName, type EnvironmentName } from '../../config/index.js';
import { STACK_LAYERS, type StackLayer } from '../../lib/stacks/citadel-stack.js';
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

/** The `--env` value as an environment name; throws UsageError when it is missing or unknown. */
export function environmentOption(value: unknown, usageLine: string): EnvironmentName {
  if (value === undefined) throw new UsageError(`--env is required.\n${usageLine}`);
  if (typeof value !== 'string' || !isEnvironmentName(value)) {
    throw new UsageError(
      `unknown environment "${String(value)}"; expected one of ${ENVIRONMENT_NAMES.join(', ')}.`,
    );
  }
  return value;
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
}

/** Parses `--env <env> [--stacks a,b] ...`; throws UsageError naming the bad value and the accepted ones. */
export function parseDeliveryArgs(argv: readonly string[], command: 'deploy' | 'diff'): DeliveryArgs {
  const values: Readonly<Record<string, unknown>> = parseCommandOptions(
    argv,
    {
      env: { type: 'string' },
      stacks: { type: 'string' },
      ...(command === 'deploy'
        ? { 'image-digest': { type: 'string' } }
        : { against: { type: 'string' }, app: { type: 'string' } }),
    },
    usage(command),
  );
  const text = (name: string): string | undefined =>
    typeof values[name] === 'string' ? values[name] : undefined;
  const env = environmentOption(values.env, usage(command));
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
  return { env, stacks: parseStacks(text('stacks')), imageDigest, against, app };
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

function usage(command: 'deploy' | 'diff'): string {
  return command === 'deploy'
    ? `usage: npm run deploy -- --env <${ENVIRONMENT_NAMES.join('|')}> [--stacks ${STACK_LAYERS.join(',')}] [--image-digest sha256:...]`
    : `usage: npm run diff -- --env <${ENVIRONMENT_NAMES.join('|')}> [--stacks ...] [--against <cloud assembly> [--app <cloud assembly>]]`;
}
