import type { CloudFormationCustomResourceEvent } from 'aws-lambda';
import { ResourcePropertiesError } from '../errors.js';

/**
 * What an `onEvent` handler of the CDK custom resource Provider framework returns; the
 * framework sends it to CloudFormation. `Data` values become `Fn::GetAtt` attributes.
 */
export interface CustomResourceResponse {
  readonly PhysicalResourceId: string;
  readonly Data?: Readonly<Record<string, string>>;
}

export type CustomResourceEvent = CloudFormationCustomResourceEvent<Record<string, unknown>>;

const ARN = /^arn:aws[a-z-]*:secretsmanager:[a-z0-9-]+:\d{12}:secret:[A-Za-z0-9/_+=.@-]+$/;

/** A required, non-empty string property. */
export function requiredString(properties: Record<string, unknown>, name: string): string {
  const value = properties[name];
  if (typeof value !== 'string' || value.trim() === '') {
    throw new ResourcePropertiesError(`property ${name} is required and must be a non-empty string`);
  }
  return value.trim();
}

/** A Secrets Manager secret ARN property. */
export function secretArn(properties: Record<string, unknown>, name: string): string {
  const value = requiredString(properties, name);
  if (!ARN.test(value)) {
    throw new ResourcePropertiesError(
      `property ${name} must be a Secrets Manager secret ARN (arn:aws:secretsmanager:<region>:<account>:secret:<name>), got "${value}"`,
    );
  }
  return value;
}
