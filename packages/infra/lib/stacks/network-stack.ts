import {
  Peer,
  Port,
  SecurityGroup,
  type ISecurityGroup,
  type IVpc,
  type SubnetSelection,
} from 'aws-cdk-lib/aws-ec2';
import type { IBucket } from 'aws-cdk-lib/aws-s3';
import type { Construct } from 'constructs';
import type { EnvironmentConfig } from '../../config/index.js';
import { DataKeys } from '../constructs/data-keys.js';
import { IsolatedNetwork } from '../constructs/isolated-network.js';
import { SecureBucket } from '../constructs/secure-bucket.js';
import { VpcFlowLogs } from '../constructs/vpc-flow-logs.js';
import { CitadelStack } from './citadel-stack.js';

export interface NetworkStackProps {
  readonly config: EnvironmentConfig;
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
    const network = new IsolatedNetwork(this, 'Network', {
      cidr: config.vpcCidr,
      availabilityZones: config.availabilityZones,
    });
    this.vpc = network.vpc;
    this.edgeSubnets = network.edgeSubnets;
    this.appSubnets = network.appSubnets;
    this.dataSubnets = network.dataSubnets;
    this.endpointSecurityGroup = network.endpointSecurityGroup;

    this.accessLogsBucket = new SecureBucket(this, 'AccessLogs', {
      expirationDays: Math.max(config.logRetentionDays, 90),
    }).bucket;
    this.flowLogs = new VpcFlowLogs(this, 'FlowLogs', {
      vpc: this.vpc,
      logsKey: this.keys.logs,
      retentionDays: config.logRetentionDays,
      accessLogsBucket: this.accessLogsBucket,
    });

    this.serviceSecurityGroup = this.workloadSecurityGroup('ServiceSecurityGroup', 'Citadel API tasks');
    this.functionSecurityGroup = this.workloadSecurityGroup(
      'FunctionSecurityGroup',
      'Citadel functions in the VPC',
    );
  }

  private workloadSecurityGroup(id: string, description: string): ISecurityGroup {
    const group = new SecurityGroup(this, id, { vpc: this.vpc, description, allowAllOutbound: false });
    // No subnet routes to the internet: 443 reaches only the interface and S3 gateway endpoints.
    group.addEgressRule(Peer.anyIpv4(), Port.tcp(443), 'AWS APIs through the VPC endpoints');
    group.addEgressRule(Peer.ipv4(this.config.vpcCidr), Port.tcp(5432), 'PostgreSQL inside the VPC');
    return group;
  }
}
