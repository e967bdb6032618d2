import {
  GetParameterCommand,
  PutParameterCommand,
  type GetParameterCommandOutput,
  type PutParameterCommandOutput,
} from '@aws-sdk/client-ssm';
import type { ParameterStore } from '../../src/jwks-mirror/key-set-parameter.js';

const STANDARD_TIER_MAX_BYTES = 4096;

function awsError(name: string, message: string, httpStatusCode = 400): Error {
  return Object.assign(new Error(message), { name, $fault: 'client', $metadata: { httpStatusCode } });
}

/**
 * SSM Parameter Store at the AWS API boundary: answers GetParameter and PutParameter from a
 * map with the service's response and error shapes, and records every call.
 */
export class FakeParameterStore implements ParameterStore {
  readonly calls: (GetParameterCommand | PutParameterCommand)[] = [];
  readonly values = new Map<string, { value: string; version: number }>();
  /** When set, every call fails with this error. */
  failWith: Error | undefined;

  constructor(initial: Readonly<Record<string, string>> = {}) {
    for (const [name, value] of Object.entries(initial)) this.values.set(name, { value, version: 1 });
  }

  get puts(): PutParameterCommand[] {
    return this.calls.filter((call): call is PutParameterCommand => call instanceof PutParameterCommand);
  }

  send(command: GetParameterCommand): Promise<GetParameterCommandOutput>;
  send(command: PutParameterCommand): Promise<PutParameterCommandOutput>;
  async send(
    command: GetParameterCommand | PutParameterCommand,
  ): Promise<GetParameterCommandOutput | PutParameterCommandOutput> {
    this.calls.push(command);
    if (this.failWith) throw this.failWith;
    if (command instanceof GetParameterCommand) return this.get(command);
    if (command instanceof PutParameterCommand) return this.put(command);
    throw new Error('only GetParameter and PutParameter are supported');
  }

  private get(command: GetParameterCommand): GetParameterCommandOutput {
    const name = command.input.Name ?? '';
    const stored = this.values.get(name);
    if (!stored) throw awsError('ParameterNotFound', '');
    return {
      $metadata: { httpStatusCode: 200 },
      Parameter: {
        Name: name,
        Type: 'String',
        Value: stored.value,
        Version: stored.version,
        ARN: `arn:aws:ssm:eu-west-1:123456789012:parameter${name}`,
        DataType: 'text',
        LastModifiedDate: new Date('2026-11-30T16:00:00Z'),
      },
    };
  }

  private put(command: PutParameterCommand): PutParameterCommandOutput {
    const { Name: name = '', Value: value = '', Overwrite: overwrite } = command.input;
    if (Buffer.byteLength(value, 'utf8') > STANDARD_TIER_MAX_BYTES) {
      throw awsError(
        'ValidationException',
        "1 validation error detected: Value at 'value' failed to satisfy constraint: Member must have length less than or equal to 4096",
      );
    }
    const stored = this.values.get(name);
    if (stored && !overwrite) throw awsError('ParameterAlreadyExists', 'The parameter already exists.');
    const version = (stored?.version ?? 0) + 1;
    this.values.set(name, { value, version });
    return { $metadata: { httpStatusCode: 200 }, Version: version, Tier: 'Standard' };
  }
}
