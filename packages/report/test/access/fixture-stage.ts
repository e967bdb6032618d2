import type { StackTemplate, StageTemplates, TemplateResource } from '../../src/access/index.js';

/** A stack of the fixture environment `test` (account 111111111111, eu-west-1). */
export function fixtureStack(
  layer: string,
  resources: Record<string, TemplateResource>,
  outputs: StackTemplate['outputs'] = {},
): StackTemplate {
  return { stackName: `citadel-test-${layer}`, layer, resources, outputs };
}

/** A fixture environment made of the given stacks. */
export function fixtureStage(...stacks: StackTemplate[]): StageTemplates {
  return {
    environment: 'test',
    account: '111111111111',
    region: 'eu-west-1',
    partition: 'aws',
    stacks,
  };
}

export const statement = (fields: Record<string, unknown>) => ({
  Version: '2012-10-17',
  Statement: [fields],
});
