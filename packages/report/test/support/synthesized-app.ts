import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { buildCitadelApp, type CitadelApp } from '@citadel/infra';
import { Stack } from 'aws-cdk-lib';
import { Template } from 'aws-cdk-lib/assertions';

type CitadelStage = CitadelApp['stages'][number];

export interface SynthesizedApp extends CitadelApp {
  stage(environment: string): CitadelStage;
  /** Template of one stack, by environment name and layer (`network`, `app`, `monitoring`, …). */
  template(environment: string, layer: string): Template;
}

let cached: SynthesizedApp | undefined;

/**
 * Builds and synthesizes every environment with every rule pack, once per test process
 * (each Vitest file runs in its own process), as `npm run synth` does. Synth throws when
 * a rule-pack finding is not acknowledged, so every caller also checks that.
 */
export function synthesizedApp(): SynthesizedApp {
  if (cached) return cached;
  const outdir = mkdtempSync(join(tmpdir(), 'citadel-report-synth-'));
  process.once('exit', () => rmSync(outdir, { recursive: true, force: true }));
  const built = buildCitadelApp({ outdir });
  built.app.synth();
  const templates = new Map<string, Template>();
  const stage = (environment: string): CitadelStage => {
    const found = built.stages.find((candidate) => candidate.stageName === environment);
    if (!found) throw new Error(`No stage named ${environment}`);
    return found;
  };
  cached = {
    ...built,
    stage,
    template(environment, layer) {
      const key = `${environment}/${layer}`;
      let template = templates.get(key);
      if (!template) {
        const stack = stage(environment).node.tryFindChild(layer);
        if (!Stack.isStack(stack)) throw new Error(`Stage ${environment} has no ${layer} stack`);
        const artifact = stage(environment).synth().getStackArtifact(stack.artifactId);
        template = Template.fromJSON(artifact.template as Record<string, unknown>);
        templates.set(key, template);
      }
      return template;
    },
  };
  return cached;
}
