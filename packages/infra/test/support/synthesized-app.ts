import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Stack } from 'aws-cdk-lib';
import { Template } from 'aws-cdk-lib/assertions';
import { buildCitadelApp, type CitadelApp } from '../../lib/citadel-app.js';
import type { CitadelStage } from '../../lib/citadel-stage.js';
import type { StackLayer } from '../../lib/stacks/citadel-stack.js';

export interface SynthesizedApp extends CitadelApp {
  /** Milliseconds the build and synth of every environment took. */
  readonly synthMs: number;
  /** Template of one stack, by environment name and layer. */
  template(environment: string, layer: StackLayer): Template;
  stage(environment: string): CitadelStage;
}

let cached: SynthesizedApp | undefined;

/**
 * Builds and synthesizes every environment with every rule pack, once per test process
 * (each Vitest file runs in its own process), and hands out parsed templates. Synth
 * throws when a rule-pack finding is not acknowledged, so every caller also checks that.
 */
export function synthesizedApp(): SynthesizedApp {
  if (cached) return cached;
  const outdir = mkdtempSync(join(tmpdir(), 'citadel-synth-'));
  process.once('exit', () => rmSync(outdir, { recursive: true, force: true }));
  const started = performance.now();
  const built = buildCitadelApp({ outdir });
  built.app.synth();
  const synthMs = performance.now() - started;
  const templates = new Map<string, Template>();
  const stage = (environment: string): CitadelStage => {
    const found = built.stages.find((candidate) => candidate.stageName === environment);
    if (!found) throw new Error(`No stage named ${environment}`);
    return found;
  };
  cached = {
    ...built,
    synthMs,
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
