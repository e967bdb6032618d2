import { Duration } from 'aws-cdk-lib';
import type { ISecurityGroup, IVpc, SubnetSelection } from 'aws-cdk-lib/aws-ec2';
import type { IKey } from 'aws-cdk-lib/aws-kms';
import type { IFunction } from 'aws-cdk-lib/aws-lambda';
import { SqsEventSource } from 'aws-cdk-lib/aws-lambda-event-sources';
import type { IDatabaseInstance } from 'aws-cdk-lib/aws-rds';
import { Queue, QueueEncryption } from 'aws-cdk-lib/aws-sqs';
import { DATABASE_NAME, PROCESSOR_ROLE } from '@citadel/db/roles';
import { Construct } from 'constructs';
import type { LogPolicy } from '../platform/platform.js';
import { acknowledge } from '../acknowledge.js';
import { createDatabaseClientSecurityGroup } from './database-client-security-group.js';
import { grantDatabaseConnect } from './grant-database-connect.js';
import { NodeFunction, functionEntry } from './node-function.js';
import { InvalidPropError } from '../invalid-prop-error.js';

/** Path inside the Lambda Node.js runtime of the CA bundle that includes the RDS CAs. */
export const LAMBDA_RDS_CA_BUNDLE_PATH = '/var/runtime/ca-cert.pem';

export interface PaymentsPipelineProps {
  readonly vpc: IVpc;
  /** Subnets of the processor; they need no route to the internet. */
  readonly vpcSubnets: SubnetSelection;
  readonly database: IDatabaseInstance;
  /** @default DATABASE_NAME of @citadel/db/roles */
  readonly databaseName?: string;
  /**
   * Database role the processor signs in as with an IAM token; the only database user it may connect as.
   * @default PROCESSOR_ROLE of @citadel/db/roles
   */
  readonly databaseUser?: string;
  /** Encrypts the queue and its dead-letter queue. */
  readonly messagesKey: IKey;
  readonly functionEnvironmentKey: IKey;
  /** Key and retention of the processor's log group: the environment's log policy. */
  readonly logPolicy: LogPolicy;
  /** Deliveries before a message moves to the dead-letter queue (3–5). */
  readonly maxReceiveCount: number;
  /** Reserved concurrency of the processor, which also caps its load on the database. */
  readonly processorReservedConcurrency: number;
  /**
   * Security group of the processor; it must reach the database and the VPC endpoints.
   * @default - a new group allowing 443 out (endpoints) and the database port to the database
   */
  readonly securityGroup?: ISecurityGroup;
  /** @default - the payment-processor handler in packages/functions */
  readonly processorEntry?: string;
}

/**
 * The payments queue (KMS) with its dead-letter queue, and the processor Lambda in the
 * VPC that settles payments in the database, reporting partial batch failures.
 */
export class PaymentsPipeline extends Construct {
  readonly queue: Queue;
  readonly deadLetterQueue: Queue;
  readonly processor: IFunction;
  readonly securityGroup: ISecurityGroup;

  constructor(scope: Construct, id: string, props: PaymentsPipelineProps) {
    super(scope, id);
    if (!Number.isInteger(props.maxReceiveCount) || props.maxReceiveCount < 3 || props.maxReceiveCount > 5) {
      throw new InvalidPropError(
        this.node.path,
        'maxReceiveCount',
        props.maxReceiveCount,
        'use a whole number from 3 to 5',
      );
    }
    if (!Number.isInteger(props.processorReservedConcurrency) || props.processorReservedConcurrency < 1) {
      throw new InvalidPropError(
        this.node.path,
        'processorReservedConcurrency',
        props.processorReservedConcurrency,
        'use a whole number of at least 1',
      );
    }
    const processorTimeout = Duration.seconds(30);
    const databaseUser = props.databaseUser ?? PROCESSOR_ROLE;

    this.deadLetterQueue = new Queue(this, 'DeadLetterQueue', {
      encryption: QueueEncryption.KMS,
      encryptionMasterKey: props.messagesKey,
      enforceSSL: true,
      retentionPeriod: Duration.days(14),
    });
    this.queue = new Queue(this, 'Queue', {
      encryption: QueueEncryption.KMS,
      encryptionMasterKey: props.messagesKey,
      dataKeyReuse: Duration.minutes(5),
      enforceSSL: true,
      retentionPeriod: Duration.days(4),
      // AWS recommends six times the function timeout so a retried batch is not redelivered mid-run.
      visibilityTimeout: Duration.seconds(processorTimeout.toSeconds() * 6),
      deadLetterQueue: { queue: this.deadLetterQueue, maxReceiveCount: props.maxReceiveCount },
    });

    this.securityGroup = props.securityGroup ?? this.createSecurityGroup(props);

    const processor = new NodeFunction(this, 'Processor', {
      entry: props.processorEntry ?? functionEntry('payment-processor'),
      description: 'Settles or fails payments taken from the payments queue',
      environmentKey: props.functionEnvironmentKey,
      logPolicy: props.logPolicy,
      vpc: props.vpc,
      vpcSubnets: props.vpcSubnets,
      securityGroups: [this.securityGroup],
      reservedConcurrentExecutions: props.processorReservedConcurrency,
      timeout: processorTimeout,
      environment: {
        DB_HOST: props.database.dbInstanceEndpointAddress,
        DB_PORT: props.database.dbInstanceEndpointPort,
        DB_NAME: props.databaseName ?? DATABASE_NAME,
        DB_USER: databaseUser,
        DB_CA_BUNDLE_PATH: LAMBDA_RDS_CA_BUNDLE_PATH,
        POWERTOOLS_SERVICE_NAME: 'payment-processor',
      },
    });
    this.processor = processor.function;
    processor.function.addEventSource(
      new SqsEventSource(this.queue, {
        batchSize: 10,
        reportBatchItemFailures: true,
        // The event source accepts a maximum concurrency of 2 or more; with 1, reserved concurrency alone caps it.
        maxConcurrency:
          props.processorReservedConcurrency >= 2 ? props.processorReservedConcurrency : undefined,
      }),
    );
    grantDatabaseConnect(processor.function, props.database, databaseUser);

    acknowledge(
      this.deadLetterQueue,
      ['AwsSolutions-SQS3'],
      'This queue is itself the dead-letter queue of the payments queue; a message landing here raises the DLQ-depth alarm for an operator to redrive.',
    );
    acknowledge(
      processor.function,
      ['HIPAA.Security-LambdaDLQ', 'NIST.800.53.R5-LambdaDLQ', 'PCI.DSS.321-LambdaDLQ'],
      'The function is invoked only by its SQS event source; failed messages go to the queue-level dead-letter queue, which a Lambda DLQ would never receive.',
    );
  }

  private createSecurityGroup(props: PaymentsPipelineProps): ISecurityGroup {
    return createDatabaseClientSecurityGroup(this, {
      vpc: props.vpc,
      database: props.database,
      description: 'Payment processor: database and AWS APIs through VPC endpoints only',
    });
  }
}
