import { Validations } from 'aws-cdk-lib';
import type { IConstruct } from 'constructs';
import { InvalidPropError } from './invalid-prop-error.js';

/** Shortest reason an acknowledgment may give: long enough to say why it is safe and what compensates. */
export const MIN_ACKNOWLEDGMENT_REASON_LENGTH = 40;

/**
 * Acknowledges rule-pack findings on one construct (and what it contains) with one reason.
 * Throws when the reason is too short to tell a reviewer anything.
 */
export function acknowledge(scope: IConstruct, ruleIds: readonly string[], reason: string): void {
  if (reason.trim().length < MIN_ACKNOWLEDGMENT_REASON_LENGTH) {
    throw new InvalidPropError(
      scope.node.path,
      `acknowledgment reason for ${ruleIds.join(', ')}`,
      reason,
      `give at least ${MIN_ACKNOWLEDGMENT_REASON_LENGTH} characters saying why it is safe and what compensates`,
    );
  }
  for (const id of ruleIds) Validations.of(scope).acknowledge({ id, reason });
}

/** One acknowledged rule on one construct. */
export interface AcknowledgmentRecord {
  /** Construct path, for example `prod/data/Postgres/Instance`. */
  readonly path: string;
  /** Rule id as the pack reports it, for example `AwsSolutions-RDS11` or `AwsSolutions-IAM5[Resource::*]`. */
  readonly ruleId: string;
  readonly reason: string;
}

/** Every acknowledgment recorded under `root`, in construct-tree order. */
export function collectAcknowledgments(root: IConstruct): AcknowledgmentRecord[] {
  const records: AcknowledgmentRecord[] = [];
  for (const construct of root.node.findAll()) {
    for (const entry of construct.node.metadata) {
      if (entry.type !== Validations.ACKNOWLEDGED_RULES_METADATA_KEY) continue;
      for (const [qualifiedId, reason] of Object.entries(entry.data as Record<string, string>)) {
        records.push({
          path: construct.node.path,
          ruleId: qualifiedId.replace(/^annotation::/i, ''),
          reason,
        });
      }
    }
  }
  return records;
}

/** Number of acknowledgments per rule id, most frequent first. */
export function countByRule(records: readonly AcknowledgmentRecord[]): [ruleId: string, count: number][] {
  const counts = new Map<string, number>();
  for (const record of records) counts.set(record.ruleId, (counts.get(record.ruleId) ?? 0) + 1);
  return [...counts].sort((a, b) => b[1] - a[1] || a[0].localeCompare(b[0]));
}

/** The rules that flag a role's own inline policy. */
const INLINE_POLICY_RULES = [
  'HIPAA.Security-IAMNoInlinePolicy',
  'NIST.800.53.R5-IAMNoInlinePolicy',
  'PCI.DSS.321-IAMNoInlinePolicy',
] as const;

/**
 * Acknowledges the inline-policy rules on a role whose grants CDK keeps in a policy
 * attached to it alone: every statement names its resources, so a shared managed policy
 * would add no control.
 */
export function acknowledgeOwnRolePolicy(
  role: IConstruct,
  reason = "CDK keeps this role's least-privilege grants in a policy attached to this one role only; every statement names its resources, so a shared managed policy would add no control.",
): void {
  acknowledge(role, INLINE_POLICY_RULES, reason);
}
