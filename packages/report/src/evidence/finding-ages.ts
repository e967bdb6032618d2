import type { AwsSecurityFinding } from '@aws-sdk/client-securityhub';

const DAY_MS = 86_400_000;

/** One finding's life as an assessor samples it. */
export interface FindingAge {
  readonly id: string;
  readonly title: string;
  readonly severity: string;
  readonly workflowStatus: string;
  readonly recordState: string;
  readonly firstObservedAt: string;
  readonly lastObservedAt: string | undefined;
  readonly state: 'open' | 'resolved';
  /** Open: days from first observed to the end of the period. */
  readonly ageDays: number | undefined;
  /** Resolved: days from first observed to the update that resolved it. */
  readonly daysToResolve: number | undefined;
}

const RESOLVED_WORKFLOW = new Set(['RESOLVED', 'SUPPRESSED']);

function days(from: Date, to: Date): number {
  return Math.max(0, Math.round(((to.getTime() - from.getTime()) / DAY_MS) * 10) / 10);
}

/**
 * Open or resolved, with age or time to resolve. A finding is resolved when its workflow is
 * RESOLVED or SUPPRESSED or its record is ARCHIVED (the control passes again or the
 * resource is gone); it was resolved at its last update. Observation starts at
 * FirstObservedAt, or CreatedAt when the product does not report it.
 */
export function findingAge(finding: AwsSecurityFinding, periodEnd: Date): FindingAge {
  const first = new Date(finding.FirstObservedAt ?? finding.CreatedAt ?? periodEnd.toISOString());
  const workflowStatus = finding.Workflow?.Status ?? finding.WorkflowState ?? 'NEW';
  const recordState = finding.RecordState ?? 'ACTIVE';
  const resolved = RESOLVED_WORKFLOW.has(workflowStatus) || recordState === 'ARCHIVED';
  const updated = new Date(finding.UpdatedAt ?? periodEnd.toISOString());
  return {
    id: finding.Id ?? '(no id)',
    title: finding.Title ?? '(no title)',
    severity: finding.Severity?.Label ?? 'INFORMATIONAL',
    workflowStatus,
    recordState,
    firstObservedAt: first.toISOString(),
    lastObservedAt: finding.LastObservedAt,
    state: resolved ? 'resolved' : 'open',
    ageDays: resolved ? undefined : days(first, periodEnd),
    daysToResolve: resolved ? days(first, updated) : undefined,
  };
}
