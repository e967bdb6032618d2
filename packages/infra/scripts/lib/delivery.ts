import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import {
  ConfigError,
  loadAllEnvironmentConfigs,
  ownsBaselineControls,
  type EnvironmentConfig,
} from '../../config/index.js';
import { CITADEL_APPLICATION, type ApplicationDeclaration } from '../../config/workloads.js';
import { STACK_LAYERS, type StackLayer } from '../../lib/stacks/citadel-stack.js';
import { requireLocalCredentials, verifyAwsIdentity, type GetCallerIdentity } from './aws-identity.js';
import type { RunCdk } from './cdk.js';
import { parseDeliveryArgs, type DeliveryArgs, type ProjectNames } from './cli-args.js';
import { contextArguments } from './context-args.js';
import { findStackTemplate } from './cloud-assembly.js';
import { UsageError } from './errors.js';
import { readDeployEvidence } from './deploy-evidence.js';
import { recordDeploy, type ChangeRecordDeps } from './record-deploy.js';

/** The contract a revision report renderer (the report package's) fulfils for a deploy. */
export type { RenderRevisionReport, RevisionReport } from './record-deploy.js';

/** Context key the app stack reads the API image (tag or digest) from. */
export const API_IMAGE_CONTEXT = 'imageTag';

/** Identity-provider settings the app stack takes at deploy time: environment variable -> context key. */
export const AUTH_CONTEXT = {
  AUTH_ISSUER: 'authIssuer',
  AUTH_AUDIENCE: 'authAudience',
} as const;

/**
 * The provider's keys: AUTH_JWKS (the public key set, pinned into the task) or
 * AUTH_JWKS_URL (fetched on a schedule by the JWKS mirror outside the VPC, which copies the
 * keys into the SSM parameter the tasks read).
 */
export const AUTH_KEYS_CONTEXT = { AUTH_JWKS: 'authJwks', AUTH_JWKS_URL: 'authJwksUrl' } as const;

/**
 * The `--context` arguments of a deploy: the ones the app layer needs (from `--image-digest`
 * and the AUTH_* variables, or the same keys given with `--context`) and the `--context`
 * entries of the command line. Without the app layer's, synth falls back to placeholders that
 * deploy a service which cannot start, so deploying `app` without them is refused before
 * anything is called; a key given both ways is refused too.
 */
export function appContext(
  args: DeliveryArgs,
  layers: readonly StackLayer[],
  env: DeliveryDeps['env'],
): string[] {
  const given = new Set(args.context.map((entry) => entry.key));
  const derived: [key: string, value: string | undefined][] = [
    [API_IMAGE_CONTEXT, args.imageDigest],
    ...Object.entries(AUTH_CONTEXT).map(([name, key]): [string, string | undefined] => [key, env[name]]),
    [AUTH_KEYS_CONTEXT.AUTH_JWKS, env.AUTH_JWKS],
    [AUTH_KEYS_CONTEXT.AUTH_JWKS_URL, env.AUTH_JWKS ? undefined : env.AUTH_JWKS_URL],
  ];
  const twice = derived.filter(([key, value]) => value && given.has(key)).map(([key]) => key);
  if (twice.length > 0) {
    throw new UsageError(
      `${twice.join(', ')} given both with --context and with --image-digest or an AUTH_* variable; give each once. Nothing was called or changed.`,
    );
  }
  const has = (key: string, value: string | undefined): boolean => Boolean(value) || given.has(key);
  if (layers.includes('app')) {
    const missing = [
      ...(has(API_IMAGE_CONTEXT, args.imageDigest)
        ? []
        : ['--image-digest sha256:<digest of the API image>']),
      ...Object.entries(AUTH_CONTEXT)
        .filter(([name, key]) => !has(key, env[name]))
        .map(([name]) => name),
      ...(env.AUTH_JWKS || has(AUTH_KEYS_CONTEXT.AUTH_JWKS_URL, env.AUTH_JWKS_URL)
        ? []
        : ['AUTH_JWKS (or AUTH_JWKS_URL)']),
    ];
    if (missing.length > 0) {
      throw new UsageError(
        `deploying the app stack needs ${missing.join(', ')}; nothing was called or changed.`,
      );
    }
  }
  const fromFlagsAndEnv = layers.includes('app')
    ? derived.flatMap(([key, value]) => (value ? ['--context', `${key}=${value}`] : []))
    : [];
  return [...fromFlagsAndEnv, ...contextArguments(args.context)];
}

/** What the deploy and diff commands touch, passed in so that tests can see every call. */
export interface DeliveryDeps {
  readonly env: Readonly<Record<string, string | undefined>>;
  readonly getCallerIdentity: GetCallerIdentity;
  readonly runCdk: RunCdk;
  readonly log: (line: string) => void;
  /** Directory relative paths on the command line are resolved from. */
  readonly cwd: string;
  /** What a deploy needs to write its change record. */
  readonly changeRecords: ChangeRecordDeps;
  /**
   * The environments and application the commands act on.
   * @default - Citadel's own environments and application
   */
  readonly project?: {
    readonly configs: readonly EnvironmentConfig[];
    readonly application: ApplicationDeclaration;
  };
}

/** The environment and workload names a command line is checked against. */
export function projectNames(deps: Pick<DeliveryDeps, 'project'>): ProjectNames {
  return {
    environments: projectConfigs(deps).map((config) => config.name),
    workloads: (deps.project?.application ?? CITADEL_APPLICATION).workloads.map((workload) => workload.name),
  };
}

/** The validated config of the environment named; throws ConfigError for an unknown name. */
export function configNamed(configs: readonly EnvironmentConfig[], name: string): EnvironmentConfig {
  const config = configs.find((candidate) => candidate.name === name);
  if (!config) {
    throw new ConfigError(
      name,
      'name',
      name,
      `unknown environment; expected one of ${configs.map((c) => c.name).join(', ')}`,
    );
  }
  return config;
}

/** The project's environments: Citadel's own unless the deps name a project. */
export function projectConfigs(deps: Pick<DeliveryDeps, 'project'>): readonly EnvironmentConfig[] {
  return deps.project?.configs ?? loadAllEnvironmentConfigs();
}

/** Why an environment lacks an optional layer. */
const WHY_NO_LAYER: Partial<Record<StackLayer, string>> = {
  baseline: 'its config owns no detective control under baseline',
  recovery: 'its config has no recovery region under recovery',
};

/** True when the environment's config gives it this layer's stack. */
export function layerExists(config: EnvironmentConfig, layer: StackLayer): boolean {
  if (layer === 'baseline') return ownsBaselineControls(config.baseline);
  if (layer === 'recovery') return config.recovery !== undefined;
  return true;
}

/** Region a layer's stack lives in: the recovery region for `recovery`, the environment's otherwise. */
export function layerRegion(config: EnvironmentConfig, layer: StackLayer): string {
  return layer === 'recovery' && config.recovery ? config.recovery.region : config.region;
}

/** The environment's layers in deploy order: all of them unless `--stacks` chose some. */
export function layersFor(config: EnvironmentConfig, asked: readonly StackLayer[] | undefined): StackLayer[] {
  const available = STACK_LAYERS.filter((layer) => layerExists(config, layer));
  if (!asked) return available;
  const refused = asked.filter((layer) => !available.includes(layer));
  if (refused.length > 0) {
    throw new Error(
      `environment "${config.name}" has no ${refused.join(', ')} stack (${refused.map((layer) => WHY_NO_LAYER[layer] ?? 'not in its config').join('; ')}).`,
    );
  }
  return available.filter((layer) => asked.includes(layer));
}

function selectors(config: EnvironmentConfig, layers: readonly StackLayer[]): string[] {
  return layers.map((layer) => `${config.name}/${layer}`);
}

function cdkEnv(deps: DeliveryDeps, config: EnvironmentConfig): Record<string, string | undefined> {
  return { ...deps.env, AWS_REGION: config.region, AWS_DEFAULT_REGION: config.region };
}

/**
 * Lets a deploy re-create an environment that `npm run destroy` removed. Destroy keeps the
 * named evidence resources (removal policy RETAIN): the WAF and RDS log groups, the backup
 * vault and the image repository, so creating them again by the same name would fail with
 * "already exists". With ImportExistingResources on the change set, CloudFormation imports
 * each such resource (static custom name, Retain deletion policy, owned by no stack) into
 * the new stack instead of creating it; resources a stack already manages are untouched,
 * so every deploy passes it and an existing environment sees no change.
 */
export function adoptRetainedResources(): string[] {
  return ['--import-existing-resources'];
}

/**
 * `npm run deploy -- --env <env> [--stacks a,b] [--image-digest sha256:...] [--context image:<workload>=<tag> ...]`;
 * resolves to the exit code.
 */
export async function deploy(argv: readonly string[], deps: DeliveryDeps): Promise<number> {
  const args = parseDeliveryArgs(argv, 'deploy', projectNames(deps));
  const config = configNamed(projectConfigs(deps), args.env);
  const layers = layersFor(config, args.stacks);
  requireLocalCredentials(config, deps.env);
  const context = appContext(args, layers, deps.env);
  const evidence = readDeployEvidence(args.evidence, {
    cwd: deps.cwd,
    repository: config.github.repository,
    environment: config.name,
    commit: deps.changeRecords.currentCommit,
  });
  const caller = await verifyAwsIdentity(config, deps.env, deps.getCallerIdentity);
  deps.log(
    `Deploying ${layers.join(' → ')} to ${config.name} (account ${config.account}, ${config.region}) as ${caller.arn}`,
  );
  const { GITHUB_SERVER_URL, GITHUB_REPOSITORY, GITHUB_RUN_ID } = deps.env;
  const render = deps.changeRecords.renderRevisionReport;
  // With a report renderer, `cdk diff` synthesizes once into this directory, the report is
  // rendered from it, and `cdk deploy --app` deploys that very assembly (no second synth).
  const assemblyDir = render ? mkdtempSync(join(tmpdir(), `citadel-${config.name}-assembly-`)) : undefined;
  return recordDeploy(
    {
      config,
      stackNames: layers.map((layer) => `citadel-${config.name}-${layer}`),
      caller,
      evidence,
      ...(args.imageDigest ? { imageDigest: args.imageDigest } : {}),
      ...(GITHUB_SERVER_URL && GITHUB_REPOSITORY && GITHUB_RUN_ID
        ? { runUrl: `${GITHUB_SERVER_URL}/${GITHUB_REPOSITORY}/actions/runs/${GITHUB_RUN_ID}` }
        : {}),
      diff: () =>
        deps.changeRecords.captureCdk(
          [
            'diff',
            ...selectors(config, layers),
            '--exclusively',
            ...context,
            ...(assemblyDir ? ['--output', assemblyDir] : []),
          ],
          cdkEnv(deps, config),
        ),
      ...(render && assemblyDir
        ? {
            revisionReport: () =>
              render(assemblyDir, config.name, {
                commit: evidence.commit,
                renderedAt: deps.changeRecords.now(),
              }),
          }
        : {}),
      deploy: () =>
        deps.runCdk(
          [
            'deploy',
            ...(assemblyDir ? ['--app', assemblyDir] : []),
            ...selectors(config, layers),
            '--exclusively',
            '--concurrency',
            '1',
            // A person approves IAM and security-group broadening at the terminal; in CI the
            // GitHub environment's required reviewers have approved before the job started.
            '--require-approval',
            deps.env.CI === 'true' ? 'never' : 'broadening',
            ...(deps.env.CI === 'true' ? ['--ci', '--progress', 'events'] : []),
            ...adoptRetainedResources(),
            // Context shapes synthesis only: a synthesized assembly already holds it.
            ...(assemblyDir ? [] : context),
          ],
          cdkEnv(deps, config),
        ),
      log: deps.log,
      precedesRecordBucket: layers.every(
        (layer) => STACK_LAYERS.indexOf(layer) < STACK_LAYERS.indexOf('shared'),
      ),
    },
    deps.changeRecords,
  );
}

/**
 * `npm run diff -- --env <env> [--stacks a,b]` compares with the deployed stacks (credentials
 * checked first); with `--against <cloud assembly>` it compares two synthesized assemblies
 * offline instead (the pull-request diff), needing no credentials.
 */
export async function diff(argv: readonly string[], deps: DeliveryDeps): Promise<number> {
  const args = parseDeliveryArgs(argv, 'diff', projectNames(deps));
  const config = configNamed(projectConfigs(deps), args.env);
  const layers = layersFor(config, args.stacks);
  if (args.against !== undefined) return offlineDiff(args, config, layers, deps);
  await verifyAwsIdentity(config, deps.env, deps.getCallerIdentity);
  return deps.runCdk(
    ['diff', ...selectors(config, layers), '--exclusively', ...contextArguments(args.context)],
    cdkEnv(deps, config),
  );
}

async function offlineDiff(
  args: DeliveryArgs,
  config: EnvironmentConfig,
  layers: readonly StackLayer[],
  deps: DeliveryDeps,
): Promise<number> {
  const base = resolve(deps.cwd, args.against!);
  const head = resolve(deps.cwd, args.app ?? 'packages/infra/cdk.out');
  const empty = join(mkdtempSync(join(tmpdir(), 'citadel-diff-')), 'empty.template.json');
  writeFileSync(empty, '{}');
  let worst = 0;
  for (const stack of selectors(config, layers)) {
    if (!findStackTemplate(head, stack)) {
      deps.log(`${stack}: not in ${head}; skipped`);
      continue;
    }
    const before = findStackTemplate(base, stack) ?? empty;
    const code = await deps.runCdk(['diff', '--app', head, stack, '--exclusively', '--template', before], {
      ...deps.env,
      CDK_DISABLE_VERSION_CHECK: '1',
    });
    worst = Math.max(worst, code);
  }
  return worst;
}
