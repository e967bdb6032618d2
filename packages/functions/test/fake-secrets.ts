import { GetSecretValueCommand, type GetSecretValueCommandOutput } from '@aws-sdk/client-secrets-manager';
import type { SecretsReader } from '../src/shared/secrets.js';

/**
 * Secrets Manager at the AWS API boundary, which tests cannot reach: answers
 * GetSecretValue from a map and records every secret id asked for.
 */
export class FakeSecrets implements SecretsReader {
  readonly requested: string[] = [];

  constructor(private readonly values: Readonly<Record<string, string>>) {}

  async send(command: GetSecretValueCommand): Promise<GetSecretValueCommandOutput> {
    if (!(command instanceof GetSecretValueCommand)) throw new Error('only GetSecretValue is supported');
    const id = command.input.SecretId ?? '';
    this.requested.push(id);
    const value = this.values[id];
    if (value === undefined) {
      throw Object.assign(new Error("Secrets Manager can't find the specified secret."), {
        name: 'ResourceNotFoundException',
      });
    }
    return { $metadata: { httpStatusCode: 200 }, ARN: id, SecretString: value };
  }
}
