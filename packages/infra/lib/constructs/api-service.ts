import { Duration, Stack } from 'aws-cdk-lib';
import type { ISecurityGroup, IVpc, SubnetSelection } from 'aws-cdk-lib/aws-ec2';
import type { IRepository } from 'aws-cdk-lib/aws-ecr';
import {
  AwsLogDriver,
  Cluster,
  ContainerImage,
  ContainerInsights,
  CpuArchitecture,
  FargateService,
  FargateTaskDefinition,
  OperatingSystemFamily,
  Protocol,
  Secret,
} from 'aws-cdk-lib/aws-ecs';
import {
  ApplicationProtocol,
  type ApplicationListener,
  type ApplicationTargetGroup,
} from 'aws-cdk-lib/aws-elasticloadbalancingv2';
import { Grant, type IRole, Role, ServicePrincipal } from 'aws-cdk-lib/aws-iam';
import type { LogGroup } from 'aws-cdk-lib/aws-logs';
import type { IDatabaseInstance } from 'aws-cdk-lib/aws-rds';
import type { ISecret } from 'aws-cdk-lib/aws-secretsmanager';
import type { IQueue } from 'aws-cdk-lib/aws-sqs';
import { API_DEFAULT_PORT, API_ENV, API_HEALTH_PATH } from '@citadel/api/contract';
import { APP_ROLE, DATABASE_NAME } from '@citadel/db/roles';
import { Construct } from 'constructs';
import type { LogPolicy } from '../platform/platform.js';
import { acknowledge, acknowledgeOwnRolePolicy } from '../acknowledge.js';
import { EncryptedLogGroup } from './encrypted-log-group.js';
import { createDatabaseClientSecurityGroup } from './database-client-security-group.js';
import { grantDatabaseConnect } from './grant-database-connect.js';
import { InvalidPropError } from '../invalid-prop-error.js';
import {
  AUTH_PROBE_JWKS_VARIABLE,
  releaseBehindListener,
  releaseServiceProps,
  scaleOnRequestsAcrossGroups,
  type ReleasedTargets,
  type ServiceRelease,
} from '../workloads/progressive-deployment.js';

/** Port the API listens on inside the container: its own default, which `PORT` repeats. */
export const API_CONTAINER_PORT = API_DEFAULT_PORT;
/**
 * User and group the API runs as: the distroless image's `nonroot` (65532), the same as the
 * image's own USER, owning nothing on the read-only root filesystem.
 */
export const API_CONTAINER_USER = '65532:65532';
/** Where the API image keeps the RDS CA bundle it verifies the database certificate with. */
export const API_RDS_CA_BUNDLE_PATH = '/etc/ssl/certs/rds-global-bundle.pem';

const IMAGE_TAG = /^(sha256:[a-f0-9]{64}|[A-Za-z0-9_][A-Za-z0-9_.-]{0,127})$/;

/**
 * The identity provider whose tokens the API accepts. Give exactly one of `jwksParameterName`,
 * `jwks` and `jwksUrl`: the tasks run in subnets with no route to the internet, so they read
 * the keys the JWKS mirror keeps in SSM, or keys pinned at deploy time, or a `jwksUrl`
 * reachable from inside the VPC.
 */
export interface ApiAuthSettings {
  /**
   * SSM parameter the JWKS mirror keeps the provider's keys in (AUTH_JWKS_PARAMETER); the
   * task role also needs read access to it (`JwksMirror.grantRead`). @default - none
   */
  readonly jwksParameterName?: string;
  /** The provider's public JSON Web Key Set, as JSON (AUTH_JWKS). @default - none */
  readonly jwks?: string;
  /** A key URL reachable from inside the VPC (AUTH_JWKS_URL). @default - none */
  readonly jwksUrl?: string;
  readonly issuer: string;
  readonly audience: string;
  /**
   * Public key set of the pre-traffic check, as JSON (AUTH_PROBE_JWKS), when the environment
   * pins one. @default - none: the API accepts no check tokens
   */
  readonly probeJwks?: string;
}

/** Size and scaling of the API service; each environment's config gives one. */
export interface ApiServiceSizing {
  /** Fargate task CPU units (256, 512, 1024, 2048, 4096). */
  readonly cpu: number;
  /** Fargate task memory in MiB; must be a valid pairing with `cpu`. */
  readonly memoryMiB: number;
  /**
   * Lower autoscaling bound, and the task count of the first deploy (at least 1; 2 or more
   * keeps the service up during an AZ failure).
   */
  readonly minTasks: number;
  /** Upper autoscaling bound. */
  readonly maxTasks: number;
  /** Average CPU utilisation the service scales to hold, in percent (10–90). */
  readonly cpuTargetPercent: number;
  /** ALB requests per target the service scales to hold. */
  readonly requestsPerTarget: number;
}

export interface ApiServiceProps extends ApiServiceSizing {
  readonly vpc: IVpc;
  /** Subnets of the tasks; they get no public IP. */
  readonly vpcSubnets: SubnetSelection;
  /** Repository the API image is pulled from. */
  readonly repository: IRepository;
  /** Immutable image tag or `sha256:` digest in `repository`. `latest` is refused. */
  readonly imageTag: string;
  /** HTTPS listener the service registers with. */
  readonly listener: ApplicationListener;
  readonly database: IDatabaseInstance;
  /** @default DATABASE_NAME of @citadel/db/roles */
  readonly databaseName?: string;
  /** Database role the API signs in as with an IAM token. @default APP_ROLE of @citadel/db/roles */
  readonly databaseUser?: string;
  readonly paymentsQueue: IQueue;
  readonly auth: ApiAuthSettings;
  /** Largest payment amount the API accepts, in minor units. @default - the API's own default */
  readonly paymentAmountCap?: number;
  /** @default 'info' */
  readonly logLevel?: string;
  /** Values injected from Secrets Manager as environment variables. @default - none */
  readonly secrets?: Record<string, ISecret>;
  /** Key and retention of the API's log group: the environment's log policy. */
  readonly logPolicy: LogPolicy;
  /**
   * Security group of the tasks; it must reach the database and the VPC endpoints. The
   * load balancer adds its own ingress rule.
   * @default - a new group allowing 443 out (endpoints) and the database port to the database
   */
  readonly securityGroup?: ISecurityGroup;
  /** @default CpuArchitecture.X86_64 (what a default image build produces) */
  readonly cpuArchitecture?: CpuArchitecture;
  /** @default true */
  readonly containerInsights?: boolean;
  /** Interactive shells into running tasks. @default false */
  readonly enableExecuteCommand?: boolean;
  /**
   * How releases reach users and roll back (strategy, test listener, alarms).
   * @default - a rolling update with the circuit breaker and no deployment alarms
   */
  readonly release?: ServiceRelease;
}

/**
 * The Citadel API on ECS Fargate: a hardened task (non-root, read-only root filesystem,
 * health check, KMS-encrypted logs) behind the HTTPS listener, rolling back a failed
 * deployment and scaling on CPU and on requests per target.
 */
export class ApiService extends Construct {
  readonly cluster: Cluster;
  readonly service: FargateService;
  readonly taskDefinition: FargateTaskDefinition;
  readonly taskRole: IRole;
  readonly executionRole: IRole;
  readonly logGroup: LogGroup;
  readonly securityGroup: ISecurityGroup;
  /** Target group of the tasks behind the HTTPS listener. */
  readonly targetGroup: ApplicationTargetGroup;
  /** The target groups, rules and rollback alarms of a release. */
  readonly release: ReleasedTargets;

  constructor(scope: Construct, id: string, props: ApiServiceProps) {
    super(scope, id);
    validate(this.node.path, props);

    this.cluster = new Cluster(this, 'Cluster', {
      vpc: props.vpc,
      containerInsightsV2:
        props.containerInsights === false ? ContainerInsights.DISABLED : ContainerInsights.ENHANCED,
    });
    if (props.containerInsights === false) {
      acknowledge(
        this.cluster,
        ['AwsSolutions-ECS4'],
        'Container Insights is switched off by this environment config to save cost; service CPU and memory alarms still use the standard ECS metrics.',
      );
    }

    this.logGroup = new EncryptedLogGroup(this, 'Logs', {
      encryptionKey: props.logPolicy.key,
      retentionDays: props.logPolicy.retentionDays,
    }).logGroup;
    this.taskRole = new Role(this, 'TaskRole', {
      assumedBy: new ServicePrincipal('ecs-tasks.amazonaws.com'),
      description: 'Citadel API: database sign-in as the application user and payments queue sends',
    });
    this.executionRole = new Role(this, 'ExecutionRole', {
      assumedBy: new ServicePrincipal('ecs-tasks.amazonaws.com'),
      description: 'Citadel API task start: image pull, log delivery and secret injection',
    });

    this.taskDefinition = new FargateTaskDefinition(this, 'Task', {
      cpu: props.cpu,
      memoryLimitMiB: props.memoryMiB,
      taskRole: this.taskRole,
      executionRole: this.executionRole,
      runtimePlatform: {
        cpuArchitecture: props.cpuArchitecture ?? CpuArchitecture.X86_64,
        operatingSystemFamily: OperatingSystemFamily.LINUX,
      },
    });
    this.taskDefinition.addVolume({ name: 'tmp' });
    const container = this.taskDefinition.addContainer('api', {
      image: ContainerImage.fromEcrRepository(props.repository, props.imageTag),
      user: API_CONTAINER_USER,
      readonlyRootFilesystem: true,
      essential: true,
      portMappings: [{ containerPort: API_CONTAINER_PORT, protocol: Protocol.TCP }],
      logging: new AwsLogDriver({ logGroup: this.logGroup, streamPrefix: 'api' }),
      environment: this.environment(props),
      secrets: Object.fromEntries(
        Object.entries(props.secrets ?? {}).map(([name, secret]) => [
          name,
          Secret.fromSecretsManager(secret),
        ]),
      ),
      healthCheck: {
        command: [
          'CMD',
          'node',
          '-e',
          `fetch('http://127.0.0.1:${API_CONTAINER_PORT}${API_HEALTH_PATH}').then((r) => process.exit(r.ok ? 0 : 1), () => process.exit(1))`,
        ],
        interval: Duration.seconds(15),
        timeout: Duration.seconds(5),
        retries: 3,
        startPeriod: Duration.seconds(30),
      },
      stopTimeout: Duration.seconds(30),
    });
    container.addMountPoints({ containerPath: '/tmp', sourceVolume: 'tmp', readOnly: false });

    this.securityGroup = props.securityGroup ?? this.createSecurityGroup(props);

    this.service = new FargateService(this, 'Service', {
      cluster: this.cluster,
      taskDefinition: this.taskDefinition,
      vpcSubnets: props.vpcSubnets,
      securityGroups: [this.securityGroup],
      assignPublicIp: false,
      // No DesiredCount in the template: CloudFormation would set a scaled-out service back to
      // it on every deploy. ECS starts a new service with one task and registering the scalable
      // target below raises it to minTasks.
      minHealthyPercent: 100,
      maxHealthyPercent: 200,
      ...releaseServiceProps(props.release?.settings),
      healthCheckGracePeriod: Duration.seconds(60),
      enableExecuteCommand: props.enableExecuteCommand ?? false,
    });

    this.release = releaseBehindListener(
      this,
      this.service,
      props.listener,
      'Api',
      {
        port: API_CONTAINER_PORT,
        protocol: ApplicationProtocol.HTTP,
        deregistrationDelay: Duration.seconds(30),
        healthCheck: {
          path: API_HEALTH_PATH,
          healthyHttpCodes: '200',
          interval: Duration.seconds(15),
          healthyThresholdCount: 2,
          unhealthyThresholdCount: 3,
        },
      },
      // The API logs its auth_failed events here: its releases also roll back on a burst of them.
      props.release ? { ...props.release, authEventLogGroup: this.logGroup } : undefined,
    );
    this.targetGroup = this.release.targetGroup;

    const scaling = this.service.autoScaleTaskCount({
      minCapacity: props.minTasks,
      maxCapacity: props.maxTasks,
    });
    scaling.scaleOnCpuUtilization('Cpu', { targetUtilizationPercent: props.cpuTargetPercent });
    scaleOnRequestsAcrossGroups(scaling, this.release, props.requestsPerTarget);

    grantDatabaseConnect(this.taskRole, props.database, props.databaseUser ?? APP_ROLE);
    // Explicit rather than queue.grantSendMessages, which adds wildcard KMS actions.
    Grant.addToPrincipal({
      grantee: this.taskRole,
      actions: ['sqs:SendMessage', 'sqs:GetQueueAttributes', 'sqs:GetQueueUrl'],
      resourceArns: [props.paymentsQueue.queueArn],
    });
    if (props.paymentsQueue.encryptionMasterKey) {
      Grant.addToPrincipal({
        grantee: this.taskRole,
        actions: ['kms:GenerateDataKey', 'kms:Decrypt'],
        resourceArns: [props.paymentsQueue.encryptionMasterKey.keyArn],
      });
    }
    props.repository.grantPull(this.executionRole);

    acknowledge(
      this.taskDefinition,
      ['AwsSolutions-ECS2'],
      'The environment variables hold only non-secret settings (endpoints, names, log level); secrets reach the task only through Secrets Manager references.',
    );
    for (const role of [this.taskRole, this.executionRole]) {
      acknowledgeOwnRolePolicy(role);
    }
    if (props.enableExecuteCommand) {
      acknowledge(
        this.taskRole,
        ['AwsSolutions-IAM5[Resource::*]'],
        'ECS Exec is switched on by this environment config; its ssmmessages channel actions have no resource-level permissions and only open sessions into this task.',
      );
    }
    acknowledge(
      this.executionRole,
      ['AwsSolutions-IAM5[Resource::*]'],
      'ecr:GetAuthorizationToken has no resource-level permissions; image layer reads stay scoped to the API repository in separate statements.',
    );
  }

  private createSecurityGroup(props: ApiServiceProps): ISecurityGroup {
    return createDatabaseClientSecurityGroup(this, {
      vpc: props.vpc,
      database: props.database,
      description: 'Citadel API tasks: traffic from the load balancer only',
    });
  }

  private environment(props: ApiServiceProps): Record<string, string> {
    const environment: Record<string, string> = {
      // Read by Node.js and libraries in the image, not by the API's loader.
      NODE_ENV: 'production',
      [API_ENV.port]: String(API_CONTAINER_PORT),
      [API_ENV.awsRegion]: Stack.of(this).region,
      [API_ENV.databaseAuth]: 'iam',
      [API_ENV.databaseHost]: props.database.dbInstanceEndpointAddress,
      [API_ENV.databasePort]: props.database.dbInstanceEndpointPort,
      [API_ENV.databaseName]: props.databaseName ?? DATABASE_NAME,
      [API_ENV.databaseUser]: props.databaseUser ?? APP_ROLE,
      [API_ENV.databaseCaBundlePath]: API_RDS_CA_BUNDLE_PATH,
      [API_ENV.paymentsQueueUrl]: props.paymentsQueue.queueUrl,
      ...keySourceEnvironment(props.auth),
      [API_ENV.issuer]: props.auth.issuer,
      [API_ENV.audience]: props.auth.audience,
      [API_ENV.logLevel]: props.logLevel ?? 'info',
    };
    if (props.auth.probeJwks !== undefined) environment[AUTH_PROBE_JWKS_VARIABLE] = props.auth.probeJwks;
    if (props.paymentAmountCap !== undefined) {
      environment[API_ENV.paymentAmountCap] = String(props.paymentAmountCap);
    }
    return environment;
  }
}

function validate(path: string, props: ApiServiceProps): void {
  if (!IMAGE_TAG.test(props.imageTag) || props.imageTag === 'latest') {
    throw new InvalidPropError(
      path,
      'imageTag',
      props.imageTag,
      'pass an immutable release tag (for example a commit SHA) or "sha256:<64 hex>"; "latest" is refused',
    );
  }
  if (
    !Number.isInteger(props.minTasks) ||
    !Number.isInteger(props.maxTasks) ||
    !(props.minTasks >= 1 && props.minTasks <= props.maxTasks)
  ) {
    throw new InvalidPropError(
      path,
      'minTasks/maxTasks',
      [props.minTasks, props.maxTasks],
      'task counts must satisfy 1 <= minTasks <= maxTasks, whole numbers',
    );
  }
  for (const [name, value] of Object.entries(props.auth)) {
    if (typeof value !== 'string' || value.trim() === '') {
      throw new InvalidPropError(path, `auth.${name}`, value, "give the identity provider's value");
    }
  }
  const keySources = [props.auth.jwksParameterName, props.auth.jwks, props.auth.jwksUrl];
  if (keySources.filter((source) => source !== undefined).length !== 1) {
    throw new InvalidPropError(
      path,
      'auth.jwksParameterName/auth.jwks/auth.jwksUrl',
      keySources,
      'give exactly one of them',
    );
  }
  if (props.auth.jwks !== undefined && !isKeySet(props.auth.jwks)) {
    throw new InvalidPropError(
      path,
      'auth.jwks',
      props.auth.jwks,
      'give a JSON Web Key Set: {"keys":[{...public key...}]}',
    );
  }
}

function keySourceEnvironment(auth: ApiAuthSettings): Record<string, string> {
  if (auth.jwksParameterName !== undefined) return { [API_ENV.jwksParameter]: auth.jwksParameterName };
  if (auth.jwks !== undefined) return { [API_ENV.jwks]: auth.jwks };
  return { [API_ENV.jwksUrl]: auth.jwksUrl as string };
}

function isKeySet(json: string): boolean {
  try {
    const keys: unknown = (JSON.parse(json) as { keys?: unknown }).keys;
    return Array.isArray(keys) && keys.length > 0;
  } catch {
    return false;
  }
}
