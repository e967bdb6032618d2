import { Duration } from 'aws-cdk-lib';
import type { IRepository } from 'aws-cdk-lib/aws-ecr';
import { FargateService, type FargateTaskDefinition } from 'aws-cdk-lib/aws-ecs';
import {
  ApplicationProtocol,
  ListenerCondition,
  type ApplicationListener,
  type ApplicationTargetGroup,
} from 'aws-cdk-lib/aws-elasticloadbalancingv2';
import type { IRole } from 'aws-cdk-lib/aws-iam';
import type { INamespace } from 'aws-cdk-lib/aws-servicediscovery';
import type { LogGroup } from 'aws-cdk-lib/aws-logs';
import type { ISecret } from 'aws-cdk-lib/aws-secretsmanager';
import type { IQueue } from 'aws-cdk-lib/aws-sqs';
import { Construct } from 'constructs';
import { InvalidPropError } from '../invalid-prop-error.js';
import type { WorkloadPlatform } from '../platform/platform.js';
import { hostNameProblem } from '../../policy/workload-policy.js';
import { tagWorkload, type WorkloadKind } from './workload-tags.js';
import {
  releaseBehindListener,
  releaseServiceProps,
  shiftsTraffic,
  type ReleasedTargets,
  type ServiceRelease,
} from './progressive-deployment.js';
import { createWorkloadTask, grantSendTo, queueUrlVariable, type WorkloadTask } from './workload-task.js';

/** Size and scaling bounds of a long-running container workload. */
export interface ScaledSize {
  readonly cpu: number;
  readonly memoryMiB: number;
  readonly minTasks: number;
  readonly maxTasks: number;
  /** @default 60 */
  readonly cpuTargetPercent?: number;
}

export interface ContainerWorkloadProps {
  readonly platform: WorkloadPlatform;
  readonly name: string;
  readonly repository: IRepository;
  readonly imageTag: string;
  readonly command?: readonly string[];
  readonly size: ScaledSize;
  readonly environment?: Readonly<Record<string, string>>;
  readonly secrets?: Readonly<Record<string, ISecret>>;
  readonly databaseRole?: string;
  readonly sendsTo?: readonly IQueue[];
}

/**
 * A long-running Fargate service of a workload: the task guardrails of
 * `createWorkloadTask`, tasks in the platform's private subnets without a public IP, a
 * deployment that rolls back when new tasks fail to start, no DesiredCount in the
 * template (autoscaling owns it), and CPU target tracking between the size's bounds.
 */
export abstract class ContainerWorkload extends Construct {
  readonly name: string;
  readonly kind: WorkloadKind;
  readonly service: FargateService;
  readonly taskDefinition: FargateTaskDefinition;
  readonly taskRole: IRole;
  readonly executionRole: IRole;
  readonly logGroup: LogGroup;
  protected readonly task: WorkloadTask;

  protected constructor(
    scope: Construct,
    id: string,
    props: ContainerWorkloadProps,
    kind: WorkloadKind,
    extra: {
      readonly port?: number;
      readonly environment?: Readonly<Record<string, string>>;
      readonly release?: ServiceRelease;
    } = {},
  ) {
    super(scope, id);
    const { size } = props;
    if (
      !Number.isInteger(size.minTasks) ||
      size.minTasks < 1 ||
      size.maxTasks < size.minTasks ||
      size.maxTasks > 100
    ) {
      throw new InvalidPropError(this.node.path, 'size', size, 'give 1 ≤ minTasks ≤ maxTasks ≤ 100');
    }
    this.name = props.name;
    this.kind = kind;
    this.task = createWorkloadTask(this, {
      platform: props.platform,
      name: props.name,
      kind,
      repository: props.repository,
      imageTag: props.imageTag,
      cpu: size.cpu,
      memoryMiB: size.memoryMiB,
      environment: { ...props.environment, ...extra.environment },
      ...(props.command ? { command: props.command } : {}),
      ...(extra.port === undefined ? {} : { port: extra.port }),
      ...(props.secrets ? { secrets: props.secrets } : {}),
      ...(props.databaseRole === undefined ? {} : { databaseRole: props.databaseRole }),
      ...(props.sendsTo ? { sendsTo: props.sendsTo } : {}),
    });
    this.taskDefinition = this.task.taskDefinition;
    this.taskRole = this.task.taskRole;
    this.executionRole = this.task.executionRole;
    this.logGroup = this.task.logGroup;
    this.service = new FargateService(this, 'Service', {
      cluster: props.platform.cluster,
      taskDefinition: this.taskDefinition,
      vpcSubnets: props.platform.placement.subnets,
      securityGroups: [this.task.securityGroup],
      assignPublicIp: false,
      minHealthyPercent: 100,
      maxHealthyPercent: 200,
      ...releaseServiceProps(extra.release?.settings),
      enableExecuteCommand: false,
    });
    tagWorkload(this, props.name, kind);
  }

  private joinedNamespace: string | undefined;

  /**
   * Joins a Service Connect namespace as a client, once. An internal service is already in
   * its namespace as a server, which also lets it call the namespace's other services.
   */
  joinServiceConnect(namespace: INamespace): void {
    if (this.joinedNamespace === namespace.namespaceArn) return;
    if (this.joinedNamespace !== undefined)
      throw new InvalidPropError(
        this.node.path,
        'namespace',
        namespace.namespaceArn,
        'a service joins one Service Connect namespace; call services of the namespace it is in',
      );
    this.service.enableServiceConnect({ namespace: namespace.namespaceArn });
    this.joinedNamespace = namespace.namespaceArn;
  }

  /** Records that the service joined `namespace` itself (as a server). */
  protected joinedAsServer(namespace: INamespace): void {
    this.joinedNamespace = namespace.namespaceArn;
  }

  /** Lets the workload send to `queue` (encrypting with its key) and tells it the URL as `<NAME>_QUEUE_URL`. */
  sendTo(queueName: string, queue: IQueue): void {
    grantSendTo(this.taskRole, queue);
    this.addEnvironment(queueUrlVariable(queueName), queue.queueUrl);
  }

  /** Adds a non-secret setting to the workload's container. */
  addEnvironment(name: string, value: string): void {
    this.task.container.addEnvironment(name, value);
  }

  /** Scales the service between the size's bounds, on CPU. */
  protected scaleOnCpu(size: ScaledSize) {
    const scaling = this.service.autoScaleTaskCount({
      minCapacity: size.minTasks,
      maxCapacity: size.maxTasks,
    });
    scaling.scaleOnCpuUtilization('Cpu', { targetUtilizationPercent: size.cpuTargetPercent ?? 60 });
    return scaling;
  }
}

export interface PublicServiceProps extends ContainerWorkloadProps {
  /** Container port (unprivileged, 1024 or above). */
  readonly port: number;
  /** Path the load balancer's health check calls; under `pathPrefix` when there is one. */
  readonly healthPath: string;
  /**
   * Requests to this path and below go to this service.
   * @default - every path (of `host`, which is then required)
   */
  readonly pathPrefix?: string;
  /**
   * Requests for exactly this host name go to this service; a certificate for it must be on
   * the listener (ServiceHostnames puts it there) and its DNS record must name the load balancer.
   * @default - any host (then `pathPrefix` is required)
   */
  readonly host?: string;
  /** Listener rule priority, unique on the listener. */
  readonly priority: number;
  /** The environment's HTTPS listener. */
  readonly listener: ApplicationListener;
  /**
   * How releases reach users and roll back (strategy, test listener, alarms).
   * @default - a rolling update with the circuit breaker and no deployment alarms
   */
  readonly release?: ServiceRelease;
}

/**
 * A user's public HTTPS service behind the environment's load balancer, routed by host,
 * path or both: the listener sends requests for exactly `host` (when given), to
 * `pathPrefix` and everything under it (when given), to this service's tasks over the VPC;
 * the tasks admit traffic from the load balancer only, on their port.
 */
export class PublicService extends ContainerWorkload {
  readonly targetGroup: ApplicationTargetGroup;
  /** @default - undefined: routed by path on any host */
  readonly host?: string;
  /** The target groups, rules and rollback alarms of a release. */
  readonly release: ReleasedTargets;

  constructor(scope: Construct, id: string, props: PublicServiceProps) {
    validatePublic(`${scope.node.path}/${id}`, props);
    const release = props.release;
    super(scope, id, props, 'service', {
      port: props.port,
      environment: { PORT: String(props.port) },
      ...(release ? { release } : {}),
    });
    if (props.host !== undefined) this.host = props.host;
    this.release = releaseBehindListener(
      this,
      this.service,
      props.listener,
      `${id}Targets`,
      {
        priority: props.priority,
        conditions: [
          ...(props.host === undefined ? [] : [ListenerCondition.hostHeaders([props.host])]),
          ...(props.pathPrefix === undefined
            ? []
            : [ListenerCondition.pathPatterns([props.pathPrefix, `${props.pathPrefix}/*`])]),
        ],
        port: props.port,
        protocol: ApplicationProtocol.HTTP,
        deregistrationDelay: Duration.seconds(30),
        healthCheck: {
          path: props.healthPath,
          healthyHttpCodes: '200',
          interval: Duration.seconds(15),
          healthyThresholdCount: 2,
          unhealthyThresholdCount: 3,
        },
      },
      release,
    );
    this.targetGroup = this.release.targetGroup;
    if (release?.preTrafficCheck && shiftsTraffic(release.settings)) {
      release.preTrafficCheck.checkReadiness(this.service, {
        healthPath: props.healthPath,
        ...(props.host === undefined ? {} : { host: props.host }),
      });
    }
    this.scaleOnCpu(props.size);
  }
}

function validatePublic(path: string, props: PublicServiceProps): void {
  if (!Number.isInteger(props.port) || props.port < 1024 || props.port > 65_535) {
    throw new InvalidPropError(path, 'port', props.port, 'give an unprivileged port from 1024 to 65535');
  }
  if (props.pathPrefix === undefined && props.host === undefined) {
    throw new InvalidPropError(path, 'pathPrefix', undefined, 'give a pathPrefix, a host, or both');
  }
  if (props.host !== undefined) {
    const problem = hostNameProblem(props.host);
    if (problem) throw new InvalidPropError(path, 'host', props.host, problem);
  }
  if (props.pathPrefix === undefined) return;
  if (!/^\/[a-z0-9][a-z0-9-]{0,62}$/.test(props.pathPrefix)) {
    throw new InvalidPropError(path, 'pathPrefix', props.pathPrefix, 'give one path segment such as /orders');
  }
  if (props.healthPath !== props.pathPrefix && !props.healthPath.startsWith(`${props.pathPrefix}/`)) {
    throw new InvalidPropError(path, 'healthPath', props.healthPath, `must be under ${props.pathPrefix}`);
  }
  if (!Number.isInteger(props.priority) || props.priority < 1 || props.priority > 50_000) {
    throw new InvalidPropError(path, 'priority', props.priority, 'give a whole number from 1 to 50000');
  }
}
