import type { CfnResource } from 'aws-cdk-lib';
import { NagRuleCompliance, type NagRuleResult } from 'cdk-nag';
import { templateProperties } from './values.js';

/**
 * Security policies that negotiate TLS 1.2 or newer only (TLS 1.3 + 1.2, TLS 1.3 only,
 * TLS 1.2 and forward-secrecy TLS 1.2 families, including their FIPS and post-quantum
 * variants). Policies with `1-0` or `1-1` in the name also accept TLS 1.0/1.1.
 */
const TLS12_OR_NEWER = /^ELBSecurityPolicy-(TLS13-1-[23]-|TLS-1-2-|FS-1-2-)/;

/** HTTPS and TLS listeners on a load balancer use a security policy that allows TLS 1.2 or newer only. */
export function AlbHttpsListenerTls12(node: CfnResource): NagRuleResult {
  if (node.cfnResourceType !== 'AWS::ElasticLoadBalancingV2::Listener')
    return NagRuleCompliance.NOT_APPLICABLE;
  const { Protocol, SslPolicy } = templateProperties(node);
  if (Protocol !== 'HTTPS' && Protocol !== 'TLS') return NagRuleCompliance.NOT_APPLICABLE;
  return typeof SslPolicy === 'string' && TLS12_OR_NEWER.test(SslPolicy)
    ? NagRuleCompliance.COMPLIANT
    : NagRuleCompliance.NON_COMPLIANT;
}
