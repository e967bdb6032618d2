import { readFileSync, statSync } from 'node:fs';
import { resolve } from 'node:path';
import type { ChangeRecord, Approver } from './change-record.js';
import { UsageError } from './errors.js';

/** Largest approvals file accepted (GitHub returns a few hundred bytes per approval). */
export const MAX_APPROVALS_BYTES = 256 * 1024;
/** Largest scan summary accepted. */
export const MAX_SCAN_SUMMARY_BYTES = 4 * 1024;
/** Largest SBOM accepted. */
export const MAX_SBOM_BYTES = 20 * 1024 * 1024;

const COMMIT = /^[a-f0-9]{40}$/;
const PULL_REQUEST = /^[1-9][0-9]{0,8}$/;
const LOGIN = /^[A-Za-z0-9](?:[A-Za-z0-9-]{0,38})$/;
const ENVIRONMENT_NAME = /^[A-Za-z0-9_.-]{1,255}$/;
/** C0 controls other than tab, newline and carriage return, DEL, and bidirectional overrides. */
// eslint-disable-next-line no-control-regex -- finding control characters is the point
const UNSAFE_CHARACTERS = /[\u0000-\u0008\u000B\u000C\u000E-\u001F\u007F\u202A-\u202E\u2066-\u2069]/;
const SEVERITIES = ['critical', 'high', 'medium', 'low', 'unknown'] as const;

/** The deploy options that feed the change record, as given on the command line. */
export interface EvidenceOptions {
  readonly commit?: string;
  readonly pullRequest?: string;
  readonly approvals?: string;
  readonly sbom?: string;
  readonly scanSummary?: string;
  readonly recordDir?: string;
}

/** What the deploy's inputs say about the change, checked before anything is deployed. */
export interface DeployEvidence {
  readonly commit: string;
  readonly pullRequest?: ChangeRecord['pullRequest'];
  /** Approvals from the GitHub environment for this environment; undefined without `--approvals`. */
  readonly approvers?: Approver[];
  readonly sbom?: { readonly body: Buffer; readonly specVersion: string; readonly components: number };
  readonly scan?: NonNullable<ChangeRecord['image']['scan']>;
  /** Absolute directory the record is also written to, for a workflow artifact. */
  readonly recordDir?: string;
}

/**
 * Reads and checks the evidence options. Every problem throws UsageError naming the option,
 * the file and the field, before anything is called or deployed.
 */
export function readDeployEvidence(
  options: EvidenceOptions,
  context: {
    readonly cwd: string;
    readonly repository: string;
    readonly environment: string;
    readonly commit: () => string;
  },
): DeployEvidence {
  const commit = options.commit ?? context.commit();
  if (!COMMIT.test(commit)) {
    throw new UsageError(
      `--commit ${JSON.stringify(commit)} is not a 40-character lowercase hex commit SHA. Nothing was deployed.`,
    );
  }
  let pullRequest: DeployEvidence['pullRequest'];
  if (options.pullRequest !== undefined) {
    if (!PULL_REQUEST.test(options.pullRequest)) {
      throw new UsageError(
        `--pull-request ${JSON.stringify(options.pullRequest)} is not a pull request number (1 to 999999999). Nothing was deployed.`,
      );
    }
    const number = Number(options.pullRequest);
    pullRequest = { number, url: `https://github.com/${context.repository}/pull/${number}` };
  }
  const at = (path: string) => resolve(context.cwd, path);
  return {
    commit,
    ...(pullRequest ? { pullRequest } : {}),
    ...(options.approvals !== undefined
      ? {
          approvers: parseApprovals(
            readLimited('--approvals', at(options.approvals), MAX_APPROVALS_BYTES),
            options.approvals,
            context.environment,
          ),
        }
      : {}),
    ...(options.sbom !== undefined
      ? { sbom: parseSbom(readLimited('--sbom', at(options.sbom), MAX_SBOM_BYTES), options.sbom) }
      : {}),
    ...(options.scanSummary !== undefined
      ? {
          scan: parseScanSummary(
            readLimited('--scan-summary', at(options.scanSummary), MAX_SCAN_SUMMARY_BYTES),
            options.scanSummary,
          ),
        }
      : {}),
    ...(options.recordDir !== undefined ? { recordDir: at(options.recordDir) } : {}),
  };
}

function readLimited(option: string, path: string, maxBytes: number): Buffer {
  let size: number;
  try {
    const stat = statSync(path);
    if (!stat.isFile()) throw new Error('not a regular file');
    size = stat.size;
  } catch (error) {
    throw new UsageError(
      `${option} ${path}: cannot be read (${(error as Error).message}). Nothing was deployed.`,
      {
        cause: error,
      },
    );
  }
  if (size > maxBytes) {
    throw new UsageError(
      `${option} ${path}: ${size} bytes is more than the ${maxBytes} accepted. Nothing was deployed.`,
    );
  }
  return readFileSync(path);
}

function parseJson(option: string, file: string, body: Buffer): unknown {
  const text = body.toString('utf8');
  if (UNSAFE_CHARACTERS.test(text)) {
    throw new UsageError(
      `${option} ${file}: holds a control or bidirectional-override character. Nothing was deployed.`,
    );
  }
  try {
    return JSON.parse(text);
  } catch (error) {
    throw new UsageError(
      `${option} ${file}: is not JSON (${(error as Error).message}). Nothing was deployed.`,
      {
        cause: error,
      },
    );
  }
}

function refuse(option: string, file: string, field: string, value: unknown, expected: string): never {
  const shown = JSON.stringify(value)?.slice(0, 80) ?? 'undefined';
  throw new UsageError(`${option} ${file}: ${field} = ${shown}: expected ${expected}. Nothing was deployed.`);
}

const isObject = (value: unknown): value is Record<string, unknown> =>
  typeof value === 'object' && value !== null && !Array.isArray(value);

/**
 * The approvals of `GET /repos/{owner}/{repo}/actions/runs/{run_id}/approvals` that concern
 * `environment`: login, approved or rejected, the comment and the environments approved.
 */
export function parseApprovals(body: Buffer, file: string, environment: string): Approver[] {
  const option = '--approvals';
  const value = parseJson(option, file, body);
  if (!Array.isArray(value))
    refuse(option, file, '(file)', value, 'the JSON array GitHub returns for a run’s approvals');
  if (value.length > 50) refuse(option, file, 'length', value.length, 'at most 50 approvals');
  return value
    .map((entry: unknown, index): Approver => {
      const at = `[${index}]`;
      if (!isObject(entry)) refuse(option, file, at, entry, 'an approval object');
      const user = entry.user;
      if (!isObject(user) || typeof user.login !== 'string' || !LOGIN.test(user.login)) {
        refuse(option, file, `${at}.user.login`, isObject(user) ? user.login : user, 'a GitHub login');
      }
      if (entry.state !== 'approved' && entry.state !== 'rejected') {
        refuse(option, file, `${at}.state`, entry.state, '"approved" or "rejected"');
      }
      const comment = entry.comment ?? '';
      if (typeof comment !== 'string' || comment.length > 2000 || UNSAFE_CHARACTERS.test(comment)) {
        refuse(
          option,
          file,
          `${at}.comment`,
          comment,
          'text of at most 2000 characters without control or bidirectional-override characters',
        );
      }
      const environments = entry.environments;
      if (!Array.isArray(environments) || environments.length > 20) {
        refuse(option, file, `${at}.environments`, environments, 'an array of at most 20 environments');
      }
      const names = environments.map((env: unknown, i) => {
        const name = isObject(env) ? env.name : undefined;
        if (typeof name !== 'string' || !ENVIRONMENT_NAME.test(name)) {
          refuse(option, file, `${at}.environments[${i}].name`, name, 'a GitHub environment name');
        }
        return name;
      });
      return { login: user.login as string, state: entry.state, comment, environments: names };
    })
    .filter((approver) => approver.environments.includes(environment));
}

/** A CycloneDX JSON SBOM: its format, spec version and component count are checked and kept. */
export function parseSbom(body: Buffer, file: string): NonNullable<DeployEvidence['sbom']> {
  const option = '--sbom';
  const value = parseJson(option, file, body);
  if (!isObject(value)) refuse(option, file, '(file)', value, 'a CycloneDX JSON document');
  if (value.bomFormat !== 'CycloneDX') refuse(option, file, 'bomFormat', value.bomFormat, '"CycloneDX"');
  if (typeof value.specVersion !== 'string' || !/^1\.\d{1,2}$/.test(value.specVersion)) {
    refuse(option, file, 'specVersion', value.specVersion, 'a CycloneDX version such as "1.5"');
  }
  const components = value.components ?? [];
  if (!Array.isArray(components)) refuse(option, file, 'components', components, 'an array');
  return { body, specVersion: value.specVersion, components: components.length };
}

/** `{ "tool": "trivy", "critical": n, "high": n, "medium": n, "low": n, "unknown": n }`, counts of findings by severity. */
export function parseScanSummary(body: Buffer, file: string): NonNullable<DeployEvidence['scan']> {
  const option = '--scan-summary';
  const value = parseJson(option, file, body);
  if (!isObject(value)) refuse(option, file, '(file)', value, 'an object of counts by severity');
  if (value.tool !== 'trivy') refuse(option, file, 'tool', value.tool, '"trivy"');
  const extra = Object.keys(value).filter(
    (key) => key !== 'tool' && !(SEVERITIES as readonly string[]).includes(key),
  );
  if (extra.length > 0)
    refuse(option, file, extra[0]!, value[extra[0]!], `only tool and ${SEVERITIES.join(', ')}`);
  const counts = Object.fromEntries(
    SEVERITIES.map((severity) => {
      const count = value[severity];
      if (!Number.isSafeInteger(count) || (count as number) < 0) {
        refuse(option, file, severity, count, 'a whole number of findings, 0 or more');
      }
      return [severity, count as number];
    }),
  ) as Record<(typeof SEVERITIES)[number], number>;
  return { tool: 'trivy', ...counts };
}
