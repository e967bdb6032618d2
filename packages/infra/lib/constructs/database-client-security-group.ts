import { Stack } from 'aws-cdk-lib';
import { type ISecurityGroup, type IVpc, Peer, Port } from 'aws-cdk-lib/aws-ec2';
import type { IDatabaseInstance } from 'aws-cdk-lib/aws-rds';
import type { Construct } from 'constructs';
import { s3PrefixListId } from '../s3-prefix-lists.js';
import { InlineRulesSecurityGroup } from './inline-rules-security-group.js';

/** Port every Citadel PostgreSQL instance listens on. */
export const POSTGRES_PORT = 5432;

/**
 * The security group of a workload in the isolated subnets that talks to the database:
 * no outbound traffic but HTTPS to the VPC's interface endpoints and to S3 through the
 * gateway endpoint, and PostgreSQL to `database`, whose own group gets the matching
 * ingress rule. Nothing leaves for 0.0.0.0/0, even where a route to the internet appears.
 */
export function createDatabaseClientSecurityGroup(
  scope: Construct,
  props: { readonly vpc: IVpc; readonly database: IDatabaseInstance; readonly description: string },
): ISecurityGroup {
  const group = createEndpointClientSecurityGroup(scope, props);
  // The instance's own port is a deploy-time attribute, and a token port cannot be written on
  // the group; Citadel's instances listen on PostgreSQL's default.
  group.connections.allowTo(
    props.database,
    Port.tcp(POSTGRES_PORT),
    'PostgreSQL with IAM authentication and TLS',
  );
  return group;
}

/**
 * The security group of a workload in the isolated subnets that talks only to AWS: HTTPS
 * to the VPC's interface endpoints and to S3 through the gateway endpoint, nothing else.
 */
export function createEndpointClientSecurityGroup(
  scope: Construct,
  props: { readonly vpc: IVpc; readonly description: string },
): ISecurityGroup {
  const group = new InlineRulesSecurityGroup(scope, 'SecurityGroup', {
    vpc: props.vpc,
    description: props.description,
  });
  group.addEgressRule(
    Peer.ipv4(props.vpc.vpcCidrBlock),
    Port.tcp(443),
    'AWS APIs through the interface endpoints inside the VPC',
  );
  group.addEgressRule(
    Peer.prefixList(s3PrefixListId(group.node.path, Stack.of(scope).region)),
    Port.tcp(443),
    'S3 through the gateway endpoint (ECR image layers)',
  );
  return group;
}
