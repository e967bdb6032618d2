import { App, Stack } from 'aws-cdk-lib';
import { CertificateValidation } from 'aws-cdk-lib/aws-certificatemanager';
import {
  InstanceClass,
  InstanceSize,
  InstanceType,
  SecurityGroup,
  SubnetType,
  Vpc,
} from 'aws-cdk-lib/aws-ec2';
import { Cluster } from 'aws-cdk-lib/aws-ecs';
import { Repository } from 'aws-cdk-lib/aws-ecr';
import { Key } from 'aws-cdk-lib/aws-kms';
import { DatabaseInstance, DatabaseInstanceEngine, PostgresEngineVersion } from 'aws-cdk-lib/aws-rds';
import { Queue, QueueEncryption } from 'aws-cdk-lib/aws-sqs';
import { readCdkContext } from '../../lib/citadel-app.js';
import type { ApiServiceProps } from '../../lib/constructs/api-service.js';
import { LoadBalancedEdge } from '../../lib/constructs/load-balanced-edge.js';
import type { WorkloadPlatform } from '../../lib/platform/platform.js';

/** A small stack with what Citadel's workload constructs expect from earlier layers. */
export function workloadFixture() {
  const app = new App({ context: readCdkContext() });
  const stack = new Stack(app, 'Fixture', { env: { account: '123456789012', region: 'eu-west-1' } });
  const vpc = new Vpc(stack, 'Vpc', {
    availabilityZones: ['eu-west-1a', 'eu-west-1b'],
    natGateways: 0,
    subnetConfiguration: [
      { name: 'edge', subnetType: SubnetType.PUBLIC },
      { name: 'app', subnetType: SubnetType.PRIVATE_ISOLATED },
    ],
  });
  const key = new Key(stack, 'Key');
  const database = new DatabaseInstance(stack, 'Database', {
    engine: DatabaseInstanceEngine.postgres({ version: PostgresEngineVersion.VER_17 }),
    instanceType: InstanceType.of(InstanceClass.T4G, InstanceSize.MICRO),
    vpc,
    vpcSubnets: { subnetType: SubnetType.PRIVATE_ISOLATED },
    iamAuthentication: true,
  });
  const queue = new Queue(stack, 'Queue', { encryption: QueueEncryption.KMS, encryptionMasterKey: key });
  const repository = new Repository(stack, 'Repository');
  let edge: LoadBalancedEdge | undefined;
  /** The load balancer, created on first use (its HTTPS listener needs a target before synth). */
  const edgeOf = (): LoadBalancedEdge =>
    (edge ??= new LoadBalancedEdge(stack, 'Edge', {
      vpc,
      vpcSubnets: { subnetType: SubnetType.PUBLIC },
      domainName: 'api.example.com',
      certificateValidation: CertificateValidation.fromDns(),
      deletionProtection: true,
      accessLogRetentionDays: 90,
    }));
  return { app, stack, vpc, key, database, queue, repository, edge: edgeOf };
}

/** Props of an ApiService in `fixture`, with a key URL for the identity provider and a small size. */
export function apiServiceProps(
  fixture: ReturnType<typeof workloadFixture>,
  overrides: Partial<ApiServiceProps> = {},
): ApiServiceProps {
  return {
    vpc: fixture.vpc,
    vpcSubnets: { subnetType: SubnetType.PRIVATE_ISOLATED },
    repository: fixture.repository,
    imageTag: 'v1.2.3',
    listener: fixture.edge().httpsListener,
    database: fixture.database,
    paymentsQueue: fixture.queue,
    auth: {
      jwksUrl: 'https://idp.example.com/jwks.json',
      issuer: 'https://idp.example.com/',
      audience: 'citadel',
    },
    logPolicy: { key: fixture.key, retentionDays: 90 },
    cpu: 256,
    memoryMiB: 512,
    minTasks: 1,
    maxTasks: 2,
    cpuTargetPercent: 60,
    requestsPerTarget: 500,
    ...overrides,
  };
}

/** A platform in `fixture` for workload constructs: its key for logs and messages, a cluster, the isolated subnets. */
export function workloadPlatform(
  fixture: ReturnType<typeof workloadFixture>,
  environmentName = 'staging',
  retentionDays = 180,
): WorkloadPlatform {
  return {
    environmentName,
    logPolicy: { key: fixture.key, retentionDays },
    messagesKey: fixture.key,
    functionEnvironmentKey: fixture.key,
    placement: {
      vpc: fixture.vpc,
      subnets: { subnetType: SubnetType.PRIVATE_ISOLATED },
      securityGroup: new SecurityGroup(fixture.stack, 'WorkloadGroup', {
        vpc: fixture.vpc,
        allowAllOutbound: false,
      }),
    },
    database: {
      instance: fixture.database,
      name: 'citadel',
      caBundlePath: '/etc/ssl/certs/rds-global-bundle.pem',
    },
    cluster: new Cluster(fixture.stack, 'Cluster', { vpc: fixture.vpc }),
  };
}
