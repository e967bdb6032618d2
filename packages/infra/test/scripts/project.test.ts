import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CITADEL_APPLICATION } from '../../config/workloads.js';
import { ENVIRONMENT_NAMES } from '../../config/index.js';
import { loadProject, ProjectError, projectEnvironment } from '../../lib/project.js';

const ORDERS_APPLICATION = fileURLToPath(new URL('./fixtures/orders-application.ts', import.meta.url));
const ORDERS_ENVIRONMENTS = fileURLToPath(
  new URL('../../../../examples/orders/environments', import.meta.url),
);
const REPO = fileURLToPath(new URL('../../../../', import.meta.url));
const NO_CDK_JSON = {};

let scratch: string;

beforeAll(() => {
  scratch = mkdtempSync(join(tmpdir(), 'citadel-project-'));
  writeFileSync(join(scratch, 'named-only.mjs'), 'export const application = { workloads: [] };\n');
  writeFileSync(join(scratch, 'invalid.mjs'), "export default { workloads: 'orders-api' };\n");
  writeFileSync(join(scratch, 'throws.mjs'), "throw new Error('cannot start');\n");
  mkdirSync(join(scratch, 'no-environments'));
});

afterAll(() => rmSync(scratch, { recursive: true, force: true }));

describe('loadProject', () => {
  it("builds Citadel's own application and environments when nothing is set", async () => {
    const project = await loadProject({}, { cdkContext: NO_CDK_JSON });
    expect(project.application).toBe(CITADEL_APPLICATION);
    expect(project.configs.map((config) => config.name)).toEqual([...ENVIRONMENT_NAMES]);
    expect(project.applicationPath).toBeUndefined();
  });

  it("gives the orders team's workloads and its staging and prod environments from the example's paths", async () => {
    const project = await loadProject(
      { CITADEL_APPLICATION: ORDERS_APPLICATION, CITADEL_ENVIRONMENTS: ORDERS_ENVIRONMENTS },
      { cdkContext: NO_CDK_JSON },
    );
    const names = project.application.workloads.map((workload) => workload.name);
    expect(names).toEqual(
      expect.arrayContaining(['orders-api', 'orders-fulfilment', 'orders-nightly-report']),
    );
    expect(project.configs.map((config) => config.name)).toEqual(['prod', 'staging']);
    expect(project.configs.map((config) => config.account)).toEqual(['555555555555', '444444444444']);
  });

  it('resolves relative paths from the directory given, and hands children absolute ones', async () => {
    const project = await loadProject(
      {
        CITADEL_APPLICATION: relative(REPO, ORDERS_APPLICATION),
        CITADEL_ENVIRONMENTS: relative(REPO, ORDERS_ENVIRONMENTS),
      },
      { cwd: REPO, cdkContext: NO_CDK_JSON },
    );
    expect(projectEnvironment(project)).toEqual({
      CITADEL_APPLICATION: ORDERS_APPLICATION,
      CITADEL_ENVIRONMENTS: ORDERS_ENVIRONMENTS,
    });
  });

  it('reads the settings from cdk.json context when the environment does not set them', async () => {
    const project = await loadProject(
      {},
      { cdkContext: { CITADEL_APPLICATION: ORDERS_APPLICATION, CITADEL_ENVIRONMENTS: ORDERS_ENVIRONMENTS } },
    );
    expect(project.configs.map((config) => config.name)).toEqual(['prod', 'staging']);
  });

  it('takes environments from several directories separated by ":"', async () => {
    const citadel = fileURLToPath(new URL('../../config/environments', import.meta.url));
    const project = await loadProject(
      { CITADEL_ENVIRONMENTS: `${join(scratch, 'no-environments')}:${ORDERS_ENVIRONMENTS}` },
      { cdkContext: NO_CDK_JSON },
    );
    expect(project.configs.map((config) => config.name)).toEqual(['prod', 'staging']);
    expect(project.environmentDirectories).not.toContain(citadel);
  });

  it.each([
    [
      'a module that does not exist',
      () => ({ CITADEL_APPLICATION: join(scratch, 'missing.ts') }),
      'missing.ts does not exist',
    ],
    [
      'a module without a default export',
      () => ({ CITADEL_APPLICATION: join(scratch, 'named-only.mjs') }),
      'named-only.mjs has no default export',
    ],
    [
      'a module whose declaration is invalid',
      () => ({ CITADEL_APPLICATION: join(scratch, 'invalid.mjs') }),
      'invalid.mjs does not declare a valid application',
    ],
    [
      'a module that throws when loaded',
      () => ({ CITADEL_APPLICATION: join(scratch, 'throws.mjs') }),
      'throws.mjs could not be loaded: cannot start',
    ],
    ['a directory given as the application', () => ({ CITADEL_APPLICATION: scratch }), 'is a directory'],
    [
      'an environment directory that does not exist',
      () => ({ CITADEL_ENVIRONMENTS: join(scratch, 'nowhere') }),
      'nowhere does not exist',
    ],
    [
      'one missing directory among several',
      () => ({ CITADEL_ENVIRONMENTS: `${ORDERS_ENVIRONMENTS}:${join(scratch, 'gone')}` }),
      'gone does not exist',
    ],
    [
      'a file given as the environments',
      () => ({ CITADEL_ENVIRONMENTS: join(scratch, 'invalid.mjs') }),
      'is not a directory',
    ],
    [
      'a directory without environment files',
      () => ({ CITADEL_ENVIRONMENTS: join(scratch, 'no-environments') }),
      'holds no environment file',
    ],
  ])('fails for %s, naming the path', async (_, env, message) => {
    const settings = env();
    const error: unknown = await loadProject(settings, { cdkContext: NO_CDK_JSON }).catch(
      (caught: unknown) => caught,
    );
    expect(error).toBeInstanceOf(ProjectError);
    expect((error as Error).message).toContain(message);
    expect((error as Error).message).toContain(Object.keys(settings)[0]);
  });

  it('fails for a relative path that does not exist, naming where it was looked for', async () => {
    const error: unknown = await loadProject(
      { CITADEL_APPLICATION: 'teams/orders/application.ts' },
      { cwd: scratch, cdkContext: NO_CDK_JSON },
    ).catch((caught: unknown) => caught);
    expect(error).toBeInstanceOf(ProjectError);
    expect((error as Error).message).toContain(join(scratch, 'teams/orders/application.ts'));
  });
});
