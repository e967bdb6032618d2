import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { buildCitadelApp, type CitadelApp } from '@citadel/infra';

type CitadelStage = CitadelApp['stages'][number];

export interface SynthesizedApp extends CitadelApp {
  stage(environment: string): CitadelStage;
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
  cached = {
    ...built,
    stage(environment) {
      const found = built.stages.find((candidate) => candidate.stageName === environment);
      if (!found) throw new Error(`No stage named ${environment}`);
      return found;
    },
  };
  return cached;
}
