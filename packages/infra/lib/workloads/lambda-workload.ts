import { isAbsolute } from 'node:path';
import { Aws, Duration, RemovalPolicy } from 'aws-cdk-lib';
import type { ISecurityGroup } from 'aws-cdk-lib/aws-ec2';
import {
  Grant,
  PolicyStatement,
  Role,
  ServicePrincipal,
  type IGrantable,
  type IRole,
} from 'aws-cdk-lib/aws-iam';
import {
  Architecture,
  Code,
  Function as LambdaFunction,
  LoggingFormat,
  Runtime,
  type CfnFunction,
} from 'aws-cdk-lib/aws-lambda';
import { SqsEventSource } from 'aws-cdk-lib/aws-lambda-event-sources';
import type { LogGroup } from 'aws-cdk-lib/aws-logs';
import { CfnSchedule } from 'aws-cdk-lib/aws-scheduler';
import type { ISecret } from 'aws-cdk-lib/aws-secretsmanager';
import { Queue, QueueEncryption, type IQueue } from 'aws-cdk-lib/aws-sqs';
import { Construct } from 'constructs';
import { acknowledge, acknowledgeOwnRolePolicy } from '../acknowledge.js';
import { grantDatabaseConnect } from '../constructs/grant-database-connect.js';
import { LAMBDA_RDS_CA_BUNDLE_PATH } from '../constructs/payments-pipeline.js';
import { InvalidPropError } from '../invalid-prop-error.js';
import type { WorkloadPlatform } from '../platform/platform.js';
import { ENVIRONMENT_VARIABLE, PLATFORM_VARIABLES, WORKLOAD_NAME } from '../../policy/workload-policy.js';
import { rateExpression, type JobInterval } from './scheduled-job.js';
import { createWorkloadLogGroup, createWorkloadSecurityGroup } from './workload-guardrails.js';
import { tagWorkload } from './workload-tags.js';
import { grantSendTo, queueUrlVariable } from './workload-task.js';

const HANDLER = /^[A-Za-z0-9_-]{1,64}(\/[A-Za-z0-9_-]{1,64}){0,8}\.[A-Za-z_$][A-Za-z0-9_$]{0,63}$/;

/** The function's own queue: each message invokes it, and a message failing `maxReceiveCount` times moves to the dead-letter queue. */
export interface FunctionQueueSettings {
  /** Deliveries before a message moves to the dead-letter queue (1–10). */
  readonly maxReceiveCount: number;
  /** Messages per invocation (1–10). @default 10 */
  readonly batchSize?: number;
}

export interface LambdaWorkloadProps {
  readonly platform: WorkloadPlatform;
  /** Workload name: lower-case letters, digits and hyphens. */
  readonly name: string;
  /** Absolute path of the directory with the built handler; deployed as it is, as a zip asset. */
  readonly codeDirectory: string;
  /** `<file without extension>.<export>`, e.g. `index.handler`. */
  readonly handler: string;
  /** Seconds an invocation may run (1–900). */
  readonly timeoutSeconds: number;
  /** Concurrent executions reserved for the function, and its ceiling. */
  readonly reservedConcurrency: number;
  /** @default 256 */
  readonly memoryMiB?: number;
  /** Non-secret settings. @default - none */
  readonly environment?: Readonly<Record<string, string>>;
  /**
   * Secrets it may read, by variable: `<VARIABLE>_SECRET_NAME` tells it the secret's name
   * and its role may read exactly that secret (the value never enters the template).
   * @default - none
   */
  readonly secrets?: Readonly<Record<string, ISecret>>;
  /** The database role it signs in as by IAM token. @default - no database access */
  readonly databaseRole?: string;
  /** @default - no queue of its own */
  readonly queue?: FunctionQueueSettings;
  /** @default - not scheduled */
  readonly every?: JobInterval;
}

/**
 * A team's own Lambda function under the guardrails of every workload: Node.js 22, in the
 * platform's isolated subnets with its own security group (HTTPS to the endpoints and S3,
 * PostgreSQL only with a database role), logging to a KMS-encrypted log group on the
 * platform's retention, its environment encrypted with the platform's key, a reserved
 * concurrency and a timeout, and a role holding only what it declares. Asynchronous
 * invocations that keep failing (a schedule's) and messages of its own queue that keep
 * failing land in one KMS-encrypted dead-letter queue. Triggers: its own queue, a
 * schedule (EventBridge Scheduler, whose role may invoke this function only) and the
 * workloads `allowInvokeFrom` names.
 */
export class LambdaWorkload extends Construct {
  readonly name: string;
  readonly function: LambdaFunction;
  readonly role: IRole;
  readonly logGroup: LogGroup;
  /** Egress to the VPC endpoints, S3 and, with a database role, PostgreSQL; nothing else. */
  readonly securityGroup: ISecurityGroup;
  readonly deadLetterQueue: Queue;
  /** @default - undefined without `queue` */
  readonly queue?: Queue;
  /** @default - undefined without `every` */
  readonly schedule?: CfnSchedule;
  /** @default - undefined without `every` */
  readonly schedulerRole?: IRole;
  /** The variable a caller reads this function's name from: `orders-receipts` → ORDERS_RECEIPTS_FUNCTION_NAME. */
  readonly functionNameVariable: string;

  constructor(scope: Construct, id: string, props: LambdaWorkloadProps) {
    super(scope, id);
    validate(this.node.path, props);
    this.name = props.name;
    const { platform } = props;
    const { database } = platform;
    this.functionNameVariable = `${props.name.toUpperCase().replaceAll('-', '_')}_FUNCTION_NAME`;

    this.logGroup = createWorkloadLogGroup(this, platform);
    const description = `Citadel function ${props.name}`;
    this.securityGroup = createWorkloadSecurityGroup(this, {
      platform,
      kind: 'function',
      name: props.name,
      ...(props.databaseRole === undefined ? {} : { databaseRole: props.databaseRole }),
    });
    this.deadLetterQueue = new Queue(this, 'DeadLetterQueue', {
      encryption: QueueEncryption.KMS,
      encryptionMasterKey: platform.messagesKey,
      enforceSSL: true,
      retentionPeriod: Duration.days(14),
      removalPolicy: RemovalPolicy.RETAIN,
    });

    this.function = new LambdaFunction(this, 'Function', {
      code: Code.fromAsset(props.codeDirectory),
      handler: props.handler,
      description: `${description}: only what the workload declares`,
      runtime: Runtime.NODEJS_22_X,
      architecture: Architecture.X86_64,
      memorySize: props.memoryMiB ?? 256,
      timeout: Duration.seconds(props.timeoutSeconds),
      reservedConcurrentExecutions: props.reservedConcurrency,
      environment: {
        ...props.environment,
        ...Object.fromEntries(
          Object.entries(props.secrets ?? {}).map(([variable, secret]) => [
            `${variable}_SECRET_NAME`,
            secret.secretName,
          ]),
        ),
        ...(props.databaseRole === undefined
          ? {}
          : {
              DB_AUTH: 'iam',
              DB_HOST: database.instance.dbInstanceEndpointAddress,
              DB_PORT: database.instance.dbInstanceEndpointPort,
              DB_NAME: database.name,
              DB_USER: props.databaseRole,
              DB_CA_BUNDLE_PATH: LAMBDA_RDS_CA_BUNDLE_PATH,
            }),
      },
      environmentEncryption: platform.functionEnvironmentKey,
      logGroup: this.logGroup,
      loggingFormat: LoggingFormat.JSON,
      vpc: platform.placement.vpc,
      vpcSubnets: platform.placement.subnets,
      securityGroups: [this.securityGroup],
    });
    this.role = this.function.role as IRole;
    platform.functionEnvironmentKey.grantDecrypt(this.function);
    // Explicit actions on this queue and key: the function's deadLetterQueue prop would grant wildcard KMS actions.
    (this.function.node.defaultChild as CfnFunction).deadLetterConfig = {
      targetArn: this.deadLetterQueue.queueArn,
    };
    grantSendTo(this.function, this.deadLetterQueue);
    if (props.databaseRole !== undefined)
      grantDatabaseConnect(this.function, database.instance, props.databaseRole);
    for (const secret of Object.values(props.secrets ?? {})) secret.grantRead(this.function);

    if (props.queue) {
      this.queue = new Queue(this, 'Queue', {
        encryption: QueueEncryption.KMS,
        encryptionMasterKey: platform.messagesKey,
        enforceSSL: true,
        // AWS recommends six times the function timeout so a retried batch is not redelivered mid-run.
        visibilityTimeout: Duration.seconds(props.timeoutSeconds * 6),
        deadLetterQueue: { queue: this.deadLetterQueue, maxReceiveCount: props.queue.maxReceiveCount },
        removalPolicy: RemovalPolicy.RETAIN,
      });
      this.function.addEventSource(
        new SqsEventSource(this.queue, {
          batchSize: props.queue.batchSize ?? 10,
          reportBatchItemFailures: true,
          // The event source accepts a maximum concurrency of 2 or more; with 1, reserved concurrency alone caps it.
          ...(props.reservedConcurrency >= 2 ? { maxConcurrency: props.reservedConcurrency } : {}),
        }),
      );
    }
    if (props.every) this.schedule = this.scheduleEvery(props.every, platform.environmentName);

    tagWorkload(this, props.name, 'function');
    acknowledge(
      this.deadLetterQueue,
      ['AwsSolutions-SQS3'],
      "This queue is itself the function's dead-letter queue; a message landing here raises the function's dead-letter alarm for an operator to redrive.",
    );
    acknowledge(
      this.role,
      [
        'AwsSolutions-IAM4[Policy::arn:<AWS::Partition>:iam::aws:policy/service-role/AWSLambdaBasicExecutionRole]',
        'AwsSolutions-IAM4[Policy::arn:<AWS::Partition>:iam::aws:policy/service-role/AWSLambdaVPCAccessExecutionRole]',
      ],
      'The AWS managed Lambda execution policies only let the function write its own log streams and manage its VPC network interfaces; they grant no data access.',
    );
    acknowledgeOwnRolePolicy(this.role);
    acknowledge(
      this.function,
      ['AwsSolutions-L1'],
      "Node.js 22 is a supported Lambda LTS runtime and the one a team's handler is declared and built for; a newer runtime is a reviewed change of this construct.",
    );
  }

  /**
   * Lets `caller` invoke this function, and only this one: an identity-policy statement on
   * the caller's own role. The caller learns the function's name as `functionNameVariable`.
   */
  allowInvokeFrom(caller: IGrantable): void {
    Grant.addToPrincipal({
      grantee: caller,
      actions: ['lambda:InvokeFunction'],
      resourceArns: [this.function.functionArn],
    });
  }

  /** Lets the function send to `queue` (encrypting with its key) and tells it the URL as `<NAME>_QUEUE_URL`. */
  sendTo(queueName: string, queue: IQueue): void {
    grantSendTo(this.function, queue);
    this.function.addEnvironment(queueUrlVariable(queueName), queue.queueUrl);
  }

  private scheduleEvery(every: JobInterval, environmentName: string): CfnSchedule {
    const role = new Role(this, 'SchedulerRole', {
      assumedBy: new ServicePrincipal('scheduler.amazonaws.com', {
        conditions: { StringEquals: { 'aws:SourceAccount': Aws.ACCOUNT_ID } },
      }),
      description: `Citadel function ${this.name}: EventBridge Scheduler invokes this one function`,
    });
    role.addToPrincipalPolicy(
      new PolicyStatement({ actions: ['lambda:InvokeFunction'], resources: [this.function.functionArn] }),
    );
    acknowledgeOwnRolePolicy(
      role,
      "CDK keeps this role's one statement (invoke this function) in a policy attached to this one role only.",
    );
    (this as { schedulerRole?: IRole }).schedulerRole = role;
    return new CfnSchedule(this, 'Schedule', {
      name: `citadel-${environmentName}-${this.name}`,
      description: `Invokes the ${this.name} function, ${rateExpression(every)}`,
      scheduleExpression: rateExpression(every),
      flexibleTimeWindow: { mode: 'OFF' },
      state: 'ENABLED',
      target: {
        arn: this.function.functionArn,
        roleArn: role.roleArn,
        retryPolicy: { maximumRetryAttempts: 2, maximumEventAgeInSeconds: 300 },
      },
    });
  }
}

function validate(path: string, props: LambdaWorkloadProps): void {
  const refuse = (prop: string, value: unknown, fix: string): never => {
    throw new InvalidPropError(path, prop, value, fix);
  };
  if (!WORKLOAD_NAME.test(props.name))
    refuse('name', props.name, 'use 2–32 lower-case letters, digits and hyphens, starting with a letter');
  if (!isAbsolute(props.codeDirectory) || props.codeDirectory.split(/[\\/]/).includes('..'))
    refuse('codeDirectory', props.codeDirectory, "give an absolute path without '..' segments");
  if (!HANDLER.test(props.handler))
    refuse('handler', props.handler, 'give <file without extension>.<exported function>, e.g. index.handler');
  if (!Number.isInteger(props.timeoutSeconds) || props.timeoutSeconds < 1 || props.timeoutSeconds > 900)
    refuse('timeoutSeconds', props.timeoutSeconds, 'give whole seconds from 1 to 900');
  if (!Number.isInteger(props.reservedConcurrency) || props.reservedConcurrency < 1)
    refuse('reservedConcurrency', props.reservedConcurrency, 'reserve at least 1 concurrent execution');
  const memory = props.memoryMiB ?? 256;
  if (!Number.isInteger(memory) || memory < 128 || memory > 10_240)
    refuse('memoryMiB', props.memoryMiB, 'give whole MiB from 128 to 10240');
  const queue = props.queue;
  if (queue) {
    if (!Number.isInteger(queue.maxReceiveCount) || queue.maxReceiveCount < 1 || queue.maxReceiveCount > 10)
      refuse('queue.maxReceiveCount', queue.maxReceiveCount, 'give 1 to 10 deliveries');
    const batch = queue.batchSize ?? 10;
    if (!Number.isInteger(batch) || batch < 1 || batch > 10)
      refuse('queue.batchSize', queue.batchSize, 'give 1 to 10 messages per invocation');
  }
  const names = [
    ...Object.keys(props.environment ?? {}),
    ...Object.keys(props.secrets ?? {}).map((name) => `${name}_SECRET_NAME`),
  ];
  for (const name of names) {
    if (!ENVIRONMENT_VARIABLE.test(name))
      refuse('environment', name, 'use upper-case letters, digits and underscores');
    if (PLATFORM_VARIABLES.includes(name) || /^(AWS|LAMBDA)_/.test(name))
      refuse('environment', name, 'set by the platform or reserved by Lambda; remove it from the workload');
  }
  if (new Set(names).size !== names.length)
    refuse('secrets', props.secrets, 'a secret variable X sets X_SECRET_NAME; do not also set that setting');
}
