import { attributeOf, refOf, type IdentityScope } from './resource-identity.js';
import type { StackTemplate, StageTemplates } from './stage-templates.js';

/** An intrinsic the proof cannot turn into a concrete value; names where it sits. */
export class IntrinsicResolutionError extends Error {
  override readonly name = 'IntrinsicResolutionError';
  constructor(
    readonly stackName: string,
    readonly logicalId: string,
    readonly intrinsic: string,
    reason: string,
  ) {
    super(`${stackName}/${logicalId}: cannot resolve ${intrinsic}: ${reason}`);
  }
}

type Where = { readonly stack: StackTemplate; readonly logicalId: string };

const PSEUDO: Readonly<Record<string, (stage: StageTemplates, stack: StackTemplate) => string>> = {
  'AWS::AccountId': (stage) => stage.account,
  'AWS::Region': (stage) => stage.region,
  'AWS::Partition': (stage) => stage.partition,
  'AWS::URLSuffix': () => 'amazonaws.com',
  'AWS::StackName': (_stage, stack) => stack.stackName,
};

/**
 * Resolves CloudFormation intrinsics (`Ref`, `Fn::GetAtt`, `Fn::Join`, `Fn::Sub`,
 * `Fn::Select`, `Fn::Split`, `Fn::ImportValue`, `Fn::GetStackOutput`, pseudo parameters)
 * to the concrete values they take in one environment. Anything else fails loudly: an
 * unresolved value must never widen into a wildcard.
 */
export class IntrinsicResolver {
  constructor(readonly stage: StageTemplates) {}

  /** A stack of this stage by layer (`app`) or full stack name. */
  stack(layerOrName: string): StackTemplate | undefined {
    return this.stage.stacks.find((stack) => stack.layer === layerOrName || stack.stackName === layerOrName);
  }

  /** Resolves every intrinsic inside a value found in a resource of `stack`. */
  resolve(value: unknown, stack: StackTemplate, logicalId: string): unknown {
    return this.walk(value, { stack, logicalId });
  }

  /** Resolves a value that must end up a string. */
  resolveString(value: unknown, stack: StackTemplate, logicalId: string): string {
    const resolved = this.resolve(value, stack, logicalId);
    if (typeof resolved === 'string') return resolved;
    if (typeof resolved === 'number' || typeof resolved === 'boolean') return String(resolved);
    throw new IntrinsicResolutionError(
      stack.stackName,
      logicalId,
      'value',
      `expected a string, got ${JSON.stringify(resolved)}`,
    );
  }

  /** `Ref` of a resource or pseudo parameter. */
  ref(name: string, where: Where): string {
    const pseudo = PSEUDO[name];
    if (pseudo) return pseudo(this.stage, where.stack);
    return refOf(this.scope(name, where, 'Ref'));
  }

  /** `Fn::GetAtt` of a resource. */
  getAtt(logicalId: string, attribute: string, where: Where): string {
    return attributeOf(this.scope(logicalId, where, `Fn::GetAtt ${logicalId}.${attribute}`), attribute);
  }

  private walk(value: unknown, where: Where): unknown {
    if (Array.isArray(value)) return value.map((item) => this.walk(item, where));
    if (value === null || typeof value !== 'object') return value;
    const entries = Object.entries(value as Record<string, unknown>);
    const intrinsic = entries.length === 1 ? entries[0]! : undefined;
    if (
      intrinsic &&
      (intrinsic[0] === 'Ref' || intrinsic[0].startsWith('Fn::') || intrinsic[0] === 'Condition')
    ) {
      return this.intrinsic(intrinsic[0], intrinsic[1], where);
    }
    return Object.fromEntries(entries.map(([key, item]) => [key, this.walk(item, where)]));
  }

  private intrinsic(name: string, argument: unknown, where: Where): unknown {
    const fail = (reason: string): never => {
      throw new IntrinsicResolutionError(where.stack.stackName, where.logicalId, name, reason);
    };
    const text = (item: unknown) => {
      const resolved = this.walk(item, where);
      return typeof resolved === 'string' || typeof resolved === 'number'
        ? String(resolved)
        : fail(`expected a string, got ${JSON.stringify(resolved)}`);
    };
    switch (name) {
      case 'Ref':
        return typeof argument === 'string' ? this.ref(argument, where) : fail('Ref takes a logical id');
      case 'Fn::GetAtt': {
        const [logicalId, attribute] =
          typeof argument === 'string' ? splitOnce(argument) : (argument as unknown[]);
        if (typeof logicalId !== 'string' || typeof attribute !== 'string')
          return fail('expected [logicalId, attribute]');
        return this.getAtt(logicalId, attribute, where);
      }
      case 'Fn::Join': {
        const [delimiter, list] = asPair(argument, fail);
        const items = this.walk(list, where);
        if (typeof delimiter !== 'string' || !Array.isArray(items))
          return fail('expected [delimiter, [values]]');
        return items.map((item) => text(item)).join(delimiter);
      }
      case 'Fn::Select': {
        const [index, list] = asPair(argument, fail);
        const items = this.walk(list, where);
        const position = Number(text(index));
        if (
          !Array.isArray(items) ||
          !Number.isInteger(position) ||
          position < 0 ||
          position >= items.length
        ) {
          return fail(`index ${JSON.stringify(index)} out of range`);
        }
        return items[position];
      }
      case 'Fn::Split': {
        const [delimiter, source] = asPair(argument, fail);
        if (typeof delimiter !== 'string' || delimiter === '') return fail('expected a non-empty delimiter');
        return text(source).split(delimiter);
      }
      case 'Fn::Sub':
        return this.sub(argument, where, fail);
      case 'Fn::GetStackOutput':
        return this.stackOutput(argument as Record<string, unknown>, where, fail);
      case 'Fn::ImportValue':
        return this.importValue(text(argument), fail);
      default:
        return fail('not supported by the access proof');
    }
  }

  private sub(argument: unknown, where: Where, fail: (reason: string) => never): string {
    const [template, variables] = typeof argument === 'string' ? [argument, {}] : asPair(argument, fail);
    if (typeof template !== 'string' || typeof variables !== 'object' || variables === null) {
      return fail('expected a string or [string, {variables}]');
    }
    const values = variables as Record<string, unknown>;
    return template.replace(/\$\{([^}!][^}]*)\}/g, (_match, name: string) => {
      if (name in values) return this.resolveString(values[name], where.stack, where.logicalId);
      if (name in PSEUDO) return this.ref(name, where);
      const [logicalId, attribute] = splitOnce(name);
      return attribute ? this.getAtt(logicalId!, attribute, where) : this.ref(name, where);
    });
  }

  private stackOutput(
    argument: Record<string, unknown>,
    where: Where,
    fail: (reason: string) => never,
  ): unknown {
    const { StackName, OutputName, Region } = argument ?? {};
    if (typeof StackName !== 'string' || typeof OutputName !== 'string')
      return fail('expected StackName and OutputName');
    if (Region !== undefined && Region !== this.stage.region)
      return fail(`output of another region (${String(Region)})`);
    const producer =
      this.stack(StackName) ?? fail(`no stack named ${StackName} in stage ${this.stage.environment}`);
    const output = producer.outputs[OutputName] ?? fail(`stack ${StackName} has no output ${OutputName}`);
    return this.walk(output.Value, { stack: producer, logicalId: OutputName });
  }

  private importValue(exportName: string, fail: (reason: string) => never): unknown {
    for (const stack of this.stage.stacks) {
      for (const [outputName, output] of Object.entries(stack.outputs)) {
        if (output.Export?.Name === undefined) continue;
        if (this.resolveString(output.Export.Name, stack, outputName) === exportName) {
          return this.walk(output.Value, { stack, logicalId: outputName });
        }
      }
    }
    return fail(`no stack of stage ${this.stage.environment} exports ${exportName}`);
  }

  private scope(logicalId: string, where: Where, intrinsic: string): IdentityScope {
    const resource = where.stack.resources[logicalId];
    if (!resource) {
      throw new IntrinsicResolutionError(
        where.stack.stackName,
        where.logicalId,
        intrinsic,
        `no resource ${logicalId} in the stack`,
      );
    }
    const owner: Where = { stack: where.stack, logicalId };
    return {
      stack: where.stack,
      logicalId,
      resource,
      account: this.stage.account,
      region: this.stage.region,
      partition: this.stage.partition,
      property: (name) => {
        const value = resource.Properties?.[name];
        return value === undefined ? undefined : this.resolveString(value, where.stack, logicalId);
      },
      fail: (failed, reason) => {
        throw new IntrinsicResolutionError(owner.stack.stackName, owner.logicalId, failed, reason);
      },
    };
  }
}

function splitOnce(text: string): [string, string | undefined] {
  const dot = text.indexOf('.');
  return dot < 0 ? [text, undefined] : [text.slice(0, dot), text.slice(dot + 1)];
}

function asPair(argument: unknown, fail: (reason: string) => never): [unknown, unknown] {
  if (!Array.isArray(argument) || argument.length !== 2) return fail('expected a list of two');
  return [argument[0], argument[1]];
}
