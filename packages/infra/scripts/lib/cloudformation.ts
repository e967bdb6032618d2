import { AwsCliError, type RunAws } from './aws-cli.js';

/** One stack as `aws cloudformation describe-stacks` returns it (the fields the scripts read). */
export interface StackDescription {
  readonly StackName: string;
  readonly StackStatus: string;
  readonly StackStatusReason?: string;
  readonly EnableTerminationProtection?: boolean;
  readonly Parameters?: readonly { readonly ParameterKey: string; readonly ParameterValue?: string }[];
  readonly Outputs?: readonly { readonly OutputKey: string; readonly OutputValue: string }[];
}

const DOES_NOT_EXIST = /\(ValidationError\).*Stack with id \S+ does not exist/;

/** The stack named `stackName` in `region`, or undefined when CloudFormation has no such stack. */
export async function describeStack(
  runAws: RunAws,
  stackName: string,
  region: string,
  env: Readonly<Record<string, string | undefined>>,
): Promise<StackDescription | undefined> {
  const args = ['cloudformation', 'describe-stacks', '--stack-name', stackName, '--region', region];
  const result = await runAws(args, env);
  if (result.code !== 0) {
    if (DOES_NOT_EXIST.test(result.stderr)) return undefined;
    throw new AwsCliError(args, result);
  }
  const { Stacks } = JSON.parse(result.stdout) as { Stacks?: StackDescription[] };
  return Stacks?.[0];
}

/** The value of a stack output, or undefined. */
export function stackOutput(stack: StackDescription, key: string): string | undefined {
  return stack.Outputs?.find((output) => output.OutputKey === key)?.OutputValue;
}

/** The value of a stack parameter, or undefined. */
export function stackParameter(stack: StackDescription, key: string): string | undefined {
  return stack.Parameters?.find((parameter) => parameter.ParameterKey === key)?.ParameterValue;
}
