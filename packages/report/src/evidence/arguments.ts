import { parseArgs } from 'node:util';
import { EvidenceArgumentError } from './errors.js';
import { parsePeriod, type EvidencePeriod } from './period.js';

export const USAGE =
  'usage: npm run evidence -- --env <name> --from YYYY-MM-DD --to YYYY-MM-DD [--out <dir>] ' +
  '[--records-bucket <bucket>]\n' +
  '       npm run evidence -- --verify <dir> [--head <sha256>]';

export type EvidenceCommand =
  | { readonly kind: 'help' }
  | { readonly kind: 'verify'; readonly directory: string; readonly head: string | undefined }
  | {
      readonly kind: 'collect';
      readonly environment: string;
      readonly period: EvidencePeriod;
      readonly outDir: string;
      readonly recordsBucket: string | undefined;
    };

const ENVIRONMENT = /^[a-z][a-z0-9-]{0,31}$/;
const BUCKET = /^(?!\d+\.\d+\.\d+\.\d+$)(?!.*\.\.)[a-z0-9][a-z0-9.-]{1,61}[a-z0-9]$/;
const SHA256 = /^[0-9a-f]{64}$/;
const MAX_PATH = 1024;

function path(argument: string, value: string): string {
  // eslint-disable-next-line no-control-regex
  if (value.trim() === '' || value.length > MAX_PATH || /[\u0000-\u001f\u007f]/.test(value)) {
    throw new EvidenceArgumentError(
      argument,
      value,
      `give a directory path of at most ${MAX_PATH} characters, without control characters`,
    );
  }
  return value;
}

/**
 * Parses and checks the command line. `environments` are the names config knows. Throws
 * EvidenceArgumentError naming the argument, the value and the fix.
 */
export function parseEvidenceArguments(
  args: readonly string[],
  environments: readonly string[],
  now: Date = new Date(),
): EvidenceCommand {
  let parsed;
  try {
    parsed = parseArgs({
      args: [...args],
      options: {
        env: { type: 'string' },
        from: { type: 'string' },
        to: { type: 'string' },
        out: { type: 'string' },
        'records-bucket': { type: 'string' },
        verify: { type: 'string' },
        head: { type: 'string' },
        help: { type: 'boolean' },
      },
      strict: true,
      allowPositionals: false,
    });
  } catch (error) {
    throw new EvidenceArgumentError('arguments', args.join(' '), `${(error as Error).message}; ${USAGE}`);
  }
  const { values } = parsed;
  if (values.help) return { kind: 'help' };
  if (values.verify !== undefined) {
    const others = ['env', 'from', 'to', 'out', 'records-bucket'].filter(
      (name) => values[name as keyof typeof values] !== undefined,
    );
    if (others.length > 0) {
      throw new EvidenceArgumentError(
        `--${others[0]}`,
        values[others[0] as keyof typeof values],
        '--verify takes only a directory and --head',
      );
    }
    if (values.head !== undefined && !SHA256.test(values.head)) {
      throw new EvidenceArgumentError('--head', values.head, 'give the 64 hex digits the collector printed');
    }
    return { kind: 'verify', directory: path('--verify', values.verify), head: values.head };
  }
  if (values.head !== undefined)
    throw new EvidenceArgumentError('--head', values.head, '--head goes with --verify');
  const environment = values.env;
  if (environment === undefined || !ENVIRONMENT.test(environment) || !environments.includes(environment)) {
    throw new EvidenceArgumentError(
      '--env',
      environment ?? null,
      `name one of the environments: ${environments.join(', ')}`,
    );
  }
  const period = parsePeriod(values.from, values.to, now);
  const recordsBucket = values['records-bucket'];
  if (recordsBucket !== undefined && !BUCKET.test(recordsBucket)) {
    throw new EvidenceArgumentError(
      '--records-bucket',
      recordsBucket,
      'give an S3 bucket name (3–63 of a-z, 0-9, "." and "-")',
    );
  }
  return {
    kind: 'collect',
    environment,
    period,
    outDir: path('--out', values.out ?? `reports/evidence/${environment}-${period.from}-${period.to}`),
    recordsBucket,
  };
}
