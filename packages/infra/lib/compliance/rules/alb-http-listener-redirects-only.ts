import type { CfnResource } from 'aws-cdk-lib';
import { NagRuleCompliance, type NagRuleResult } from 'cdk-nag';
import { logicalIdOf, objectAt, referencedLogicalId, stackResources, templateProperties } from './values.js';

const LISTENER = 'AWS::ElasticLoadBalancingV2::Listener';
const LISTENER_RULE = 'AWS::ElasticLoadBalancingV2::ListenerRule';

function redirectsToHttps(actions: unknown): boolean {
  if (!Array.isArray(actions) || actions.length === 0) return false;
  return actions.every(
    (action: Record<string, unknown>) =>
      action.Type === 'redirect' && objectAt(action, 'RedirectConfig').Protocol === 'HTTPS',
  );
}

/**
 * Plain-HTTP listeners only redirect to HTTPS: their default actions and every rule
 * attached to them are `redirect` actions with protocol HTTPS, so no request is served
 * over plain HTTP.
 */
export function AlbHttpListenerRedirectsOnly(node: CfnResource): NagRuleResult {
  if (node.cfnResourceType === LISTENER) {
    const { Protocol, DefaultActions } = templateProperties(node);
    if (Protocol !== 'HTTP') return NagRuleCompliance.NOT_APPLICABLE;
    return redirectsToHttps(DefaultActions) ? NagRuleCompliance.COMPLIANT : NagRuleCompliance.NON_COMPLIANT;
  }
  if (node.cfnResourceType === LISTENER_RULE) {
    const { ListenerArn, Actions } = templateProperties(node);
    const listenerId = referencedLogicalId(ListenerArn);
    const listener = stackResources(node).find(
      (resource) => resource.cfnResourceType === LISTENER && logicalIdOf(resource) === listenerId,
    );
    if (listener === undefined || templateProperties(listener).Protocol !== 'HTTP') {
      return NagRuleCompliance.NOT_APPLICABLE;
    }
    return redirectsToHttps(Actions) ? NagRuleCompliance.COMPLIANT : NagRuleCompliance.NON_COMPLIANT;
  }
  return NagRuleCompliance.NOT_APPLICABLE;
}
