import type { CfnResource } from 'aws-cdk-lib';
import { NagMessageLevel, NagPack, type NagPackProps } from 'cdk-nag';
import type { IConstruct } from 'constructs';
import { CITADEL_PACK_NAME, CITADEL_RULES, CITADEL_RULE_IDS } from './citadel-rules.js';

/**
 * Citadel's own cdk-nag pack: the checks the standard packs leave out for this stack
 * (TLS policy on the load balancer, forced database TLS, IAM database auth, endpoint-only
 * egress, WAF rate limiting, vault lock, log retention, customer-managed message keys,
 * hardened containers). Register it with `Validations.of(app).addPlugins(new CitadelChecks(app))`.
 */
export class CitadelChecks extends NagPack {
  public readonly name = CITADEL_PACK_NAME;
  public override readonly ruleIds = [...CITADEL_RULE_IDS];

  constructor(scope?: IConstruct, props?: NagPackProps) {
    super(scope, props);
    this.packName = CITADEL_PACK_NAME;
  }

  protected checkResource(node: CfnResource): void {
    for (const { suffix, rule, info, explanation } of CITADEL_RULES) {
      this.applyRule({
        ruleSuffixOverride: suffix,
        info,
        explanation,
        level: NagMessageLevel.ERROR,
        rule,
        node,
      });
    }
  }
}
