import type { ISecurityGroup, IVpc, SubnetSelection } from 'aws-cdk-lib/aws-ec2';
import type { ICluster } from 'aws-cdk-lib/aws-ecs';
import type { IKey } from 'aws-cdk-lib/aws-kms';
import type { IDatabaseInstance } from 'aws-cdk-lib/aws-rds';

/** How every log group of an environment is kept: one key, one retention. */
export interface LogPolicy {
  /** Customer-managed KMS key every log group is encrypted with. */
  readonly key: IKey;
  /** Days log events are kept (a CloudWatch Logs value, at least 90). */
  readonly retentionDays: number;
}

/** Where workload tasks run: private subnets without a route to the internet. */
export interface NetworkPlacement {
  readonly vpc: IVpc;
  readonly subnets: SubnetSelection;
  /** Reaches the VPC endpoints and the database, nothing else. */
  readonly securityGroup: ISecurityGroup;
}

/** The database workloads sign in to, each as its own IAM-authenticated role. */
export interface DatabaseIdentity {
  readonly instance: IDatabaseInstance;
  /** Database name. */
  readonly name: string;
  /** Path of the RDS CA bundle inside Citadel's images, for TLS verification. */
  readonly caBundlePath: string;
}

/**
 * What an environment gives every workload, created once per environment and passed to
 * workload constructs as one typed prop: the owner of the log policy, the network
 * placement, the database identity and the cluster. Workload constructs read these and
 * never an environment config.
 */
export interface WorkloadPlatform {
  readonly environmentName: string;
  readonly logPolicy: LogPolicy;
  /** Customer-managed key of every queue a workload owns. */
  readonly messagesKey: IKey;
  /** Customer-managed key that encrypts a function workload's environment variables at rest. */
  readonly functionEnvironmentKey: IKey;
  readonly placement: NetworkPlacement;
  readonly database: DatabaseIdentity;
  readonly cluster: ICluster;
}
