import { Stack } from 'aws-cdk-lib';
import {
  CfnSecurityGroupEgress,
  Connections,
  SecurityGroup,
  type EgressRuleConfig,
  type IngressRuleConfig,
  type ISecurityGroup,
  type IPeer,
  type Port,
  type SecurityGroupProps,
} from 'aws-cdk-lib/aws-ec2';
import type { Construct } from 'constructs';
import { InvalidPropError } from '../invalid-prop-error.js';

export type InlineRulesSecurityGroupProps = Omit<
  SecurityGroupProps,
  'allowAllOutbound' | 'disableInlineRules'
>;

/**
 * A security group with no outbound traffic but the rules added to it. CDK writes a rule to
 * another security group or a prefix list as a separate `AWS::EC2::SecurityGroupEgress` and
 * drops its placeholder rule; a group whose own `SecurityGroupEgress` is then empty gets
 * CloudFormation's default allow-all egress, which a separate rule does not remove. So egress
 * rules are written on the group itself, and the placeholder goes only when one is.
 *
 * A rule to another group of this kind in the same stack is the exception: it is a separate
 * resource, like every ingress rule naming a group, so two groups that admit each other (two
 * services that call each other) do not reference each other in a cycle. Such a rule leaves
 * the placeholder in place, so a group with nothing else stays closed.
 */
export class InlineRulesSecurityGroup extends SecurityGroup {
  constructor(scope: Construct, id: string, props: InlineRulesSecurityGroupProps) {
    super(scope, id, { ...props, allowAllOutbound: false, disableInlineRules: false });
  }

  override addEgressRule(peer: IPeer, connection: Port, description?: string, remoteRule?: boolean): void {
    if (!connection.canInlineRule) {
      throw new InvalidPropError(
        this.node.path,
        'egress port',
        connection.toString(),
        'give concrete port numbers: a rule with token ports cannot be written on the group and the group would fall back to allow-all egress',
      );
    }
    if (peer instanceof InlineRulesSecurityGroup && Stack.of(peer) === Stack.of(this)) {
      this.addSeparateEgressRule(peer, connection, description ?? `to ${peer.uniqueId}:${connection}`);
      return;
    }
    super.addEgressRule(
      peer.canInlineRule ? peer : new InlinePeer(peer),
      connection,
      description,
      remoteRule,
    );
  }

  /** The rule as its own resource beside the group, named as CDK names a separate rule. */
  private addSeparateEgressRule(peer: ISecurityGroup, connection: Port, description: string): void {
    const id = `to ${peer.uniqueId}:${connection}`.replace('/', '_');
    if (this.node.tryFindChild(id) !== undefined) return;
    new CfnSecurityGroupEgress(this, id, {
      groupId: this.securityGroupId,
      ...peer.toEgressRuleConfig(),
      ...connection.toRuleJson(),
      description,
    });
  }
}

/** The same peer, marked as one CloudFormation accepts inside the group's own rule list. */
class InlinePeer implements IPeer {
  readonly canInlineRule = true;
  readonly connections: Connections;
  readonly uniqueId: string;

  constructor(private readonly peer: IPeer) {
    this.uniqueId = peer.uniqueId;
    this.connections = new Connections({ peer: this });
  }

  toIngressRuleConfig(): IngressRuleConfig {
    return this.peer.toIngressRuleConfig();
  }

  toEgressRuleConfig(): EgressRuleConfig {
    return this.peer.toEgressRuleConfig();
  }
}
