import { readFileSync } from 'node:fs';
import { App, Validations, type IPolicyValidationPlugin } from 'aws-cdk-lib';
import type { IConstruct } from 'constructs';
import { loadAllEnvironmentConfigs, type EnvironmentConfig } from '../config/index.js';
import type { ApplicationDeclaration } from '../config/workloads.js';
import { CitadelStage } from './citadel-stage.js';
import { createRulePacks } from './rule-packs.js';

export interface BuildCitadelAppOptions {
  /**
   * Directory the cloud assembly is written to.
   * @default - the CLI's output directory, or a temporary directory
   */
  readonly outdir?: string;
  /**
   * Environments to build.
   * @default - every environment in config/, validated
   */
  readonly configs?: readonly EnvironmentConfig[];
  /**
   * The workloads every environment runs.
   * @default CITADEL_APPLICATION - Citadel's own API, processor and jobs
   */
  readonly application?: ApplicationDeclaration;
  /**
   * Rule packs to check every stage against.
   * @default createRulePacks - the four cdk-nag packs
   */
  readonly rulePacks?: (app: IConstruct) => IPolicyValidationPlugin[];
}

export interface CitadelApp {
  readonly app: App;
  readonly stages: readonly CitadelStage[];
}

/** Feature flags and settings from cdk.json, so tests and scripts build exactly what the CLI builds. */
export function readCdkContext(): Record<string, unknown> {
  const cdkJson = JSON.parse(readFileSync(new URL('../cdk.json', import.meta.url), 'utf8')) as {
    context?: Record<string, unknown>;
  };
  return cdkJson.context ?? {};
}

/**
 * Builds the Citadel app: one stage per environment, all checked by the rule packs.
 * An unacknowledged finding fails `app.synth()`.
 */
export function buildCitadelApp(options: BuildCitadelAppOptions = {}): CitadelApp {
  const configs = options.configs ?? loadAllEnvironmentConfigs();
  const app = new App({
    ...(options.outdir ? { outdir: options.outdir } : {}),
    context: readCdkContext(),
    // Applied after the CLI's context: the app itself fails synth on an unacknowledged
    // finding, whichever CLI runs it, instead of leaving the report to the CLI.
    postCliContext: { '@aws-cdk/core:failSynthOnValidationErrors': true },
  });
  const stages = configs.map(
    (config) =>
      new CitadelStage(app, { config, ...(options.application ? { application: options.application } : {}) }),
  );
  Validations.of(app).addPlugins(...(options.rulePacks ?? createRulePacks)(app));
  return { app, stages };
}
