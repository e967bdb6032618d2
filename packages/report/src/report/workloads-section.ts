import type { Stage } from 'aws-cdk-lib';
import type { IConstruct } from 'constructs';
import { WORKLOAD_GUARDRAILS, type WorkloadGuardrailId } from './control-mapping.js';
import type { GuardrailCheck } from './guardrail-check.js';
import { acknowledgmentReason } from './rule-recorder.js';
import type { TemplateIndex } from './template-index.js';
import { isWatchedByAlarm } from './workload-alarms.js';
import {
  hasNoPublicIp,
  hasReadOnlyRootFilesystem,
  logsToEncryptedRetainedGroup,
  runsAsNonRootNumericUser,
} from './workload-containers.js';
import { workloadIam, type IsAcknowledged, type WorkloadIam } from './workload-iam.js';
import { workloadResources } from './workload-resources.js';
import { workloadRoutes } from './workload-routes.js';

/** One workload of the environment and the verdict on each of its guardrails. */
export interface WorkloadRow {
  readonly name: string;
  readonly kind: string;
  /** How many resources carry its tag. */
  readonly resources: number;
  readonly guardrails: Readonly<Record<WorkloadGuardrailId, GuardrailCheck>>;
  readonly iam: Omit<WorkloadIam, 'check'>;
  /**
   * Host and path of each load balancer rule that reaches it (`shop.example.com/orders/*`).
   * @default - absent for a workload no rule reaches
   */
  readonly routes?: readonly string[];
}

/** The "Workloads" section of one environment's report. */
export interface WorkloadsSection {
  /** Controls the section gives evidence for, as `<framework> <id>`. */
  readonly controls: readonly string[];
  readonly rows: readonly WorkloadRow[];
  readonly counts: {
    readonly workloads: number;
    /** Guardrail verdicts that are `yes` or `no` (not `n/a`). */
    readonly checks: number;
    /** Verdicts that are `no`. */
    readonly failing: number;
    /** Workloads with at least one `no`. */
    readonly workloadsFailing: number;
  };
}

/** Acknowledgments as synth judged them: `ruleId[finding]` on the construct at `path` or an ancestor. */
export function acknowledgmentsOf(stage: Stage): IsAcknowledged {
  const byPath = new Map<string, IConstruct>(
    stage.node.findAll().map((construct) => [construct.node.path, construct]),
  );
  return (path, ruleId, finding) => {
    const construct = byPath.get(path);
    return construct !== undefined && acknowledgmentReason(construct, `${ruleId}[${finding}]`) !== undefined;
  };
}

/** Finds every workload by its tag across the environment's templates and checks each guardrail of it. */
export function buildWorkloadsSection(
  index: TemplateIndex,
  isAcknowledged: IsAcknowledged,
): WorkloadsSection {
  const rows = workloadResources(index).map((workload): WorkloadRow => {
    const { check, ...iam } = workloadIam(index, workload, isAcknowledged);
    const routes = workloadRoutes(index, workload);
    return {
      name: workload.name,
      kind: workload.kind,
      resources: workload.resources.length,
      guardrails: {
        nonRootUser: runsAsNonRootNumericUser(workload),
        readOnlyRootFilesystem: hasReadOnlyRootFilesystem(workload),
        noPublicIp: hasNoPublicIp(index, workload),
        encryptedRetainedLogs: logsToEncryptedRetainedGroup(index, workload),
        alarmed: isWatchedByAlarm(index, workload),
        scopedIam: check,
      },
      iam,
      ...(routes.length > 0 ? { routes } : {}),
    };
  });
  const verdicts = rows.flatMap((row) => Object.values(row.guardrails).map((check) => check.verdict));
  return {
    controls: [...new Set(WORKLOAD_GUARDRAILS.flatMap((guardrail) => guardrail.controls))],
    rows,
    counts: {
      workloads: rows.length,
      checks: verdicts.filter((verdict) => verdict !== 'n/a').length,
      failing: verdicts.filter((verdict) => verdict === 'no').length,
      workloadsFailing: rows.filter((row) =>
        Object.values(row.guardrails).some((check) => check.verdict === 'no'),
      ).length,
    },
  };
}
