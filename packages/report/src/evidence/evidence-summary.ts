import type { BackupEvidence } from './sources/backup-jobs.js';
import { backupCounts } from './sources/backup-jobs.js';
import type { ChangeRecordEvidence } from './sources/change-records.js';
import type { ConfigComplianceEvidence } from './sources/config-compliance.js';
import type { IamTrailEvidence } from './sources/iam-trail.js';
import type { SecurityHubEvidence } from './sources/security-hub.js';

/** What the rendered summary shows; every figure is derived from the bundle's source files. */
export interface EvidenceSummary {
  readonly environment: string;
  readonly account: string;
  readonly regions: readonly string[];
  readonly period: {
    readonly from: string;
    readonly to: string;
    readonly start: string;
    readonly end: string;
  };
  readonly collectedAt: string;
  readonly sources: readonly { name: string; region: string; file: string; items: number }[];
  readonly configRules: readonly {
    region: string;
    rule: string;
    compliant: number;
    nonCompliant: number;
    notApplicable: number;
    changesInPeriod: number;
  }[];
  readonly findings: {
    readonly open: number;
    readonly resolved: number;
    readonly oldestOpenDays: number | undefined;
    readonly medianDaysToResolve: number | undefined;
    readonly bySeverity: readonly { severity: string; open: number; resolved: number }[];
  };
  readonly backups: readonly { region: string; counts: Record<string, Record<string, number>> }[];
  readonly changeRecords: {
    readonly note: string | undefined;
    readonly records: readonly {
      startedAt: string;
      commit: string | undefined;
      key: string;
      report: string | undefined;
    }[];
  };
  readonly iam: {
    readonly coverageNote: string | undefined;
    readonly events: readonly { time: string; name: string; user: string; resources: string }[];
  };
  readonly report: { readonly commit: string; readonly path: string };
}

export interface CollectedEvidence {
  readonly config: readonly ConfigComplianceEvidence[];
  readonly securityHub: readonly SecurityHubEvidence[];
  readonly backup: readonly BackupEvidence[];
  readonly changeRecords: ChangeRecordEvidence | undefined;
  readonly iam: IamTrailEvidence;
}

function median(values: readonly number[]): number | undefined {
  if (values.length === 0) return undefined;
  const sorted = [...values].sort((a, b) => a - b);
  const middle = Math.floor(sorted.length / 2);
  return sorted.length % 2 ? sorted[middle] : ((sorted[middle - 1] ?? 0) + (sorted[middle] ?? 0)) / 2;
}

const SEVERITIES = ['CRITICAL', 'HIGH', 'MEDIUM', 'LOW', 'INFORMATIONAL'];

/**
 * How many times each rule's result for a resource changed in the period: every
 * AWS::Config::ResourceCompliance configuration item lists the resource's result per rule
 * (`configuration.configRuleList`), and a new item is recorded on each change.
 */
export function complianceChangesByRule(evidence: ConfigComplianceEvidence): Map<string, number> {
  const changes = new Map<string, number>();
  for (const history of evidence.complianceHistory) {
    let previous = new Map<string, string>();
    for (const item of history.pages.flatMap((page) => page.configurationItems ?? [])) {
      const current = new Map<string, string>();
      let configuration: unknown;
      try {
        configuration = JSON.parse(item.configuration ?? '{}');
      } catch {
        configuration = {};
      }
      const list = (configuration as { configRuleList?: unknown }).configRuleList;
      for (const entry of Array.isArray(list)
        ? (list as { configRuleName?: unknown; complianceType?: unknown }[])
        : []) {
        if (typeof entry.configRuleName === 'string')
          current.set(entry.configRuleName, String(entry.complianceType));
      }
      for (const [rule, compliance] of current) {
        if (previous.get(rule) !== compliance) changes.set(rule, (changes.get(rule) ?? 0) + 1);
      }
      previous = current;
    }
  }
  return changes;
}

export function configRuleRows(evidence: ConfigComplianceEvidence): EvidenceSummary['configRules'] {
  const changes = complianceChangesByRule(evidence);
  const rules = new Map<string, { compliant: number; nonCompliant: number; notApplicable: number }>();
  for (const result of evidence.latest) {
    const rule =
      result.EvaluationResultIdentifier?.EvaluationResultQualifier?.ConfigRuleName ?? '(unnamed rule)';
    const row = rules.get(rule) ?? { compliant: 0, nonCompliant: 0, notApplicable: 0 };
    if (result.ComplianceType === 'COMPLIANT') row.compliant += 1;
    else if (result.ComplianceType === 'NON_COMPLIANT') row.nonCompliant += 1;
    else row.notApplicable += 1;
    rules.set(rule, row);
  }
  for (const page of evidence.rules.pages) {
    for (const rule of page.ConfigRules ?? []) {
      const name = rule.ConfigRuleName ?? '(unnamed rule)';
      if (!rules.has(name)) rules.set(name, { compliant: 0, nonCompliant: 0, notApplicable: 0 });
    }
  }
  return [...rules.entries()]
    .sort(([a], [b]) => a.localeCompare(b))
    .map(([rule, counts]) => ({
      region: evidence.region,
      rule,
      ...counts,
      changesInPeriod: changes.get(rule) ?? 0,
    }));
}

export function summarizeFindings(evidence: readonly SecurityHubEvidence[]): EvidenceSummary['findings'] {
  const ages = evidence.flatMap((region) => region.ages);
  const open = ages.filter((age) => age.state === 'open');
  const resolved = ages.filter((age) => age.state === 'resolved');
  const oldest = open.reduce<number | undefined>(
    (max, age) => Math.max(max ?? 0, age.ageDays ?? 0),
    undefined,
  );
  return {
    open: open.length,
    resolved: resolved.length,
    oldestOpenDays: oldest,
    medianDaysToResolve: median(resolved.map((age) => age.daysToResolve ?? 0)),
    bySeverity: SEVERITIES.map((severity) => ({
      severity,
      open: open.filter((age) => age.severity === severity).length,
      resolved: resolved.filter((age) => age.severity === severity).length,
    })),
  };
}

export function summarizeBackups(evidence: readonly BackupEvidence[]): EvidenceSummary['backups'] {
  return evidence.map((region) => ({ region: region.region, counts: backupCounts(region) }));
}
