import {
  GetParameterCommand,
  PutParameterCommand,
  type GetParameterCommandOutput,
  type PutParameterCommandOutput,
} from '@aws-sdk/client-ssm';
import { ParameterStoreError } from '../errors.js';

/** The two Parameter Store calls the mirror makes; `SSMClient` satisfies it. */
export interface ParameterStore {
  send(command: GetParameterCommand): Promise<GetParameterCommandOutput>;
  send(command: PutParameterCommand): Promise<PutParameterCommandOutput>;
}

/** The parameter's current value, or null when it does not exist yet. */
export async function readParameter(ssm: ParameterStore, name: string): Promise<string | null> {
  try {
    const output = await ssm.send(new GetParameterCommand({ Name: name }));
    return output.Parameter?.Value ?? null;
  } catch (error) {
    if ((error as { name?: unknown }).name === 'ParameterNotFound') return null;
    throw new ParameterStoreError(`ssm:GetParameter on ${name} failed`, { cause: error });
  }
}

/** Replaces the parameter's value; it stays a standard-tier String. */
export async function writeParameter(ssm: ParameterStore, name: string, value: string): Promise<void> {
  try {
    await ssm.send(
      new PutParameterCommand({
        Name: name,
        Value: value,
        Type: 'String',
        Tier: 'Standard',
        Overwrite: true,
      }),
    );
  } catch (error) {
    throw new ParameterStoreError(`ssm:PutParameter on ${name} failed`, { cause: error });
  }
}
