import type { Stage } from 'aws-cdk-lib';
import type { CloudAssembly } from 'aws-cdk-lib/cx-api';
import { buildAccessSection, type AccessSection } from './access-section.js';
import { buildContinuousSection, type ContinuousSection } from './continuous-section.js';
import { CONTROLS, type Control } from './control-mapping.js';
import { buildDiagram, renderSvg, type Diagram } from './diagram.js';
import { buildInventories, displayName, type Inventories } from './inventories.js';
import type { RuleResult, RuleResultLog } from './rule-recorder.js';
import { TemplateIndex } from './template-index.js';
import { acknowledgmentsOf, buildWorkloadsSection, type WorkloadsSection } from './workloads-section.js';

/** Resources named per evidence line of a control; the inventories list them all. */
const MAX_NAMES_PER_EVIDENCE = 4;

export interface RuleSummary {
  readonly ruleId: string;
  readonly pack: string;
  readonly info: string;
  readonly pass: number;
  readonly acknowledged: number;
  readonly fail: number;
}

export interface ControlRow {
  readonly control: Control;
  /** One line per evidence type: `AWS::RDS::DBInstance ×1 — encrypted, IAM auth, ...: data/Postgres/Instance` */
  readonly resources: readonly string[];
  readonly rules: readonly {
    ruleId: string;
    evaluated: boolean;
    pass: number;
    acknowledged: number;
    fail: number;
  }[];
  /** `met` when resources meet it, `customer` when it is wholly the customer's, `gap` otherwise. */
  readonly status: 'met' | 'customer' | 'gap';
}

export interface Acknowledgment {
  readonly ruleId: string;
  readonly finding?: string;
  readonly path: string;
  readonly reason: string;
}

/** Everything the report pages show for one environment. */
export interface EnvironmentReport {
  readonly environment: string;
  readonly generatedAt: string;
  readonly stacks: readonly { name: string; resources: number }[];
  readonly rules: readonly RuleSummary[];
  readonly acknowledgments: readonly Acknowledgment[];
  readonly failures: readonly RuleResult[];
  readonly controls: readonly ControlRow[];
  /** The conformance packs and Security Hub standards that evaluate the account and region over time. */
  readonly continuous: ContinuousSection;
  readonly inventories: Inventories;
  readonly diagram: Diagram;
  readonly diagramSvg: string;
  readonly results: readonly RuleResult[];
  /** Who can do what: the access proof's must-allow and must-deny outcomes. */
  readonly access: AccessSection;
  /** Every workload found by its tag, with the verdict on each of its guardrails. */
  readonly workloads: WorkloadsSection;
}

function summarize(results: readonly RuleResult[], log: RuleResultLog): RuleSummary[] {
  const summaries = new Map<
    string,
    { pack: string; info: string; pass: number; acknowledged: number; fail: number }
  >();
  for (const [ruleId, { pack, info }] of log.rulesSeen)
    summaries.set(ruleId, { pack, info, pass: 0, acknowledged: 0, fail: 0 });
  for (const result of results) {
    const summary = summaries.get(result.ruleId);
    if (summary) summary[result.outcome === 'pass' ? 'pass' : result.outcome] += 1;
  }
  return [...summaries]
    .map(([ruleId, summary]) => ({ ruleId, ...summary }))
    .filter((summary) => summary.pass + summary.acknowledged + summary.fail > 0)
    .sort((a, b) => a.ruleId.localeCompare(b.ruleId));
}

/** Builds the report of one environment from the synthesized assembly and the recorded rule results. */
export async function buildEnvironmentReport(
  stage: Stage,
  assembly: CloudAssembly,
  log: RuleResultLog,
  generatedAt: Date,
): Promise<EnvironmentReport> {
  const index = new TemplateIndex(assembly, stage);
  const prefix = `${stage.node.path}/`;
  const results = log.results.filter((result) => result.path.startsWith(prefix));
  const rules = summarize(results, log);
  const byRule = new Map(rules.map((rule) => [rule.ruleId, rule]));
  const controls: ControlRow[] = CONTROLS.map((control) => {
    const resources = control.evidence.flatMap(({ type, setting }) => {
      const names = index.ofType(type).map(displayName);
      if (names.length === 0) return [];
      const listed = names.slice(0, MAX_NAMES_PER_EVIDENCE).join(', ');
      const more =
        names.length > MAX_NAMES_PER_EVIDENCE ? ` and ${names.length - MAX_NAMES_PER_EVIDENCE} more` : '';
      return [`${type} ×${names.length} — ${setting}: ${listed}${more}`];
    });
    const ruleRows = control.rules.map((ruleId) => {
      const summary = byRule.get(ruleId);
      return {
        ruleId,
        evaluated: summary !== undefined,
        pass: summary?.pass ?? 0,
        acknowledged: summary?.acknowledged ?? 0,
        fail: summary?.fail ?? 0,
      };
    });
    const status =
      resources.length > 0 ? 'met' : control.evidence.length === 0 && control.customer ? 'customer' : 'gap';
    return { control, resources, rules: ruleRows, status };
  });
  const diagram = buildDiagram(index);
  return {
    environment: stage.stageName,
    generatedAt: generatedAt.toISOString(),
    stacks: [...new Set(index.resources.map((resource) => resource.stackName))].map((name) => ({
      name,
      resources: index.resources.filter((resource) => resource.stackName === name).length,
    })),
    rules,
    acknowledgments: results
      .filter((result) => result.outcome === 'acknowledged')
      .map((result) => ({
        ruleId: result.ruleId,
        ...(result.finding ? { finding: result.finding } : {}),
        path: result.path,
        reason: result.reason ?? '',
      })),
    failures: results.filter((result) => result.outcome === 'fail'),
    controls,
    continuous: buildContinuousSection(index.resources),
    inventories: buildInventories(index),
    diagram,
    diagramSvg: await renderSvg(diagram),
    results,
    access: await buildAccessSection(stage.stageName, assembly.getNestedAssembly(stage.artifactId)),
    workloads: buildWorkloadsSection(index, acknowledgmentsOf(stage)),
  };
}
