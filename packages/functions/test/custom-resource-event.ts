import { randomUUID } from 'node:crypto';
import type { CustomResourceEvent } from '../src/shared/custom-resource.js';

const STACK_ID =
  'arn:aws:cloudformation:eu-west-1:123456789012:stack/citadel-dev-data/0a1b2c3d-4e5f-6789-abcd-ef0123456789';
const SERVICE_TOKEN = 'arn:aws:lambda:eu-west-1:123456789012:function:citadel-dev-provider-framework-onEvent';

type Properties = Record<string, unknown>;

/** A CloudFormation custom resource request as the CDK Provider framework hands it to `onEvent`. */
export function customResourceEvent(
  requestType: 'Create',
  properties: Properties,
  options?: { logicalResourceId?: string },
): CustomResourceEvent;
export function customResourceEvent(
  requestType: 'Update',
  properties: Properties,
  options: { physicalResourceId: string; oldProperties: Properties; logicalResourceId?: string },
): CustomResourceEvent;
export function customResourceEvent(
  requestType: 'Delete',
  properties: Properties,
  options: { physicalResourceId: string; logicalResourceId?: string },
): CustomResourceEvent;
export function customResourceEvent(
  requestType: 'Create' | 'Update' | 'Delete',
  properties: Properties,
  options: { physicalResourceId?: string; oldProperties?: Properties; logicalResourceId?: string } = {},
): CustomResourceEvent {
  const common = {
    ServiceToken: SERVICE_TOKEN,
    ResponseURL: 'https://cloudformation-custom-resource-response-euwest1.s3.amazonaws.com/response',
    StackId: STACK_ID,
    RequestId: randomUUID(),
    LogicalResourceId: options.logicalResourceId ?? 'Resource',
    ResourceType: 'Custom::Resource',
    ResourceProperties: { ServiceToken: SERVICE_TOKEN, ...properties },
  };
  if (requestType === 'Create') return { ...common, RequestType: 'Create' };
  if (requestType === 'Update') {
    return {
      ...common,
      RequestType: 'Update',
      PhysicalResourceId: options.physicalResourceId as string,
      OldResourceProperties: { ServiceToken: SERVICE_TOKEN, ...options.oldProperties },
    };
  }
  return { ...common, RequestType: 'Delete', PhysicalResourceId: options.physicalResourceId as string };
}
