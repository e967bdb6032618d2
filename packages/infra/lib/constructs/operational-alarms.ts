import { API_LOG_EVENTS } from '@citadel/api/contract';
import { Duration, Stack } from 'aws-cdk-lib';
import {
  Alarm,
  ComparisonOperator,
  MathExpression,
  Metric,
  TreatMissingData,
  type IMetric,
} from 'aws-cdk-lib/aws-cloudwatch';
import { SnsAction } from 'aws-cdk-lib/aws-cloudwatch-actions';
import type { FargateService } from 'aws-cdk-lib/aws-ecs';
import {
  HttpCodeElb,
  HttpCodeTarget,
  type IApplicationLoadBalancer,
  type IApplicationTargetGroup,
} from 'aws-cdk-lib/aws-elasticloadbalancingv2';
import type { IFunction } from 'aws-cdk-lib/aws-lambda';
import { FilterPattern, MetricFilter, type ILogGroup } from 'aws-cdk-lib/aws-logs';
import type { IDatabaseInstance } from 'aws-cdk-lib/aws-rds';
import type { ITopic } from 'aws-cdk-lib/aws-sns';
import type { IQueue } from 'aws-cdk-lib/aws-sqs';
import { Construct } from 'constructs';

/** Thresholds of the operational alarms; each has a default suited to a small production service. */
export interface AlarmThresholds {
  /** ALB 5xx responses as a percentage of requests. @default 5 */
  readonly http5xxPercent?: number;
  /** Target p99 response time, in milliseconds. @default 2000 */
  readonly p99LatencyMs?: number;
  /** ECS service CPU or memory utilisation, in percent. @default 85 */
  readonly serviceUtilisationPercent?: number;
  /** RDS CPU utilisation, in percent. @default 80 */
  readonly databaseCpuPercent?: number;
  /** RDS free storage, in GiB. @default 5 */
  readonly databaseFreeStorageGiB?: number;
  /** RDS connections. @default 80 */
  readonly databaseConnections?: number;
  /** Requests WAF blocks in 5 minutes. @default 500 */
  readonly wafBlockedPer5Min?: number;
  /** Failed sign-ins (`auth_failed` log events) in 5 minutes. @default 50 */
  readonly authFailuresPer5Min?: number;
}

export interface OperationalAlarmsProps {
  /** Topic every alarm (and its recovery) notifies. */
  readonly topic: ITopic;
  readonly loadBalancer: IApplicationLoadBalancer;
  readonly targetGroup: IApplicationTargetGroup;
  readonly service: FargateService;
  readonly database: IDatabaseInstance;
  readonly processor: IFunction;
  readonly deadLetterQueue: IQueue;
  /** Log group of the API, whose JSON lines carry `"event":"auth_failed"` on a rejected sign-in. */
  readonly apiLogGroup: ILogGroup;
  /** Namespace of the metrics Citadel derives from logs. */
  readonly metricNamespace: string;
  /**
   * Failed runs of the function that mirrors the identity provider's keys. The API keeps the
   * last good keys, so one failure is no outage; three intervals in a row mean a key rotation
   * at the provider would not reach the API.
   * @default - no mirror alarm (the keys are pinned at deploy)
   */
  readonly jwksMirrorErrors?: IMetric;
  /**
   * Scheduled jobs, each with the count of its successful runs per alarm period; a period
   * without one (a failed, crashed, timed-out or never-started run) alarms.
   * @default - none
   */
  readonly jobs?: readonly { readonly name: string; readonly successMetric: IMetric }[];
  /** `WebACL` dimension of the web ACL's metrics. @default - no WAF alarm */
  readonly webAclMetricName?: string;
  /** @default - see AlarmThresholds */
  readonly thresholds?: AlarmThresholds;
}

/**
 * The alarms an on-call engineer needs, each notifying the topic on alarm and on recovery:
 * ALB 5xx rate, p99 latency, unhealthy hosts, ECS CPU and memory, RDS CPU, free storage and
 * connections, processor errors and throttles, DLQ depth, identity-key mirror failures, WAF
 * blocked spike and failed sign-ins.
 */
export class OperationalAlarms extends Construct {
  /** Every alarm, in the order they are created. */
  readonly alarms: Alarm[] = [];
  /** Count of `auth_failed` events in the API log. */
  readonly authFailures: Metric;
  private readonly topic: ITopic;

  constructor(scope: Construct, id: string, props: OperationalAlarmsProps) {
    super(scope, id);
    this.topic = props.topic;
    const limits = { ...DEFAULT_THRESHOLDS, ...props.thresholds };
    const period = Duration.minutes(5);

    const requests = props.loadBalancer.metrics.requestCount({ period });
    const elb5xx = props.loadBalancer.metrics.httpCodeElb(HttpCodeElb.ELB_5XX_COUNT, { period });
    const target5xx = props.loadBalancer.metrics.httpCodeTarget(HttpCodeTarget.TARGET_5XX_COUNT, { period });
    this.add('Http5xxRate', `ALB 5xx responses above ${limits.http5xxPercent}% of requests`, {
      metric: new MathExpression({
        expression: 'IF(requests > 0, 100 * (FILL(elb5xx, 0) + FILL(target5xx, 0)) / requests, 0)',
        usingMetrics: { requests, elb5xx, target5xx },
        period,
        label: '5xx %',
      }),
      threshold: limits.http5xxPercent,
    });
    this.add('TargetP99Latency', `API p99 response time above ${limits.p99LatencyMs} ms`, {
      metric: props.targetGroup.metrics.targetResponseTime({ statistic: 'p99', period }),
      threshold: limits.p99LatencyMs / 1000,
    });
    this.add('UnhealthyHosts', 'At least one API task fails its load balancer health check', {
      metric: props.targetGroup.metrics.unhealthyHostCount({
        statistic: 'Maximum',
        period: Duration.minutes(1),
      }),
      threshold: 0,
      evaluationPeriods: 3,
    });
    this.add('ServiceCpu', `API service CPU above ${limits.serviceUtilisationPercent}%`, {
      metric: props.service.metricCpuUtilization({ period }),
      threshold: limits.serviceUtilisationPercent,
      evaluationPeriods: 3,
    });
    this.add('ServiceMemory', `API service memory above ${limits.serviceUtilisationPercent}%`, {
      metric: props.service.metricMemoryUtilization({ period }),
      threshold: limits.serviceUtilisationPercent,
      evaluationPeriods: 3,
    });
    this.add('DatabaseCpu', `Database CPU above ${limits.databaseCpuPercent}%`, {
      metric: props.database.metricCPUUtilization({ period }),
      threshold: limits.databaseCpuPercent,
      evaluationPeriods: 3,
    });
    this.add('DatabaseFreeStorage', `Database free storage below ${limits.databaseFreeStorageGiB} GiB`, {
      metric: props.database.metricFreeStorageSpace({ period, statistic: 'Minimum' }),
      threshold: limits.databaseFreeStorageGiB * 1024 ** 3,
      comparisonOperator: ComparisonOperator.LESS_THAN_THRESHOLD,
    });
    this.add('DatabaseConnections', `Database connections above ${limits.databaseConnections}`, {
      metric: props.database.metricDatabaseConnections({ period, statistic: 'Maximum' }),
      threshold: limits.databaseConnections,
    });
    this.add('ProcessorErrors', 'The payment processor reported errors', {
      metric: props.processor.metricErrors({ period }),
      threshold: 0,
    });
    this.add('ProcessorThrottles', 'The payment processor was throttled', {
      metric: props.processor.metricThrottles({ period }),
      threshold: 0,
    });
    this.add('DeadLetterQueueDepth', 'Payments are waiting in the dead-letter queue', {
      metric: props.deadLetterQueue.metricApproximateNumberOfMessagesVisible({
        statistic: 'Maximum',
        period: Duration.minutes(1),
      }),
      threshold: 0,
    });
    if (props.jwksMirrorErrors !== undefined) {
      this.add('JwksMirrorFailures', "The identity provider's keys have not been refreshed for three runs", {
        metric: props.jwksMirrorErrors,
        threshold: 0,
        evaluationPeriods: 3,
      });
    }
    for (const job of props.jobs ?? []) {
      // Missing data is a run that never logged success: breaching, unlike the other alarms.
      this.add(
        `Job${pascalCase(job.name)}NotSucceeding`,
        `Job ${job.name} has not succeeded within its alarm period`,
        {
          metric: job.successMetric,
          threshold: 1,
          comparisonOperator: ComparisonOperator.LESS_THAN_THRESHOLD,
          treatMissingData: TreatMissingData.BREACHING,
        },
      );
    }
    if (props.webAclMetricName !== undefined) {
      this.add('WafBlockedSpike', `WAF blocked more than ${limits.wafBlockedPer5Min} requests in 5 minutes`, {
        metric: new Metric({
          namespace: 'AWS/WAFV2',
          metricName: 'BlockedRequests',
          dimensionsMap: { WebACL: props.webAclMetricName, Region: Stack.of(this).region, Rule: 'ALL' },
          statistic: 'Sum',
          period,
        }),
        threshold: limits.wafBlockedPer5Min,
      });
    }

    const authFailed = new MetricFilter(this, 'AuthFailedFilter', {
      logGroup: props.apiLogGroup,
      filterPattern: FilterPattern.stringValue('$.event', '=', API_LOG_EVENTS.authFailed),
      metricNamespace: props.metricNamespace,
      metricName: 'AuthFailed',
      metricValue: '1',
      defaultValue: 0,
    });
    this.authFailures = authFailed.metric({ statistic: 'Sum', period });
    this.add('AuthFailures', `More than ${limits.authFailuresPer5Min} failed sign-ins in 5 minutes`, {
      metric: this.authFailures,
      threshold: limits.authFailuresPer5Min,
    });
  }

  private add(
    id: string,
    description: string,
    options: {
      metric: IMetric;
      threshold: number;
      evaluationPeriods?: number;
      comparisonOperator?: ComparisonOperator;
      treatMissingData?: TreatMissingData;
    },
  ): void {
    const alarm = new Alarm(this, id, {
      alarmDescription: description,
      metric: options.metric,
      threshold: options.threshold,
      evaluationPeriods: options.evaluationPeriods ?? 1,
      comparisonOperator: options.comparisonOperator ?? ComparisonOperator.GREATER_THAN_THRESHOLD,
      treatMissingData: options.treatMissingData ?? TreatMissingData.NOT_BREACHING,
    });
    alarm.addAlarmAction(new SnsAction(this.topic));
    alarm.addOkAction(new SnsAction(this.topic));
    this.alarms.push(alarm);
  }
}

const DEFAULT_THRESHOLDS: Required<AlarmThresholds> = {
  http5xxPercent: 5,
  p99LatencyMs: 2000,
  serviceUtilisationPercent: 85,
  databaseCpuPercent: 80,
  databaseFreeStorageGiB: 5,
  databaseConnections: 80,
  wafBlockedPer5Min: 500,
  authFailuresPer5Min: 50,
};

function pascalCase(name: string): string {
  return name
    .split('-')
    .map((part) => part.charAt(0).toUpperCase() + part.slice(1))
    .join('');
}
