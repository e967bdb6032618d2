import type { CfnResource } from 'aws-cdk-lib';
import { NagRuleCompliance, type NagRuleResult } from 'cdk-nag';
import { asNumber, templateProperties } from './values.js';

/** The shortest retention Citadel accepts for a log group, in days. */
import { MIN_LOG_RETENTION_DAYS } from '../../../policy/workload-policy.js';

export { MIN_LOG_RETENTION_DAYS };

/**
 * CloudWatch log groups keep events for at least `MIN_LOG_RETENTION_DAYS` days (no
 * retention means never expire, which passes) and are encrypted with a KMS key.
 *
 * Findings: `Retention`, `KmsKey`.
 */
export function LogGroupRetentionAndKms(node: CfnResource): NagRuleResult {
  if (node.cfnResourceType !== 'AWS::Logs::LogGroup') return NagRuleCompliance.NOT_APPLICABLE;
  const { RetentionInDays, KmsKeyId } = templateProperties(node);
  const findings: string[] = [];
  if (RetentionInDays !== undefined && (asNumber(RetentionInDays) ?? 0) < MIN_LOG_RETENTION_DAYS) {
    findings.push('Retention');
  }
  if (KmsKeyId === undefined) findings.push('KmsKey');
  return findings.length === 0 ? NagRuleCompliance.COMPLIANT : findings;
}
