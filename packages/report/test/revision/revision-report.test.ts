import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { Stack } from 'aws-cdk-lib';
import { describe, expect, it } from 'vitest';
import {
  RevisionReportError,
  renderRevisionReport,
  type RevisionReportData,
} from '../../src/revision/revision-report.js';
import { synthesizedApp } from '../support/synthesized-app.js';

const COMMIT = '3f6c2b1e9a0d4c7b8e5f1a2d3c4b5a6978695a4b';
const RENDERED_AT = new Date('2026-11-30T09:30:02.000Z');

describe('renderRevisionReport', () => {
  const app = synthesizedApp();
  const assemblyDir = app.app.outdir;

  it('reports every stack of the environment with the SHA-256 of the template file deployed', async () => {
    // Act
    const report = await renderRevisionReport(assemblyDir, 'dev', {
      commit: COMMIT,
      renderedAt: RENDERED_AT,
    });

    // Assess
    const data = JSON.parse(report.json) as RevisionReportData;
    const stage = app.stage('dev');
    const stageAssembly = stage.synth();
    const expected = stage.node.children.filter(Stack.isStack).map((stack) => {
      const artifact = stageAssembly.getStackArtifact(stack.artifactId);
      const file = readFileSync(join(stageAssembly.directory, artifact.templateFile));
      return { name: stack.stackName, sha256: createHash('sha256').update(file).digest('hex') };
    });
    expect(
      data.stacks
        .map((stack) => ({ name: stack.name, sha256: stack.templateSha256 }))
        .sort((a, b) => a.name.localeCompare(b.name)),
    ).toEqual(expected.sort((a, b) => a.name.localeCompare(b.name)));
    expect(data).toMatchObject({ environment: 'dev', commit: COMMIT, renderedAt: RENDERED_AT.toISOString() });
    expect(data.resourceTypes['AWS::RDS::DBInstance']).toBe(1);
  }, 300_000);

  it('judges the access proof on the deployed templates, every row as required', async () => {
    const report = await renderRevisionReport(assemblyDir, 'dev', {
      commit: COMMIT,
      renderedAt: RENDERED_AT,
    });

    const data = JSON.parse(report.json) as RevisionReportData;
    expect(data.access.counts.notAsRequired).toBe(0);
    expect(data.access.counts.allowed).toBeGreaterThan(0);
    expect(report.markdown).toContain(`# Revision report: dev at ${COMMIT}`);
    expect(report.markdown).toContain(`${data.access.counts.allowed} allowed`);
    expect(report.markdown).toContain(data.stacks[0]!.templateSha256);
  }, 300_000);

  it('fails naming the assembly when the environment is not in it', async () => {
    await expect(
      renderRevisionReport(assemblyDir, 'staging', { commit: COMMIT, renderedAt: RENDERED_AT }),
    ).rejects.toThrow(RevisionReportError);
    await expect(
      renderRevisionReport(assemblyDir, 'staging', { commit: COMMIT, renderedAt: RENDERED_AT }),
    ).rejects.toThrow(`the cloud assembly ${assemblyDir} has no stage "staging"`);
  });
});
