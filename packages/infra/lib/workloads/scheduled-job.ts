import { Aws, Duration } from 'aws-cdk-lib';
import { Metric, type IMetric } from 'aws-cdk-lib/aws-cloudwatch';
import { SubnetType, type ISecurityGroup } from 'aws-cdk-lib/aws-ec2';
import type { IRepository } from 'aws-cdk-lib/aws-ecr';
import type { FargateTaskDefinition } from 'aws-cdk-lib/aws-ecs';
import { PolicyStatement, Role, ServicePrincipal, type IRole } from 'aws-cdk-lib/aws-iam';
import { FilterPattern, MetricFilter, type LogGroup } from 'aws-cdk-lib/aws-logs';
import { CfnSchedule } from 'aws-cdk-lib/aws-scheduler';
import type { ISecret } from 'aws-cdk-lib/aws-secretsmanager';
import type { IQueue } from 'aws-cdk-lib/aws-sqs';
import { JOB_ENV, JOB_LOG_EVENTS } from '@citadel/api/contract';
import { Construct } from 'constructs';
import { acknowledgeOwnRolePolicy } from '../acknowledge.js';
import { InvalidPropError } from '../invalid-prop-error.js';
import type { WorkloadPlatform } from '../platform/platform.js';
import { createWorkloadTask, WORKLOAD_CONTAINER_USER } from './workload-task.js';
import { tagWorkload } from './workload-tags.js';

export { WORKLOAD_CONTAINER_USER };
/** The log event a job writes when a run succeeded (owned by the job runner); the job's alarm counts them. */
export const JOB_SUCCEEDED_EVENT = JOB_LOG_EVENTS.succeeded;
/** Metric namespace of an environment's job signals. */
export function jobMetricNamespace(environmentName: string): string {
  return `Citadel/${environmentName}/Jobs`;
}

/** How often a job runs: one unit, a whole number. */
export type JobInterval =
  { readonly minutes: number } | { readonly hours: number } | { readonly days: number };

export interface ScheduledJobProps {
  readonly platform: WorkloadPlatform;
  /** Workload name: lower-case letters, digits and hyphens; names the schedule, task family and metric. */
  readonly name: string;
  readonly repository: IRepository;
  /** Immutable tag or `sha256:` digest; `latest` is refused. */
  readonly imageTag: string;
  /** Arguments to the image's entrypoint (Citadel's images run `node`), e.g. `['/app/jobs.mjs', 'payment-outbox']`. */
  readonly command: readonly string[];
  readonly every: JobInterval;
  /** A run still going after this is stopped by the job itself (JOB_TIMEOUT_SECONDS); at most the interval. */
  readonly timeoutMinutes: number;
  /** @default 256 */
  readonly cpu?: number;
  /** @default 512 */
  readonly memoryMiB?: number;
  /** The database role the job signs in as by IAM token. @default - no database access */
  readonly databaseRole?: string;
  /** Queues the job may send to. @default - none */
  readonly sendsTo?: readonly IQueue[];
  /** Non-secret settings. @default - none */
  readonly environment?: Readonly<Record<string, string>>;
  /** Injected from Secrets Manager at task start. @default - none */
  readonly secrets?: Readonly<Record<string, ISecret>>;
}

/**
 * A scheduled task: EventBridge Scheduler starts one Fargate task per interval, in the
 * private subnets without a public IP, as a non-root user on a read-only root filesystem,
 * logging to a KMS-encrypted log group kept as the platform says. The scheduler's role
 * may start only this task definition, on this cluster, and pass only this task's roles.
 * The task role holds only what the job declares: its database role and the queues it
 * sends to. A run that does not log `job_succeeded` shows as a missing success in
 * `successMetric`; the monitoring stack alarms when a whole interval passes without one.
 */
export class ScheduledJob extends Construct {
  readonly name: string;
  readonly taskDefinition: FargateTaskDefinition;
  readonly taskRole: IRole;
  readonly executionRole: IRole;
  readonly schedulerRole: IRole;
  readonly securityGroup: ISecurityGroup;
  readonly logGroup: LogGroup;
  readonly schedule: CfnSchedule;
  /** Count of successful runs per interval (0 when the job logged but did not succeed; missing when it did not run). */
  readonly successMetric: IMetric;
  readonly intervalMinutes: number;

  constructor(scope: Construct, id: string, props: ScheduledJobProps) {
    super(scope, id);
    this.intervalMinutes = validate(this.node.path, props);
    this.name = props.name;
    tagWorkload(this, props.name, 'job');
    const { platform } = props;

    const task = createWorkloadTask(this, {
      platform,
      name: props.name,
      kind: 'job',
      repository: props.repository,
      imageTag: props.imageTag,
      command: props.command,
      cpu: props.cpu ?? 256,
      memoryMiB: props.memoryMiB ?? 512,
      environment: {
        NODE_ENV: 'production',
        ...props.environment,
        CITADEL_ENVIRONMENT: platform.environmentName,
        JOB_NAME: props.name,
        [JOB_ENV.timeoutSeconds]: String(props.timeoutMinutes * 60),
      },
      ...(props.secrets ? { secrets: props.secrets } : {}),
      ...(props.databaseRole === undefined ? {} : { databaseRole: props.databaseRole }),
      ...(props.sendsTo ? { sendsTo: props.sendsTo } : {}),
    });
    this.logGroup = task.logGroup;
    this.taskRole = task.taskRole;
    this.executionRole = task.executionRole;
    this.taskDefinition = task.taskDefinition;
    this.securityGroup = task.securityGroup;

    this.schedulerRole = new Role(this, 'SchedulerRole', {
      assumedBy: new ServicePrincipal('scheduler.amazonaws.com', {
        conditions: { StringEquals: { 'aws:SourceAccount': Aws.ACCOUNT_ID } },
      }),
      description: `Citadel job ${props.name}: EventBridge Scheduler starts this one task`,
    });
    this.schedulerRole.addToPrincipalPolicy(
      new PolicyStatement({
        actions: ['ecs:RunTask'],
        resources: [this.taskDefinition.taskDefinitionArn],
        conditions: { ArnEquals: { 'ecs:cluster': platform.cluster.clusterArn } },
      }),
    );
    this.schedulerRole.addToPrincipalPolicy(
      new PolicyStatement({
        actions: ['iam:PassRole'],
        resources: [this.taskRole.roleArn, this.executionRole.roleArn],
        conditions: { StringEquals: { 'iam:PassedToService': 'ecs-tasks.amazonaws.com' } },
      }),
    );

    const subnets = platform.placement.vpc.selectSubnets(
      platform.placement.subnets.subnetType === undefined &&
        platform.placement.subnets.subnetGroupName === undefined
        ? { subnetType: SubnetType.PRIVATE_ISOLATED }
        : platform.placement.subnets,
    );
    this.schedule = new CfnSchedule(this, 'Schedule', {
      name: `citadel-${platform.environmentName}-${props.name}`,
      description: `Runs the ${props.name} job every ${describeInterval(props.every)}`,
      scheduleExpression: rateExpression(props.every),
      flexibleTimeWindow: { mode: 'OFF' },
      state: 'ENABLED',
      target: {
        arn: platform.cluster.clusterArn,
        roleArn: this.schedulerRole.roleArn,
        retryPolicy: { maximumRetryAttempts: 2, maximumEventAgeInSeconds: 300 },
        ecsParameters: {
          taskDefinitionArn: this.taskDefinition.taskDefinitionArn,
          launchType: 'FARGATE',
          taskCount: 1,
          networkConfiguration: {
            awsvpcConfiguration: {
              subnets: subnets.subnetIds,
              securityGroups: [this.securityGroup.securityGroupId],
              assignPublicIp: 'DISABLED',
            },
          },
          group: `job:${props.name}`,
          propagateTags: 'TASK_DEFINITION',
        },
      },
    });

    new MetricFilter(this, 'Succeeded', {
      logGroup: this.logGroup,
      filterPattern: FilterPattern.stringValue('$.event', '=', JOB_SUCCEEDED_EVENT),
      metricNamespace: jobMetricNamespace(platform.environmentName),
      metricName: `${props.name}-succeeded`,
      metricValue: '1',
    });
    this.successMetric = new Metric({
      namespace: jobMetricNamespace(platform.environmentName),
      metricName: `${props.name}-succeeded`,
      statistic: 'Sum',
      period: Duration.minutes(alarmPeriodMinutes(this.intervalMinutes)),
    });

    acknowledgeOwnRolePolicy(
      this.schedulerRole,
      "CDK keeps this role's two statements (RunTask of this task, PassRole of its two roles) in a policy attached to this one role only.",
    );
  }
}

/** Minutes between runs. */
export function intervalMinutesOf(every: JobInterval): number {
  if ('minutes' in every) return every.minutes;
  if ('hours' in every) return every.hours * 60;
  return every.days * 24 * 60;
}

/** EventBridge Scheduler's rate expression: `rate(1 hour)`, `rate(5 minutes)`. */
export function rateExpression(every: JobInterval): string {
  return `rate(${describeInterval(every)})`;
}

function describeInterval(every: JobInterval): string {
  const [unit, value] = Object.entries(every)[0] as [string, number];
  const singular = unit.slice(0, -1);
  return `${value} ${value === 1 ? singular : unit}`;
}

/**
 * The success alarm's period: twice the interval (one late or retried run is not an
 * outage), within CloudWatch's limit of one day per period.
 */
export function alarmPeriodMinutes(intervalMinutes: number): number {
  return Math.min(intervalMinutes * 2, 24 * 60);
}

function validate(path: string, props: ScheduledJobProps): number {
  // Name, image tag, command and size are checked by createWorkloadTask, as for every workload.
  if (props.command.length === 0) {
    throw new InvalidPropError(path, 'command', props.command, 'a job needs the arguments of the run');
  }
  const entries = Object.entries(props.every);
  const [unit, value] = (entries[0] ?? []) as [string | undefined, unknown];
  const limits: Record<string, number> = { minutes: 7 * 24 * 60, hours: 7 * 24, days: 7 };
  if (
    entries.length !== 1 ||
    unit === undefined ||
    limits[unit] === undefined ||
    typeof value !== 'number' ||
    !Number.isInteger(value) ||
    value < (unit === 'minutes' ? 5 : 1) ||
    value > (limits[unit] as number)
  ) {
    throw new InvalidPropError(
      path,
      'every',
      props.every,
      'give exactly one of { minutes } (5 or more), { hours } or { days }, a whole number, at most a week',
    );
  }
  const intervalMinutes = intervalMinutesOf(props.every);
  if (
    !Number.isInteger(props.timeoutMinutes) ||
    props.timeoutMinutes < 1 ||
    props.timeoutMinutes > intervalMinutes
  ) {
    throw new InvalidPropError(
      path,
      'timeoutMinutes',
      props.timeoutMinutes,
      `give whole minutes from 1 to the interval (${intervalMinutes}), so two runs never overlap`,
    );
  }
  return intervalMinutes;
}
