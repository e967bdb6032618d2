import { type ISecurityGroup, type IVpc, Peer, Port, SecurityGroup } from 'aws-cdk-lib/aws-ec2';
import type { IDatabaseInstance } from 'aws-cdk-lib/aws-rds';
import type { Construct } from 'constructs';

/**
 * The security group of a workload in the isolated subnets that talks to the database:
 * no outbound traffic but HTTPS to the VPC endpoints and PostgreSQL to `database`, whose
 * own group gets the matching ingress rule.
 */
export function createDatabaseClientSecurityGroup(
  scope: Construct,
  props: { readonly vpc: IVpc; readonly database: IDatabaseInstance; readonly description: string },
): ISecurityGroup {
  const group = new SecurityGroup(scope, 'SecurityGroup', {
    vpc: props.vpc,
    description: props.description,
    allowAllOutbound: false,
  });
  group.addEgressRule(
    Peer.anyIpv4(),
    Port.tcp(443),
    'AWS APIs through VPC endpoints; the subnets have no route to the internet',
  );
  group.connections.allowToDefaultPort(props.database, 'PostgreSQL with IAM authentication and TLS');
  return group;
}
