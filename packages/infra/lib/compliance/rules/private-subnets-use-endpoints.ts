import type { CfnResource } from 'aws-cdk-lib';
import { NagRuleCompliance, type NagRuleResult } from 'cdk-nag';
import {
  arrayAt,
  flattenString,
  isTrue,
  logicalIdOf,
  referencedLogicalId,
  stackResources,
  templateProperties,
} from './values.js';

/**
 * AWS services that tasks and functions in private subnets call, by endpoint service
 * suffix: ECR (API, registry, and S3 from which ECR serves image layers), CloudWatch
 * Logs, Secrets Manager, KMS, SQS and STS.
 */
export const REQUIRED_ENDPOINT_SERVICES: readonly string[] = [
  'ecr.api',
  'ecr.dkr',
  's3',
  'logs',
  'secretsmanager',
  'kms',
  'sqs',
  'sts',
];

const DEFAULT_ROUTES = new Set(['0.0.0.0/0', '::/0']);

interface TemplateResource {
  readonly id: string;
  readonly type: string;
  readonly properties: Record<string, unknown>;
}

function isPublicSubnet(properties: Record<string, unknown>): boolean {
  const subnetType = arrayAt(properties, 'Tags').find((tag) => tag.Key === 'aws-cdk:subnet-type')?.Value;
  if (subnetType !== undefined) return subnetType === 'Public';
  return isTrue(properties.MapPublicIpOnLaunch);
}

/** `com.amazonaws.<region>.ecr.api` -> `ecr.api` */
function endpointService(properties: Record<string, unknown>): string {
  return flattenString(properties.ServiceName).replace(/^.*?amazonaws\.[^.]+\./, '');
}

/**
 * Private subnets reach AWS APIs only through VPC endpoints: the VPC has an endpoint
 * (interface endpoints with private DNS) for every service in
 * `REQUIRED_ENDPOINT_SERVICES`, and no private subnet's route table has a default
 * route (to an internet gateway, NAT gateway or anything else).
 *
 * The rule runs on the VPC and reads the subnets, route tables and endpoints of the
 * VPC's stack. Findings: `MissingEndpoint::<service>`, `PrivateDnsOff::<service>`,
 * `InternetRoute::<subnet logical id>`.
 */
export function PrivateSubnetsUseEndpoints(node: CfnResource): NagRuleResult {
  if (node.cfnResourceType !== 'AWS::EC2::VPC') return NagRuleCompliance.NOT_APPLICABLE;
  const vpcId = logicalIdOf(node);
  const resources: TemplateResource[] = stackResources(node).map((resource) => ({
    id: logicalIdOf(resource),
    type: resource.cfnResourceType,
    properties: templateProperties(resource),
  }));
  const ofType = (type: string): TemplateResource[] => resources.filter((resource) => resource.type === type);
  const inVpc = (resource: TemplateResource): boolean =>
    referencedLogicalId(resource.properties.VpcId) === vpcId;
  const findings: string[] = [];

  const endpoints = ofType('AWS::EC2::VPCEndpoint').filter(inVpc);
  for (const service of REQUIRED_ENDPOINT_SERVICES) {
    const endpoint = endpoints.find((candidate) => endpointService(candidate.properties) === service);
    if (endpoint === undefined) {
      findings.push(`MissingEndpoint::${service}`);
    } else if (
      endpoint.properties.VpcEndpointType === 'Interface' &&
      !isTrue(endpoint.properties.PrivateDnsEnabled)
    ) {
      findings.push(`PrivateDnsOff::${service}`);
    }
  }

  const routeTableOfSubnet = new Map<string | undefined, string | undefined>(
    ofType('AWS::EC2::SubnetRouteTableAssociation').map((association) => [
      referencedLogicalId(association.properties.SubnetId),
      referencedLogicalId(association.properties.RouteTableId),
    ]),
  );
  const routeTablesWithDefaultRoute = new Set(
    ofType('AWS::EC2::Route')
      .filter(
        ({ properties }) =>
          DEFAULT_ROUTES.has(String(properties.DestinationCidrBlock)) ||
          DEFAULT_ROUTES.has(String(properties.DestinationIpv6CidrBlock)),
      )
      .map(({ properties }) => referencedLogicalId(properties.RouteTableId)),
  );
  for (const subnet of ofType('AWS::EC2::Subnet').filter(inVpc)) {
    if (isPublicSubnet(subnet.properties)) continue;
    if (routeTablesWithDefaultRoute.has(routeTableOfSubnet.get(subnet.id))) {
      findings.push(`InternetRoute::${subnet.id}`);
    }
  }
  return findings.length === 0 ? NagRuleCompliance.COMPLIANT : findings;
}
