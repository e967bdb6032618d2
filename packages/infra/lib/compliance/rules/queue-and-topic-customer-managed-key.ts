import type { CfnResource } from 'aws-cdk-lib';
import { NagRuleCompliance, type NagRuleResult } from 'cdk-nag';
import { templateProperties } from './values.js';

const ENCRYPTED_TYPES = new Set(['AWS::SQS::Queue', 'AWS::SNS::Topic']);

/**
 * SQS queues and SNS topics are encrypted with a customer-managed KMS key (not
 * SQS-managed SSE and not the `alias/aws/*` AWS-managed keys), so key policy and
 * rotation stay under the customer's control.
 */
export function QueueAndTopicCustomerManagedKey(node: CfnResource): NagRuleResult {
  if (!ENCRYPTED_TYPES.has(node.cfnResourceType)) return NagRuleCompliance.NOT_APPLICABLE;
  const key = templateProperties(node).KmsMasterKeyId;
  const customerManaged =
    key !== undefined &&
    key !== null &&
    key !== '' &&
    !(typeof key === 'string' && key.includes('alias/aws/'));
  return customerManaged ? NagRuleCompliance.COMPLIANT : NagRuleCompliance.NON_COMPLIANT;
}
