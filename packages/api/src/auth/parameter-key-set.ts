import { GetParameterCommand, type GetParameterCommandOutput } from '@aws-sdk/client-ssm';
import type { JSONWebKeySet } from 'jose';
import { parsePublicKeySet } from './public-key-set.js';

/** The one Parameter Store call the API makes; `SSMClient` satisfies it. */
export interface ParameterReader {
  send(command: GetParameterCommand): Promise<GetParameterCommandOutput>;
}

/** The key parameter could not be read or does not hold a set of public keys. */
export class KeyParameterError extends Error {
  override readonly name = 'KeyParameterError';
}

/**
 * Reads the identity provider's public keys from the SSM parameter the key mirror writes.
 * `{"keys":[]}` (the value before the mirror's first run) is returned as an empty set.
 */
export async function readParameterKeySet(ssm: ParameterReader, name: string): Promise<JSONWebKeySet> {
  let output: GetParameterCommandOutput;
  try {
    output = await ssm.send(new GetParameterCommand({ Name: name }));
  } catch (error) {
    throw new KeyParameterError(`ssm:GetParameter on ${name} failed`, { cause: error });
  }
  const keySet = parsePublicKeySet(output.Parameter?.Value ?? '', { allowEmpty: true });
  if (!keySet) {
    throw new KeyParameterError(`parameter ${name} does not hold a JSON Web Key Set of public keys`);
  }
  return keySet;
}
