import { Duration, RemovalPolicy } from 'aws-cdk-lib';
import { AdjustmentType } from 'aws-cdk-lib/aws-applicationautoscaling';
import { Grant } from 'aws-cdk-lib/aws-iam';
import { Queue, QueueEncryption } from 'aws-cdk-lib/aws-sqs';
import type { Construct } from 'constructs';
import { InvalidPropError } from '../invalid-prop-error.js';
import { ContainerWorkload, type ContainerWorkloadProps } from './container-service.js';

export interface QueueWorkerProps extends ContainerWorkloadProps {
  /** Deliveries before a message moves to the dead-letter queue. */
  readonly maxReceiveCount: number;
  /** How long a received message stays hidden while the worker handles it. */
  readonly visibilityTimeoutSeconds: number;
  /** Visible messages per running task the worker scales to. */
  readonly messagesPerTask: number;
}

/** Environment variable that gives the worker its queue's URL. */
export const WORKER_QUEUE_URL_ENV = 'WORKER_QUEUE_URL';

/**
 * A container workload that consumes its own queue: the queue and its dead-letter queue
 * are encrypted with the platform's messages key and refuse non-TLS access; the task role
 * may receive, delete and extend only its own queue's messages; the service scales out
 * with the queue's depth (one step per `messagesPerTask` visible messages) and in when it
 * is empty. The monitoring stack alarms on any message in the dead-letter queue.
 */
export class QueueWorker extends ContainerWorkload {
  readonly queue: Queue;
  readonly deadLetterQueue: Queue;

  constructor(scope: Construct, id: string, props: QueueWorkerProps) {
    validateWorker(`${scope.node.path}/${id}`, props);
    super(scope, id, props, 'worker');
    this.deadLetterQueue = new Queue(this, 'DeadLetterQueue', {
      encryption: QueueEncryption.KMS,
      encryptionMasterKey: props.platform.messagesKey,
      enforceSSL: true,
      retentionPeriod: Duration.days(14),
      removalPolicy: RemovalPolicy.RETAIN,
    });
    this.queue = new Queue(this, 'Queue', {
      encryption: QueueEncryption.KMS,
      encryptionMasterKey: props.platform.messagesKey,
      enforceSSL: true,
      visibilityTimeout: Duration.seconds(props.visibilityTimeoutSeconds),
      deadLetterQueue: { queue: this.deadLetterQueue, maxReceiveCount: props.maxReceiveCount },
      removalPolicy: RemovalPolicy.RETAIN,
    });
    this.task.container.addEnvironment(WORKER_QUEUE_URL_ENV, this.queue.queueUrl);

    Grant.addToPrincipal({
      grantee: this.taskRole,
      actions: [
        'sqs:ReceiveMessage',
        'sqs:DeleteMessage',
        'sqs:ChangeMessageVisibility',
        'sqs:GetQueueAttributes',
      ],
      resourceArns: [this.queue.queueArn],
    });
    Grant.addToPrincipal({
      grantee: this.taskRole,
      actions: ['kms:Decrypt'],
      resourceArns: [props.platform.messagesKey.keyArn],
    });

    const scaling = this.scaleOnCpu(props.size);
    scaling.scaleOnMetric('QueueDepth', {
      metric: this.queue.metricApproximateNumberOfMessagesVisible({
        period: Duration.minutes(1),
        statistic: 'Maximum',
      }),
      adjustmentType: AdjustmentType.CHANGE_IN_CAPACITY,
      scalingSteps: [
        { upper: 0, change: -1 },
        { lower: props.messagesPerTask, change: +1 },
        { lower: props.messagesPerTask * 5, change: +3 },
      ],
      cooldown: Duration.minutes(2),
    });
  }
}

function validateWorker(path: string, props: QueueWorkerProps): void {
  if (!Number.isInteger(props.maxReceiveCount) || props.maxReceiveCount < 1 || props.maxReceiveCount > 10) {
    throw new InvalidPropError(path, 'maxReceiveCount', props.maxReceiveCount, 'give 1 to 10 deliveries');
  }
  if (
    !Number.isInteger(props.visibilityTimeoutSeconds) ||
    props.visibilityTimeoutSeconds < 30 ||
    props.visibilityTimeoutSeconds > 43_200
  ) {
    throw new InvalidPropError(
      path,
      'visibilityTimeoutSeconds',
      props.visibilityTimeoutSeconds,
      'give 30 to 43200 seconds',
    );
  }
  if (!Number.isInteger(props.messagesPerTask) || props.messagesPerTask < 1) {
    throw new InvalidPropError(
      path,
      'messagesPerTask',
      props.messagesPerTask,
      'give a whole number of at least 1',
    );
  }
}
