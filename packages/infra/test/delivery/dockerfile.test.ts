import { Template } from 'aws-cdk-lib/assertions';
import { describe, expect, it } from 'vitest';
import { API_CONTAINER_USER, ApiService } from '../../lib/constructs/api-service.js';
import { apiServiceProps, workloadFixture } from '../support/workload-fixture.js';
import {
  contextSources,
  lintDockerfile,
  runsAsNumericNonRoot,
  secretLookingVariables,
  stagesOf,
  unpinnedBaseImages,
  unwritableMountPaths,
} from './dockerfile-rules.js';
import { readRepoFile } from './repo.js';

const dockerfile = readRepoFile('packages/api/Dockerfile');
const stages = stagesOf(dockerfile);
const runtime = stages.at(-1)!;

/** Container paths the API's synthesized task definition mounts volumes at. */
function apiMountPaths(): string[] {
  const fixture = workloadFixture();
  new ApiService(fixture.stack, 'Api', apiServiceProps(fixture));
  const definitions = Object.values(
    Template.fromStack(fixture.stack).findResources('AWS::ECS::TaskDefinition'),
  );
  return definitions.flatMap((definition) =>
    (definition.Properties.ContainerDefinitions as { MountPoints?: { ContainerPath: string }[] }[]).flatMap(
      (container) => (container.MountPoints ?? []).map((mount) => mount.ContainerPath),
    ),
  );
}

describe('packages/api/Dockerfile', () => {
  it('passes the Dockerfile linter with no finding', () => {
    expect(lintDockerfile(dockerfile)).toEqual([]);
  });

  it('builds in a separate stage from the runtime stage', () => {
    expect(stages.map((s) => s.name)).toEqual(['build', 'runtime']);
  });

  it('pins every base image by digest', () => {
    expect(unpinnedBaseImages(stages)).toEqual([]);
  });

  it('runs on a distroless Node.js 22 or newer base', () => {
    const major = /^gcr\.io\/distroless\/nodejs(\d+)-debian\d+:nonroot@/.exec(runtime.image)?.[1];
    expect(Number(major)).toBeGreaterThanOrEqual(22);
  });

  it('runs as a numeric non-root user', () => {
    expect(runsAsNumericNonRoot(runtime)).toBe(true);
  });

  it('runs as the same user the ECS task definition sets', () => {
    const user = runtime.instructions.filter((i) => i.getKeyword() === 'USER').at(-1);
    expect(user?.getArgumentsContent()).toBe(API_CONTAINER_USER);
  });

  it('installs from the lockfile with npm ci', () => {
    const runs = stages[0]!.instructions
      .filter((i) => i.getKeyword() === 'RUN')
      .map((i) => i.getTextContent());
    expect(runs.some((run) => /\bnpm ci\b/.test(run))).toBe(true);
    expect(runs.some((run) => /\bnpm install\b/.test(run))).toBe(false);
  });

  it('bundles the server and the jobs entries for Node 22 with one esbuild run', () => {
    const bundles = stages[0]!.instructions.filter((i) => i.getTextContent().includes('esbuild'));
    expect(bundles).toHaveLength(1);
    const bundle = bundles[0]!.getTextContent();
    expect(bundle).toContain('"server=packages/api/src/server.ts"');
    expect(bundle).toContain('"jobs=packages/api/src/jobs/run-job.ts"');
    expect(bundle).toContain('"--outdir=/out"');
    expect(bundle).toContain('--platform=node');
    expect(bundle).toContain('--target=node22');
  });

  it('gives the runtime user every path the task definition mounts, as a VOLUME', () => {
    // Prepare
    const mountPaths = apiMountPaths();

    // Act
    const problems = unwritableMountPaths(stages, mountPaths);

    // Assess
    expect(mountPaths).toContain('/tmp');
    expect(problems).toEqual([]);
  }, 120_000);

  it('copies only the bundle and empty runtime directories into the runtime stage, never sources or node_modules', () => {
    const copies = runtime.instructions
      .filter((i) => i.getKeyword() === 'COPY')
      .map((i) => i.getTextContent());
    expect(copies).toEqual([
      expect.stringMatching(/^COPY --from=build .* \/out\/ \/app\/$/),
      expect.stringMatching(/^COPY --from=build --chown=65532:65532 \/runtime-dirs\/ \/$/),
    ]);
    expect(contextSources(runtime)).toEqual([
      'https://truststore.pki.rds.amazonaws.com/global/global-bundle.pem',
    ]);
  });

  it('adds the RDS CA bundle readable by the non-root user and points the API at it', () => {
    const add = runtime.instructions.find((i) => i.getKeyword() === 'ADD')!.getTextContent();
    expect(add).toMatch(
      /--chmod=0444 https:\/\/truststore\.pki\.rds\.amazonaws\.com\/global\/global-bundle\.pem /,
    );
    expect(dockerfile).toMatch(/DB_CA_BUNDLE_PATH=\/etc\/ssl\/certs\/rds-global-bundle\.pem/);
  });

  it('puts node on PATH for the container health check', () => {
    expect(dockerfile).toMatch(/PATH=\/nodejs\/bin:/);
  });

  it('carries no secret-looking build argument or environment variable', () => {
    expect(secretLookingVariables(dockerfile)).toEqual([]);
  });

  it('keeps secrets and local state out of the build context', () => {
    const ignore = readRepoFile('.dockerignore').split('\n');
    expect(ignore[ignore.findIndex((line) => !line.startsWith('#'))]).toBe('**');
    expect(ignore).toEqual(expect.arrayContaining(['**/node_modules', '**/.env', '**/.env.*']));
  });
});

describe('Dockerfile rules', () => {
  const bad = [
    'FROM node:22 AS build',
    'ARG NPM_TOKEN',
    'ENV DB_PASSWORD=example',
    'FROM build',
    'COPY . /app',
    'USER node',
    'MAINTAINER someone',
    '',
  ].join('\n');
  const badStages = stagesOf(bad);

  it('fails when a base image is pinned by tag only', () => {
    expect(unpinnedBaseImages(badStages)).toEqual(['node:22']);
  });

  it('fails when the user is a name rather than a numeric id', () => {
    expect(runsAsNumericNonRoot(badStages.at(-1)!)).toBe(false);
  });

  it.each(['USER 0', 'USER 65532:0', ''])('fails when the runtime user is root (%j)', (user) => {
    expect(runsAsNumericNonRoot(stagesOf(`FROM scratch\n${user}\n`)[0]!)).toBe(false);
  });

  it('fails when a build argument or variable looks like a secret', () => {
    expect(secretLookingVariables(bad)).toEqual(['NPM_TOKEN', 'DB_PASSWORD']);
  });

  it('fails when the build context is copied into the runtime stage', () => {
    expect(contextSources(badStages.at(-1)!)).toEqual(['.']);
  });

  const BUILD = 'FROM node:22 AS build\nRUN install -d -o 65532 -g 65532 -m 0700 /dirs/tmp\nFROM scratch\n';
  const PROBLEM = '/tmp: not copied in with --chown=65532:65532, from a parent directory, before its VOLUME';
  it.each([
    [
      'is not declared as a VOLUME',
      'USER 65532:65532',
      '/tmp: not declared as a VOLUME, so the mount is owned by root',
    ],
    ['is declared but owned by root', 'COPY --from=build /dirs/ /\nVOLUME /tmp\nUSER 65532:65532', PROBLEM],
    [
      'is owned by another user',
      'COPY --from=build --chown=1000:1000 /dirs/ /\nVOLUME /tmp\nUSER 65532:65532',
      PROBLEM,
    ],
    [
      'is copied onto itself, which keeps the owner of the existing directory',
      'COPY --from=build --chown=65532:65532 /dirs/tmp/ /tmp/\nVOLUME /tmp\nUSER 65532:65532',
      PROBLEM,
    ],
    [
      'is not created by the build stage',
      'COPY --from=build --chown=65532:65532 /other/ /\nVOLUME /tmp\nUSER 65532:65532',
      PROBLEM,
    ],
    [
      'is copied in only after its VOLUME',
      'VOLUME ["/tmp"]\nCOPY --from=build --chown=65532:65532 /dirs/ /\nUSER 65532:65532',
      PROBLEM,
    ],
    ['has no runtime user', 'VOLUME /tmp', '/tmp: the stage sets no USER to own it'],
  ])('fails when a mounted path %s', (_case, runtimeLines, problem) => {
    expect(unwritableMountPaths(stagesOf(`${BUILD}${runtimeLines}\n`), ['/tmp'])).toEqual([problem]);
  });

  it('accepts a mounted path copied in owned by the runtime user and then declared a VOLUME', () => {
    const text = `${BUILD}COPY --from=build --chown=65532:65532 /dirs/ /\nVOLUME ["/tmp/"]\nUSER 65532:65532\n`;
    expect(unwritableMountPaths(stagesOf(text), ['/tmp'])).toEqual([]);
  });

  it('fails the lint on a deprecated instruction', () => {
    expect(lintDockerfile(bad)).toEqual([expect.stringContaining('MAINTAINER has been deprecated')]);
  });
});
