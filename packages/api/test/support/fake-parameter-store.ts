import { GetParameterCommand, type GetParameterCommandOutput } from '@aws-sdk/client-ssm';
import type { ParameterReader } from '../../src/auth/parameter-key-set.js';

/**
 * SSM Parameter Store at the AWS API boundary: answers GetParameter from a map with the
 * service's response and error shapes, and records every parameter name asked for.
 */
export class FakeParameterStore implements ParameterReader {
  readonly requested: string[] = [];
  private readonly values = new Map<string, { value: string; version: number }>();
  /** When set, every call fails with this error. */
  failWith: Error | undefined;

  constructor(initial: Readonly<Record<string, string>> = {}) {
    for (const [name, value] of Object.entries(initial)) this.put(name, value);
  }

  /** What the key mirror's PutParameter does. */
  put(name: string, value: string): void {
    this.values.set(name, { value, version: (this.values.get(name)?.version ?? 0) + 1 });
  }

  async send(command: GetParameterCommand): Promise<GetParameterCommandOutput> {
    if (!(command instanceof GetParameterCommand)) throw new Error('only GetParameter is supported');
    const name = command.input.Name ?? '';
    this.requested.push(name);
    if (this.failWith) throw this.failWith;
    const stored = this.values.get(name);
    if (!stored) {
      throw Object.assign(new Error(''), { name: 'ParameterNotFound', $metadata: { httpStatusCode: 400 } });
    }
    return {
      $metadata: { httpStatusCode: 200 },
      Parameter: {
        Name: name,
        Type: 'String',
        Value: stored.value,
        Version: stored.version,
        ARN: `arn:aws:ssm:eu-west-1:111111111111:parameter${name}`,
        DataType: 'text',
      },
    };
  }
}

/** What the SDK throws when the task role or the endpoint policy does not allow the call. */
export function accessDenied(): Error {
  return Object.assign(
    new Error(
      'User: arn:aws:sts::111111111111:assumed-role/task is not authorized to perform: ssm:GetParameter',
    ),
    { name: 'AccessDeniedException', $fault: 'client', $metadata: { httpStatusCode: 400 } },
  );
}
