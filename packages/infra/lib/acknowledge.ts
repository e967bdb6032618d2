import { Validations } from 'aws-cdk-lib';
import type { IConstruct } from 'constructs';

/** Shortest reason an acknowledgment may give: long enough to say why it is safe and what compensates. */
export const MIN_ACKNOWLEDGMENT_REASON_LENGTH = 40;

/**
 * Acknowledges rule-pack findings on one construct (and what it contains) with one reason.
 * Throws when the reason is too short to tell a reviewer anything.
 */
export function acknowledge(scope: IConstruct, ruleIds: readonly string[], reason: string): void {
  if (reason.trim().length < MIN_ACKNOWLEDGMENT_REASON_LENGTH) {
    throw new Error(
      `Acknowledgment of ${ruleIds.join(', ')} on ${scope.node.path} has a ${reason.trim().length}-character reason; ` +
        `give at least ${MIN_ACKNOWLEDGMENT_REASON_LENGTH} characters saying why it is safe and what compensates`,
    );
  }
  for (const id of ruleIds) Validations.of(scope).acknowledge({ id, reason });
}
