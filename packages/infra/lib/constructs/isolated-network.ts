import {
  GatewayVpcEndpointAwsService,
  InterfaceVpcEndpointAwsService,
  IpAddresses,
  Peer,
  Port,
  SecurityGroup,
  SubnetType,
  Vpc,
  type ISecurityGroup,
  type IVpc,
  type SubnetSelection,
} from 'aws-cdk-lib/aws-ec2';
import { Construct } from 'constructs';
import { acknowledge } from '../acknowledge.js';

/** Interface endpoints every isolated workload needs, since no subnet has a route to the internet. */
export const INTERFACE_ENDPOINTS = {
  EcrApi: InterfaceVpcEndpointAwsService.ECR,
  EcrDocker: InterfaceVpcEndpointAwsService.ECR_DOCKER,
  Logs: InterfaceVpcEndpointAwsService.CLOUDWATCH_LOGS,
  SecretsManager: InterfaceVpcEndpointAwsService.SECRETS_MANAGER,
  Kms: InterfaceVpcEndpointAwsService.KMS,
  Sqs: InterfaceVpcEndpointAwsService.SQS,
  Sts: InterfaceVpcEndpointAwsService.STS,
  Ssm: InterfaceVpcEndpointAwsService.SSM,
} as const;

export interface IsolatedNetworkProps {
  /** IPv4 range of the VPC. */
  readonly cidr: string;
  /** Availability zones, explicit so synth does not look them up. */
  readonly availabilityZones: readonly string[];
}

/**
 * A VPC with no NAT gateway and no route to the internet from any private subnet.
 * Subnet groups: `edge` (public, load balancer only, no public IPs on launch), `app`
 * (isolated: tasks, functions, endpoints) and `data` (isolated: database). AWS APIs are
 * reached through an S3 gateway endpoint and interface endpoints with private DNS.
 * The default security group is stripped of all rules.
 */
export class IsolatedNetwork extends Construct {
  readonly vpc: IVpc;
  /** Public subnets, for the internet-facing load balancer only. */
  readonly edgeSubnets: SubnetSelection;
  /** Isolated subnets for ECS tasks, Lambda functions and the interface endpoints. */
  readonly appSubnets: SubnetSelection;
  /** Isolated subnets for the database. */
  readonly dataSubnets: SubnetSelection;
  /** Attached to every interface endpoint: HTTPS from inside the VPC only. */
  readonly endpointSecurityGroup: ISecurityGroup;

  constructor(scope: Construct, id: string, props: IsolatedNetworkProps) {
    super(scope, id);
    const vpc = new Vpc(this, 'Vpc', {
      ipAddresses: IpAddresses.cidr(props.cidr),
      availabilityZones: [...props.availabilityZones],
      natGateways: 0,
      restrictDefaultSecurityGroup: true,
      subnetConfiguration: [
        { name: 'edge', subnetType: SubnetType.PUBLIC, cidrMask: 24, mapPublicIpOnLaunch: false },
        { name: 'app', subnetType: SubnetType.PRIVATE_ISOLATED, cidrMask: 21 },
        { name: 'data', subnetType: SubnetType.PRIVATE_ISOLATED, cidrMask: 24 },
      ],
    });
    this.vpc = vpc;
    this.edgeSubnets = { subnetGroupName: 'edge' };
    this.appSubnets = { subnetGroupName: 'app' };
    this.dataSubnets = { subnetGroupName: 'data' };

    const endpointSecurityGroup = new SecurityGroup(this, 'EndpointSecurityGroup', {
      vpc,
      description: 'Interface endpoints: HTTPS from inside the VPC only',
      allowAllOutbound: false,
    });
    endpointSecurityGroup.addIngressRule(Peer.ipv4(props.cidr), Port.tcp(443), 'HTTPS from inside the VPC');
    this.endpointSecurityGroup = endpointSecurityGroup;

    vpc.addGatewayEndpoint('S3', {
      service: GatewayVpcEndpointAwsService.S3,
      subnets: [this.appSubnets, this.dataSubnets],
    });
    for (const [name, service] of Object.entries(INTERFACE_ENDPOINTS)) {
      vpc.addInterfaceEndpoint(name, {
        service,
        subnets: this.appSubnets,
        privateDnsEnabled: true,
        open: false,
        securityGroups: [endpointSecurityGroup],
      });
    }

    acknowledge(
      vpc,
      ['CloudFormation-Validate::W3010'],
      'Availability zones come from the environment config on purpose: synth must not look them up, and the AZ names are validated against the region before any construct exists.',
    );
    for (const subnet of vpc.publicSubnets) {
      acknowledge(
        subnet,
        [
          'HIPAA.Security-VPCNoUnrestrictedRouteToIGW',
          'NIST.800.53.R5-VPCNoUnrestrictedRouteToIGW',
          'PCI.DSS.321-VPCNoUnrestrictedRouteToIGW',
        ],
        'Public edge subnet holds only the internet-facing ALB (HTTPS behind WAF); tasks, functions and the database sit in isolated subnets with no route to the internet gateway.',
      );
    }
  }
}
