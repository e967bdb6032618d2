import { Duration } from 'aws-cdk-lib';
import { Alarm, ComparisonOperator, TreatMissingData, type IMetric } from 'aws-cdk-lib/aws-cloudwatch';
import { SnsAction } from 'aws-cdk-lib/aws-cloudwatch-actions';
import { HttpCodeTarget } from 'aws-cdk-lib/aws-elasticloadbalancingv2';
import type { ITopic } from 'aws-cdk-lib/aws-sns';
import { Construct } from 'constructs';
import type { PublicService } from './container-service.js';
import type { LambdaWorkload } from './lambda-workload.js';
import type { QueueWorker } from './queue-worker.js';

export interface WorkloadAlarmsProps {
  /** The operations topic every alarm notifies, on alarm and on recovery. */
  readonly topic: ITopic;
  readonly services?: readonly PublicService[];
  readonly workers?: readonly QueueWorker[];
  /** A team's own functions. @default - none */
  readonly functions?: readonly LambdaWorkload[];
  /** 5xx answers from one service's tasks in 5 minutes before it alarms. @default 10 */
  readonly service5xxPer5Min?: number;
  /** Age of a worker's oldest waiting message before it alarms. @default 15 minutes */
  readonly workerBacklogAge?: Duration;
}

/**
 * The alarms every user workload inherits: a public service alarms when a target stays
 * unhealthy or its tasks answer 5xx; a worker alarms when any message reaches its
 * dead-letter queue or its oldest message waits too long; a function alarms on any error,
 * any throttled invocation and any message in its dead-letter queue.
 */
export class WorkloadAlarms extends Construct {
  readonly alarms: Alarm[] = [];

  constructor(scope: Construct, id: string, props: WorkloadAlarmsProps) {
    super(scope, id);
    const action = new SnsAction(props.topic);
    const add = (alarmId: string, description: string, metric: IMetric, threshold: number, periods = 1) => {
      const alarm = new Alarm(this, alarmId, {
        alarmDescription: description,
        metric,
        threshold,
        evaluationPeriods: periods,
        comparisonOperator: ComparisonOperator.GREATER_THAN_THRESHOLD,
        treatMissingData: TreatMissingData.NOT_BREACHING,
      });
      alarm.addAlarmAction(action);
      alarm.addOkAction(action);
      this.alarms.push(alarm);
    };
    for (const service of props.services ?? []) {
      const id = pascal(service.name);
      add(
        `${id}UnhealthyTargets`,
        `Service ${service.name} has had an unhealthy task for 3 minutes`,
        service.targetGroup.metrics.unhealthyHostCount({ period: Duration.minutes(1), statistic: 'Maximum' }),
        0,
        3,
      );
      add(
        `${id}Errors`,
        `Service ${service.name} answered more than ${props.service5xxPer5Min ?? 10} 5xx in 5 minutes`,
        service.targetGroup.metrics.httpCodeTarget(HttpCodeTarget.TARGET_5XX_COUNT, {
          period: Duration.minutes(5),
          statistic: 'Sum',
        }),
        props.service5xxPer5Min ?? 10,
      );
    }
    for (const worker of props.workers ?? []) {
      const id = pascal(worker.name);
      add(
        `${id}DeadLetters`,
        `Worker ${worker.name} moved a message to its dead-letter queue`,
        worker.deadLetterQueue.metricApproximateNumberOfMessagesVisible({
          period: Duration.minutes(1),
          statistic: 'Maximum',
        }),
        0,
      );
      const age = props.workerBacklogAge ?? Duration.minutes(15);
      add(
        `${id}Backlog`,
        `Worker ${worker.name} has a message waiting longer than ${age.toHumanString()}`,
        worker.queue.metricApproximateAgeOfOldestMessage({
          period: Duration.minutes(1),
          statistic: 'Maximum',
        }),
        age.toSeconds(),
        5,
      );
    }
    for (const fn of props.functions ?? []) {
      const id = pascal(fn.name);
      const everyMinute = { period: Duration.minutes(1), statistic: 'Sum' };
      add(
        `${id}FunctionErrors`,
        `Function ${fn.name} failed an invocation`,
        fn.function.metricErrors(everyMinute),
        0,
      );
      add(
        `${id}FunctionThrottles`,
        `Function ${fn.name} was throttled at its reserved concurrency`,
        fn.function.metricThrottles(everyMinute),
        0,
      );
      add(
        `${id}FunctionDeadLetters`,
        `Function ${fn.name} moved a message or an event to its dead-letter queue`,
        fn.deadLetterQueue.metricApproximateNumberOfMessagesVisible({
          period: Duration.minutes(1),
          statistic: 'Maximum',
        }),
        0,
      );
    }
  }
}

function pascal(name: string): string {
  return name
    .split('-')
    .map((part) => part.charAt(0).toUpperCase() + part.slice(1))
    .join('');
}
