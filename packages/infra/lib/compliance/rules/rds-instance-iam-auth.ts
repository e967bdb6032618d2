import type { CfnResource } from 'aws-cdk-lib';
import { NagRuleCompliance, type NagRuleResult } from 'cdk-nag';
import { isTrue, templateProperties } from './values.js';

/**
 * Stand-alone RDS PostgreSQL, MySQL and MariaDB instances have IAM database
 * authentication enabled, so applications connect with short-lived tokens instead of
 * stored passwords. (Aurora members inherit the setting from their cluster.)
 */
export function RdsInstanceIamAuth(node: CfnResource): NagRuleResult {
  if (node.cfnResourceType !== 'AWS::RDS::DBInstance') return NagRuleCompliance.NOT_APPLICABLE;
  const { Engine, EnableIAMDatabaseAuthentication } = templateProperties(node);
  if (!/^(postgres|mysql|mariadb)$/.test(String(Engine))) return NagRuleCompliance.NOT_APPLICABLE;
  return isTrue(EnableIAMDatabaseAuthentication)
    ? NagRuleCompliance.COMPLIANT
    : NagRuleCompliance.NON_COMPLIANT;
}
