import type { Template } from 'aws-cdk-lib/assertions';

export type Resource = { Type: string; Properties?: Record<string, unknown> } & Record<string, unknown>;
export type Resources = Record<string, Resource>;

/** Resources of one type in a template, by logical id. */
export function resourcesOf(template: Template, type: string): Resources {
  return template.findResources(type) as Resources;
}

/** The one resource of a type; fails the test when there is not exactly one. */
export function onlyResource(template: Template, type: string): [logicalId: string, resource: Resource] {
  const entries = Object.entries(resourcesOf(template, type));
  if (entries.length !== 1) throw new Error(`expected exactly one ${type}, found ${entries.length}`);
  return entries[0] as [string, Resource];
}

/**
 * Follows a cross-stack reference (`Fn::GetStackOutput` or `Fn::ImportValue` of a CDK
 * export) into the producing template and returns the exported value.
 */
export function exportedValue(reference: unknown, producer: Template): unknown {
  const outputs = (producer.toJSON().Outputs ?? {}) as Record<
    string,
    { Value: unknown; Export?: { Name?: unknown } }
  >;
  const record = reference as Record<string, unknown>;
  const stackOutput = record['Fn::GetStackOutput'] as { OutputName?: string } | undefined;
  if (stackOutput?.OutputName) return outputs[stackOutput.OutputName]?.Value;
  const importName = record['Fn::ImportValue'];
  if (importName !== undefined) {
    return Object.values(outputs).find(
      (output) => JSON.stringify(output.Export?.Name) === JSON.stringify(importName),
    )?.Value;
  }
  return undefined;
}
