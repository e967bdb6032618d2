import { Duration, Stack } from 'aws-cdk-lib';
import type { ISecurityGroup } from 'aws-cdk-lib/aws-ec2';
import type { IRepository } from 'aws-cdk-lib/aws-ecr';
import {
  AwsLogDriver,
  ContainerImage,
  CpuArchitecture,
  FargateTaskDefinition,
  OperatingSystemFamily,
  Protocol,
  Secret as EcsSecret,
  type ContainerDefinition,
} from 'aws-cdk-lib/aws-ecs';
import { Grant, Role, ServicePrincipal, type IGrantable, type IRole } from 'aws-cdk-lib/aws-iam';
import type { LogGroup } from 'aws-cdk-lib/aws-logs';
import type { ISecret } from 'aws-cdk-lib/aws-secretsmanager';
import type { IQueue } from 'aws-cdk-lib/aws-sqs';
import type { Construct } from 'constructs';
import { acknowledge, acknowledgeOwnRolePolicy } from '../acknowledge.js';
import { grantDatabaseConnect } from '../constructs/grant-database-connect.js';
import { InvalidPropError } from '../invalid-prop-error.js';
import type { WorkloadPlatform } from '../platform/platform.js';
import {
  ENVIRONMENT_VARIABLE,
  FARGATE_MEMORY_BY_CPU,
  isImmutableImageTag,
  PLATFORM_VARIABLES,
  WORKLOAD_NAME,
} from '../../policy/workload-policy.js';
import { createWorkloadLogGroup, createWorkloadSecurityGroup } from './workload-guardrails.js';
import type { WorkloadKind } from './workload-tags.js';

/** Numeric uid:gid every workload container runs as: never root, whatever the image says. */
export const WORKLOAD_CONTAINER_USER = '65532:65532';

export interface WorkloadTaskProps {
  readonly platform: WorkloadPlatform;
  readonly name: string;
  readonly kind: WorkloadKind;
  readonly repository: IRepository;
  /** Immutable tag or `sha256:` digest; `latest` is refused. */
  readonly imageTag: string;
  /** @default - the image's own command */
  readonly command?: readonly string[];
  readonly cpu: number;
  readonly memoryMiB: number;
  /** The container port, for services. @default - none */
  readonly port?: number;
  readonly environment?: Readonly<Record<string, string>>;
  /** Injected from Secrets Manager at task start; the value never enters the template. */
  readonly secrets?: Readonly<Record<string, ISecret>>;
  readonly databaseRole?: string;
  readonly sendsTo?: readonly IQueue[];
}

export interface WorkloadTask {
  readonly logGroup: LogGroup;
  readonly taskRole: IRole;
  readonly executionRole: IRole;
  readonly taskDefinition: FargateTaskDefinition;
  readonly container: ContainerDefinition;
  /** Egress to the VPC endpoints, S3 (image layers) and, with a database role, PostgreSQL; nothing else. */
  readonly securityGroup: ISecurityGroup;
}

/**
 * The guardrails every container workload inherits, created in `scope`: a KMS-encrypted
 * log group on the platform's log policy; a task role holding only what the workload
 * declares (its own database role by IAM, the queues it sends to) and a separate
 * execution role (image pull, log delivery, its secrets); a Fargate task that runs as a
 * non-root user on a read-only root filesystem with a writable /tmp; and a security group
 * that reaches only the endpoints, S3 and, when it uses it, the database.
 */
export function createWorkloadTask(scope: Construct, props: WorkloadTaskProps): WorkloadTask {
  validateTask(scope.node.path, props);
  const { platform } = props;
  const logGroup = createWorkloadLogGroup(scope, platform);
  const taskRole = new Role(scope, 'TaskRole', {
    assumedBy: new ServicePrincipal('ecs-tasks.amazonaws.com'),
    description: `Citadel ${props.kind} ${props.name}: only what the workload declares`,
  });
  const executionRole = new Role(scope, 'ExecutionRole', {
    assumedBy: new ServicePrincipal('ecs-tasks.amazonaws.com'),
    description: `Citadel ${props.kind} ${props.name} task start: image pull, log delivery, its secrets`,
  });
  const taskDefinition = new FargateTaskDefinition(scope, 'Task', {
    family: `citadel-${platform.environmentName}-${props.name}`,
    cpu: props.cpu,
    memoryLimitMiB: props.memoryMiB,
    taskRole,
    executionRole,
    runtimePlatform: {
      cpuArchitecture: CpuArchitecture.X86_64,
      operatingSystemFamily: OperatingSystemFamily.LINUX,
    },
  });
  taskDefinition.addVolume({ name: 'tmp' });
  const { database } = platform;
  const container = taskDefinition.addContainer(props.kind === 'job' ? 'job' : 'app', {
    image: ContainerImage.fromEcrRepository(props.repository, props.imageTag),
    ...(props.command ? { command: [...props.command] } : {}),
    user: WORKLOAD_CONTAINER_USER,
    readonlyRootFilesystem: true,
    essential: true,
    ...(props.port === undefined
      ? {}
      : { portMappings: [{ containerPort: props.port, protocol: Protocol.TCP, name: props.name }] }),
    logging: new AwsLogDriver({ logGroup, streamPrefix: props.name }),
    environment: {
      ...props.environment,
      AWS_REGION: Stack.of(scope).region,
      ...(props.databaseRole === undefined
        ? {}
        : {
            DB_AUTH: 'iam',
            DB_HOST: database.instance.dbInstanceEndpointAddress,
            DB_PORT: database.instance.dbInstanceEndpointPort,
            DB_NAME: database.name,
            DB_USER: props.databaseRole,
            DB_CA_BUNDLE_PATH: database.caBundlePath,
          }),
    },
    secrets: Object.fromEntries(
      Object.entries(props.secrets ?? {}).map(([name, secret]) => [
        name,
        EcsSecret.fromSecretsManager(secret),
      ]),
    ),
    stopTimeout: Duration.seconds(30),
  });
  container.addMountPoints({ containerPath: '/tmp', sourceVolume: 'tmp', readOnly: false });

  const securityGroup = createWorkloadSecurityGroup(scope, props);

  if (props.databaseRole !== undefined) grantDatabaseConnect(taskRole, database.instance, props.databaseRole);
  for (const queue of props.sendsTo ?? []) grantSendTo(taskRole, queue);
  props.repository.grantPull(executionRole);

  acknowledge(
    taskDefinition,
    ['AwsSolutions-ECS2'],
    'The environment variables hold only non-secret settings; secrets reach the task only through Secrets Manager references.',
  );
  for (const role of [taskRole, executionRole]) {
    acknowledgeOwnRolePolicy(role);
  }
  acknowledge(
    executionRole,
    ['AwsSolutions-IAM5[Resource::*]'],
    'ecr:GetAuthorizationToken has no resource-level permissions; image layer reads stay scoped to the repository in separate statements.',
  );
  return { logGroup, taskRole, executionRole, taskDefinition, container, securityGroup };
}

/**
 * Lets `grantee` send to `queue`, and encrypt what it sends with the queue's key: explicit
 * actions on that queue and key only (queue.grantSendMessages would add wildcard KMS actions).
 */
export function grantSendTo(grantee: IGrantable, queue: IQueue): void {
  Grant.addToPrincipal({
    grantee,
    actions: ['sqs:SendMessage', 'sqs:GetQueueAttributes', 'sqs:GetQueueUrl'],
    resourceArns: [queue.queueArn],
  });
  if (queue.encryptionMasterKey) {
    Grant.addToPrincipal({
      grantee,
      actions: ['kms:GenerateDataKey', 'kms:Decrypt'],
      resourceArns: [queue.encryptionMasterKey.keyArn],
    });
  }
}

/** The variable a sender reads a queue's URL from: `payments` → PAYMENTS_QUEUE_URL. */
export function queueUrlVariable(queueName: string): string {
  return `${queueName.toUpperCase().replaceAll('-', '_')}_QUEUE_URL`;
}

function validateTask(path: string, props: WorkloadTaskProps): void {
  if (!WORKLOAD_NAME.test(props.name)) {
    throw new InvalidPropError(
      path,
      'name',
      props.name,
      'use 2–32 lower-case letters, digits and hyphens, starting with a letter and not ending with a hyphen',
    );
  }
  if (!isImmutableImageTag(props.imageTag)) {
    throw new InvalidPropError(
      path,
      'imageTag',
      props.imageTag,
      'give an immutable tag or a sha256: digest, never latest',
    );
  }
  if (
    props.command &&
    (props.command.length === 0 || props.command.some((part) => part.length === 0 || part.includes('\u0000')))
  ) {
    throw new InvalidPropError(
      path,
      'command',
      props.command,
      'give the entrypoint arguments as non-empty strings',
    );
  }
  if (!FARGATE_MEMORY_BY_CPU[props.cpu]?.includes(props.memoryMiB)) {
    throw new InvalidPropError(
      path,
      'memoryMiB',
      props.memoryMiB,
      `not a Fargate size for ${props.cpu} CPU units`,
    );
  }
  for (const name of [...Object.keys(props.environment ?? {}), ...Object.keys(props.secrets ?? {})]) {
    if (!ENVIRONMENT_VARIABLE.test(name)) {
      throw new InvalidPropError(path, 'environment', name, 'use upper-case letters, digits and underscores');
    }
    if (PLATFORM_VARIABLES.includes(name)) {
      throw new InvalidPropError(
        path,
        'environment',
        name,
        'set by the platform; remove it from the workload',
      );
    }
  }
  const both = Object.keys(props.environment ?? {}).filter((name) =>
    Object.hasOwn(props.secrets ?? {}, name),
  );
  if (both.length > 0)
    throw new InvalidPropError(path, 'secrets', both, 'a variable is either a setting or a secret, not both');
}
