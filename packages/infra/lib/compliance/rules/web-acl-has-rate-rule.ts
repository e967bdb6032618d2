import type { CfnResource } from 'aws-cdk-lib';
import { NagRuleCompliance, type NagRuleResult } from 'cdk-nag';
import { arrayAt, objectAt, templateProperties } from './values.js';

/** WAFv2 web ACLs contain a rate-based rule that blocks (not merely counts) a client over its limit. */
export function WebAclHasRateRule(node: CfnResource): NagRuleResult {
  if (node.cfnResourceType !== 'AWS::WAFv2::WebACL') return NagRuleCompliance.NOT_APPLICABLE;
  const blocksOverLimit = arrayAt(templateProperties(node), 'Rules').some(
    (rule) =>
      objectAt(rule, 'Statement').RateBasedStatement !== undefined &&
      objectAt(rule, 'Action').Count === undefined,
  );
  return blocksOverLimit ? NagRuleCompliance.COMPLIANT : NagRuleCompliance.NON_COMPLIANT;
}
