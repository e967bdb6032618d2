import { Aws, Stack, Token } from 'aws-cdk-lib';
import {
  GatewayVpcEndpointAwsService,
  InterfaceVpcEndpointAwsService,
  IpAddresses,
  Peer,
  Port,
  SecurityGroup,
  SubnetType,
  Vpc,
  type GatewayVpcEndpoint,
  type InterfaceVpcEndpoint,
  type ISecurityGroup,
  type IVpc,
  type SubnetSelection,
} from 'aws-cdk-lib/aws-ec2';
import { AnyPrincipal, PolicyStatement } from 'aws-cdk-lib/aws-iam';
import { RegionInfo } from 'aws-cdk-lib/region-info';
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
  Backup: InterfaceVpcEndpointAwsService.BACKUP,
} as const;

export type InterfaceEndpointName = keyof typeof INTERFACE_ENDPOINTS;

/**
 * Calls that name no resource, so a request may carry no `aws:ResourceAccount` for the
 * account-to-account statement to match: admitted for this account's identities alone.
 * `ecr:GetAuthorizationToken` is the first call of every image pull.
 */
export const CALLS_WITHOUT_RESOURCE: Readonly<Partial<Record<InterfaceEndpointName, readonly string[]>>> = {
  EcrApi: ['ecr:GetAuthorizationToken'],
  Sts: ['sts:GetCallerIdentity'],
};

export interface IsolatedNetworkProps {
  /** IPv4 range of the VPC. */
  readonly cidr: string;
  /** Availability zones, explicit so synth does not look them up. */
  readonly availabilityZones: readonly string[];
  /**
   * An interface endpoint for the Lambda API too, for workloads that invoke functions.
   * @default false
   */
  readonly lambdaEndpoint?: boolean;
}

/**
 * A VPC with no NAT gateway and no route to the internet from any private subnet.
 * Subnet groups: `edge` (public, load balancer only, no public IPs on launch), `app`
 * (isolated: tasks, functions, endpoints) and `data` (isolated: database). AWS APIs are
 * reached through an S3 gateway endpoint and interface endpoints with private DNS.
 * The default security group is stripped of all rules.
 *
 * Every endpoint has a policy. Interface endpoints carry only calls by identities of this
 * account to resources of this account (`aws:PrincipalAccount`, `aws:ResourceAccount`), so
 * stolen credentials of another account cannot move data out through them. The S3 gateway
 * endpoint admits the same, plus reads of ECR image layers from the AWS-owned
 * `prod-<region>-starport-layer-bucket`: ECR hands out URLs signed by its own account for them.
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
  /** The S3 gateway endpoint of the app and data subnets. */
  readonly s3Endpoint: GatewayVpcEndpoint;
  /** The interface endpoints, by name, each with the account-only endpoint policy. */
  readonly interfaceEndpoints: Readonly<Record<InterfaceEndpointName, InterfaceVpcEndpoint>>;
  /** @default - undefined without `lambdaEndpoint` */
  readonly lambdaEndpoint?: InterfaceVpcEndpoint;

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

    const { account, region } = Stack.of(this);
    // A literal partition keeps the bucket ARN readable to tools that evaluate the template offline.
    const partition = Token.isUnresolved(region)
      ? Aws.PARTITION
      : (RegionInfo.get(region).partition ?? Aws.PARTITION);
    const withinAccount = {
      StringEquals: { 'aws:PrincipalAccount': account, 'aws:ResourceAccount': account },
    };

    this.s3Endpoint = vpc.addGatewayEndpoint('S3', {
      service: GatewayVpcEndpointAwsService.S3,
      subnets: [this.appSubnets, this.dataSubnets],
    });
    this.s3Endpoint.addToPolicy(
      new PolicyStatement({
        sid: 'EcrImageLayers',
        principals: [new AnyPrincipal()],
        actions: ['s3:GetObject'],
        resources: [`arn:${partition}:s3:::prod-${region}-starport-layer-bucket/*`],
      }),
    );
    this.s3Endpoint.addToPolicy(
      new PolicyStatement({
        sid: 'AccountIdentitiesToAccountBuckets',
        principals: [new AnyPrincipal()],
        actions: ['s3:*'],
        resources: ['*'],
        conditions: withinAccount,
      }),
    );

    const interfaceEndpoints: Partial<Record<InterfaceEndpointName | 'Lambda', InterfaceVpcEndpoint>> = {};
    const services = {
      ...INTERFACE_ENDPOINTS,
      ...(props.lambdaEndpoint ? { Lambda: InterfaceVpcEndpointAwsService.LAMBDA } : {}),
    };
    for (const [name, service] of Object.entries(services) as [
      InterfaceEndpointName,
      InterfaceVpcEndpointAwsService,
    ][]) {
      const endpoint = vpc.addInterfaceEndpoint(name, {
        service,
        subnets: this.appSubnets,
        privateDnsEnabled: true,
        open: false,
        securityGroups: [endpointSecurityGroup],
      });
      endpoint.addToPolicy(
        new PolicyStatement({
          sid: 'AccountIdentitiesToAccountResources',
          principals: [new AnyPrincipal()],
          actions: ['*'],
          resources: ['*'],
          conditions: withinAccount,
        }),
      );
      const callsWithoutResource = CALLS_WITHOUT_RESOURCE[name];
      if (callsWithoutResource) {
        endpoint.addToPolicy(
          new PolicyStatement({
            sid: 'AccountIdentitiesCallsWithoutResource',
            principals: [new AnyPrincipal()],
            actions: [...callsWithoutResource],
            resources: ['*'],
            conditions: { StringEquals: { 'aws:PrincipalAccount': account } },
          }),
        );
      }
      interfaceEndpoints[name] = endpoint;
    }
    const { Lambda: lambdaEndpoint, ...required } = interfaceEndpoints;
    this.interfaceEndpoints = required as Record<InterfaceEndpointName, InterfaceVpcEndpoint>;
    if (lambdaEndpoint) this.lambdaEndpoint = lambdaEndpoint;

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
