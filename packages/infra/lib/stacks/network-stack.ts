import { Peer, Port, type ISecurityGroup, type IVpc, type SubnetSelection } from 'aws-cdk-lib/aws-ec2';
import type { IBucket } from 'aws-cdk-lib/aws-s3';
import type { Construct } from 'constructs';
import type { EnvironmentConfig } from '../../config/index.js';
import { DataKeys } from '../constructs/data-keys.js';
import { InlineRulesSecurityGroup } from '../constructs/inline-rules-security-group.js';
import { IsolatedNetwork } from '../constructs/isolated-network.js';
import { SecureBucket } from '../constructs/secure-bucket.js';
import { recoverySiteOf } from './recovery-stack.js';
import { VpcFlowLogs } from '../constructs/vpc-flow-logs.js';
import type { LogPolicy } from '../platform/platform.js';
import { s3PrefixListId } from '../s3-prefix-lists.js';
import { CitadelStack } from './citadel-stack.js';
import { MIN_LOG_RETENTION_DAYS } from '../../policy/workload-policy.js';

export interface NetworkStackProps {
  readonly config: EnvironmentConfig;
  /** An interface endpoint for the Lambda API, when workloads invoke functions. @default false */
  readonly lambdaEndpoint?: boolean;
}

/**
 * VPC, endpoints, flow logs and the environment's KMS keys. The keys live here, the
 * first stack every data-holding stack depends on, so that logs, queues and the
 * database of later layers can all be encrypted without a backward reference.
 */
export class NetworkStack extends CitadelStack {
  readonly vpc: IVpc;
  readonly edgeSubnets: SubnetSelection;
  readonly appSubnets: SubnetSelection;
  readonly dataSubnets: SubnetSelection;
  readonly endpointSecurityGroup: ISecurityGroup;
  /** For the ECS service's tasks: reaches the endpoints and the database; ingress is added by the load balancer. */
  readonly serviceSecurityGroup: ISecurityGroup;
  /** For Lambda functions in the VPC (payment processor, database bootstrap): reaches the endpoints and the database. */
  readonly functionSecurityGroup: ISecurityGroup;
  readonly keys: DataKeys;
  /** How every log group of the environment is kept: the logs key and the configured retention. */
  readonly logPolicy: LogPolicy;
  /** SSE-S3 bucket that receives S3 server access logs of every Citadel bucket in the environment. */
  readonly accessLogsBucket: IBucket;
  readonly flowLogs: VpcFlowLogs;

  constructor(scope: Construct, props: NetworkStackProps) {
    super(scope, {
      config: props.config,
      layer: 'network',
      description: 'VPC, endpoints, flow logs and KMS keys',
    });
    const { config } = props;

    this.keys = new DataKeys(this, 'Keys', { environmentName: config.name });
    this.logPolicy = { key: this.keys.logs, retentionDays: config.logRetentionDays };
    const network = new IsolatedNetwork(this, 'Network', {
      cidr: config.vpcCidr,
      availabilityZones: config.availabilityZones,
      ...(props.lambdaEndpoint ? { lambdaEndpoint: true } : {}),
    });
    this.vpc = network.vpc;
    this.edgeSubnets = network.edgeSubnets;
    this.appSubnets = network.appSubnets;
    this.dataSubnets = network.dataSubnets;
    this.endpointSecurityGroup = network.endpointSecurityGroup;

    this.accessLogsBucket = new SecureBucket(this, 'AccessLogs', {
      expirationDays: Math.max(config.logRetentionDays, MIN_LOG_RETENTION_DAYS),
    }).bucket;
    this.flowLogs = new VpcFlowLogs(this, 'FlowLogs', {
      vpc: this.vpc,
      logPolicy: this.logPolicy,
      accessLogsBucket: this.accessLogsBucket,
      recoverySite: recoverySiteOf(config),
    });

    this.serviceSecurityGroup = this.workloadSecurityGroup('ServiceSecurityGroup', 'Citadel API tasks');
    this.functionSecurityGroup = this.workloadSecurityGroup(
      'FunctionSecurityGroup',
      'Citadel functions in the VPC',
    );
  }

  /**
   * HTTPS only to the interface endpoints and to S3 through the gateway endpoint (image
   * layers), PostgreSQL only to the data subnets. The database's own group lives in the data
   * stack, which depends on this one, so the rule names the data subnets instead.
   */
  private workloadSecurityGroup(id: string, description: string): ISecurityGroup {
    const group = new InlineRulesSecurityGroup(this, id, { vpc: this.vpc, description });
    group.addEgressRule(
      this.endpointSecurityGroup,
      Port.tcp(443),
      'AWS APIs through the interface endpoints',
    );
    group.addEgressRule(
      Peer.prefixList(s3PrefixListId(this.node.path, this.region)),
      Port.tcp(443),
      'S3 through the gateway endpoint (ECR image layers)',
    );
    for (const subnet of this.vpc.selectSubnets(this.dataSubnets).subnets) {
      group.addEgressRule(Peer.ipv4(subnet.ipv4CidrBlock), Port.tcp(5432), 'PostgreSQL in a data subnet');
    }
    return group;
  }
}
