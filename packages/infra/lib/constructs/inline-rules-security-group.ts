import {
  Connections,
  SecurityGroup,
  type EgressRuleConfig,
  type IngressRuleConfig,
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
 * A security group with no outbound traffic but the rules added to it, all written on the
 * group itself. CDK writes a rule to another security group or a prefix list as a separate
 * `AWS::EC2::SecurityGroupEgress` and drops its placeholder rule; a group whose own
 * `SecurityGroupEgress` is then empty gets CloudFormation's default allow-all egress, which a
 * separate rule does not remove. Writing every egress rule inline keeps the group closed.
 *
 * Only egress is inlined: ingress rules naming another group stay separate resources, so two
 * groups that admit each other do not reference each other in a cycle.
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
    super.addEgressRule(
      peer.canInlineRule ? peer : new InlinePeer(peer),
      connection,
      description,
      remoteRule,
    );
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
