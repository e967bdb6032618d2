import { CfnResource, Stack, type Stage } from 'aws-cdk-lib';
import type { CloudAssembly } from 'aws-cdk-lib/cx-api';

type Json = Record<string, unknown>;

/** One CloudFormation resource of a synthesized environment. */
export interface TemplateResource {
  /** `<stack name>/<logical id>`, unique within the environment. */
  readonly key: string;
  readonly stackName: string;
  readonly logicalId: string;
  readonly type: string;
  readonly properties: Json;
  /** Construct path (`dev/data/Postgres/Resource`), or the key when no construct is found. */
  readonly path: string;
}

interface StackTemplate {
  readonly stackName: string;
  readonly resources: Record<string, Json>;
  readonly outputs: Record<string, Json>;
}

/**
 * The synthesized templates of one environment (stage), indexed so references can be
 * followed across stacks: `Ref`, `Fn::GetAtt`, `Fn::ImportValue` and `Fn::GetStackOutput`.
 */
export class TemplateIndex {
  readonly resources: readonly TemplateResource[];
  private readonly byKey = new Map<string, TemplateResource>();
  private readonly stacks = new Map<string, StackTemplate>();
  private readonly exports = new Map<string, { stackName: string; value: unknown }>();

  constructor(assembly: CloudAssembly, stage: Stage) {
    const paths = constructPaths(stage);
    const resources: TemplateResource[] = [];
    for (const artifact of assembly.stacksRecursively) {
      if (!artifact.hierarchicalId.startsWith(`${stage.stageName}/`)) continue;
      const template = artifact.template as {
        Resources?: Record<string, Json>;
        Outputs?: Record<string, Json>;
      };
      const stack: StackTemplate = {
        stackName: artifact.stackName,
        resources: template.Resources ?? {},
        outputs: template.Outputs ?? {},
      };
      this.stacks.set(stack.stackName, stack);
      for (const output of Object.values(stack.outputs)) {
        const name = (output.Export as Json | undefined)?.Name;
        if (typeof name === 'string')
          this.exports.set(name, { stackName: stack.stackName, value: output.Value });
      }
      for (const [logicalId, resource] of Object.entries(stack.resources)) {
        const key = `${stack.stackName}/${logicalId}`;
        resources.push({
          key,
          stackName: stack.stackName,
          logicalId,
          type: String(resource.Type),
          properties: (resource.Properties ?? {}) as Json,
          path: paths.get(key) ?? key,
        });
      }
    }
    this.resources = resources;
    for (const resource of resources) this.byKey.set(resource.key, resource);
  }

  /** Every resource of one CloudFormation type. */
  ofType(type: string): TemplateResource[] {
    return this.resources.filter((resource) => resource.type === type);
  }

  /** The resource a reference in `from`'s template points at, following cross-stack outputs. */
  resolve(value: unknown, from: TemplateResource | string): TemplateResource | undefined {
    const stackName = typeof from === 'string' ? from : from.stackName;
    if (value === null || typeof value !== 'object') return undefined;
    const record = value as Json;
    if (typeof record.Ref === 'string') return this.byKey.get(`${stackName}/${record.Ref}`);
    const getAtt = record['Fn::GetAtt'];
    if (Array.isArray(getAtt) && typeof getAtt[0] === 'string')
      return this.byKey.get(`${stackName}/${getAtt[0]}`);
    const imported = record['Fn::ImportValue'];
    if (typeof imported === 'string') {
      const exported = this.exports.get(imported);
      return exported ? this.resolve(exported.value, exported.stackName) : undefined;
    }
    const stackOutput = record['Fn::GetStackOutput'] as Json | undefined;
    if (
      stackOutput &&
      typeof stackOutput.StackName === 'string' &&
      typeof stackOutput.OutputName === 'string'
    ) {
      const output = this.stacks.get(stackOutput.StackName)?.outputs[stackOutput.OutputName];
      return output ? this.resolve(output.Value, stackOutput.StackName) : undefined;
    }
    const join = record['Fn::Join'];
    if (Array.isArray(join) && Array.isArray(join[1])) {
      for (const part of join[1] as unknown[]) {
        const found = this.resolve(part, stackName);
        if (found) return found;
      }
    }
    const sub = record['Fn::Sub'];
    if (Array.isArray(sub) && sub[1] !== null && typeof sub[1] === 'object') {
      for (const part of Object.values(sub[1] as Json)) {
        const found = this.resolve(part, stackName);
        if (found) return found;
      }
    }
    return undefined;
  }

  /** Resolves each element of a list (or a single value) to the resources it references. */
  resolveAll(value: unknown, from: TemplateResource): TemplateResource[] {
    const values = Array.isArray(value) ? value : [value];
    return values.map((item) => this.resolve(item, from)).filter((item): item is TemplateResource => !!item);
  }
}

function constructPaths(stage: Stage): Map<string, string> {
  const paths = new Map<string, string>();
  for (const construct of stage.node.findAll()) {
    if (!CfnResource.isCfnResource(construct)) continue;
    const stack = Stack.of(construct);
    paths.set(`${stack.stackName}/${String(stack.resolve(construct.logicalId))}`, construct.node.path);
  }
  return paths;
}
