import type { CfnResource } from 'aws-cdk-lib';
import { NagRuleCompliance, type NagRuleResult } from 'cdk-nag';
import { asNumber, objectAt, templateProperties } from './values.js';

/**
 * AWS Backup vaults have a vault lock with a minimum retention of at least one day, so
 * recovery points cannot be deleted early, even by an administrator.
 */
export function BackupVaultLocked(node: CfnResource): NagRuleResult {
  if (node.cfnResourceType !== 'AWS::Backup::BackupVault') return NagRuleCompliance.NOT_APPLICABLE;
  const minRetentionDays = asNumber(objectAt(templateProperties(node), 'LockConfiguration').MinRetentionDays);
  return minRetentionDays !== undefined && minRetentionDays >= 1
    ? NagRuleCompliance.COMPLIANT
    : NagRuleCompliance.NON_COMPLIANT;
}
