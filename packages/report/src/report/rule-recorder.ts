import { Validations, type CfnResource, type IPolicyValidationPlugin } from 'aws-cdk-lib';
import { NagPack, NagRuleCompliance, type IApplyRule, type NagPackProps } from 'cdk-nag';
import type { IConstruct } from 'constructs';
import { createRulePacks } from '@citadel/infra/rule-packs';

/** What one rule concluded about one resource (rules that do not apply are not recorded). */
export type RuleOutcome = 'pass' | 'fail' | 'acknowledged';

export interface RuleResult {
  /** Pack name (`HIPAA.Security`, `Citadel`, ...). */
  readonly pack: string;
  /** Rule id without a finding suffix (`AwsSolutions-IAM5`). */
  readonly ruleId: string;
  /** Granular finding (`Action::s3:*`), when the rule reports several per resource. */
  readonly finding?: string;
  readonly outcome: RuleOutcome;
  /** Construct path of the resource. */
  readonly path: string;
  readonly resourceType: string;
  /** Acknowledgment reason, for `acknowledged`. */
  readonly reason?: string;
  /** What the rule checks (its failure text). */
  readonly info: string;
  readonly severity: 'error' | 'warning' | 'note';
}

/** Collects every rule result of the packs it creates, for reports. */
export class RuleResultLog {
  readonly results: RuleResult[] = [];
  /** Every rule that ran on at least one resource, applicable or not: id -> info. */
  readonly rulesSeen = new Map<string, { pack: string; info: string }>();

  /** A log holding only the results for constructs under `prefix` (one stage), and every rule seen. */
  forPathPrefix(prefix: string): RuleResultLog {
    const filtered = new RuleResultLog();
    filtered.results.push(...this.results.filter((result) => result.path.startsWith(prefix)));
    for (const [id, rule] of this.rulesSeen) filtered.rulesSeen.set(id, rule);
    return filtered;
  }
}

// A mixin must take `any[]`; the concrete packs take (scope?, props?).
// eslint-disable-next-line @typescript-eslint/no-explicit-any
type PackClass = abstract new (...args: any[]) => NagPack;

/** The reason an acknowledgment of `ruleId` on `node` or an ancestor gives, if any. */
export function acknowledgmentReason(node: IConstruct, ruleId: string): string | undefined {
  let current: IConstruct | undefined = node;
  while (current) {
    for (const entry of current.node.metadata) {
      if (entry.type !== Validations.ACKNOWLEDGED_RULES_METADATA_KEY || !entry.data) continue;
      for (const [id, reason] of Object.entries(entry.data as Record<string, string>)) {
        if (id.replace(/^annotation::/i, '') === ruleId) return reason;
      }
    }
    current = current.node.scope;
  }
  return undefined;
}

function recording<T extends PackClass>(Base: T, log: RuleResultLog): T {
  abstract class RecordingPack extends Base {
    protected override applyRule(params: IApplyRule): void {
      const suffix = params.ruleSuffixOverride ?? params.rule.name;
      const pack = this.readPackName;
      const ruleId = `${pack}-${suffix}`;
      const severity = params.level === 'Error' ? 'error' : params.level === 'Warning' ? 'warning' : 'note';
      log.rulesSeen.set(ruleId, { pack, info: params.info });
      const record = (node: CfnResource, outcome: RuleOutcome, finding?: string, reason?: string): void => {
        log.results.push({
          pack,
          ruleId,
          ...(finding === undefined ? {} : { finding }),
          outcome,
          path: node.node.path,
          resourceType: node.cfnResourceType,
          ...(reason === undefined ? {} : { reason }),
          info: params.info,
          severity,
        });
      };
      const judge = (node: CfnResource, finding?: string): void => {
        const id = finding === undefined ? ruleId : `${ruleId}[${finding}]`;
        const reason = acknowledgmentReason(node, id);
        record(node, reason === undefined ? 'fail' : 'acknowledged', finding, reason);
      };
      super.applyRule({
        ...params,
        ruleSuffixOverride: suffix,
        rule: (node) => {
          let result;
          try {
            result = params.rule(node);
          } catch (error) {
            judge(node);
            throw error;
          }
          if (result === NagRuleCompliance.COMPLIANT) record(node, 'pass');
          else if (result === NagRuleCompliance.NON_COMPLIANT) judge(node);
          else if (Array.isArray(result)) {
            if (result.length === 0) record(node, 'pass');
            for (const finding of result) judge(node, finding);
          }
          return result;
        },
      });
    }
  }
  return RecordingPack;
}

type ConcretePack = new (scope?: IConstruct, props?: NagPackProps) => NagPack;

/**
 * The packs `createRulePacks` registers on every stage, each recording every result into
 * `log` while still failing synth on unacknowledged findings. Plugins that are not
 * cdk-nag packs are passed through unchanged.
 */
export function recordingRulePacks(log: RuleResultLog): (app: IConstruct) => IPolicyValidationPlugin[] {
  return (app) =>
    createRulePacks(app).map((plugin) => {
      if (!(plugin instanceof NagPack)) return plugin;
      const Recording = recording(plugin.constructor as PackClass, log) as unknown as ConcretePack;
      return new Recording(app);
    });
}
