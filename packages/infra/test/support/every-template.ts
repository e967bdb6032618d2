import { Stack } from 'aws-cdk-lib';
import type { Template } from 'aws-cdk-lib/assertions';
import { STACK_LAYERS, type StackLayer } from '../../lib/stacks/citadel-stack.js';
import type { SynthesizedApp } from './synthesized-app.js';

export interface EnvironmentTemplate {
  readonly environment: string;
  readonly layer: StackLayer;
  readonly template: Template;
}

/** The template of every stack of every environment in the app. */
export function everyTemplate(app: SynthesizedApp): EnvironmentTemplate[] {
  return app.stages.flatMap((stage) =>
    STACK_LAYERS.filter((layer) => Stack.isStack(stage.node.tryFindChild(layer))).map((layer) => ({
      environment: stage.stageName,
      layer,
      template: app.template(stage.stageName, layer),
    })),
  );
}
