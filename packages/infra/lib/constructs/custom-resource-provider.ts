import { Duration, Stack } from 'aws-cdk-lib';
import type { CfnFunction, IFunction } from 'aws-cdk-lib/aws-lambda';
import { LogLevel } from 'aws-cdk-lib/aws-stepfunctions';
import { Provider } from 'aws-cdk-lib/custom-resources';
import { Construct } from 'constructs';
import { acknowledge, acknowledgeOwnRolePolicy } from '../acknowledge.js';
import { EncryptedLogGroup } from './encrypted-log-group.js';
import { NodeFunction, type NodeFunctionProps } from './node-function.js';

/** Lambda timeout of the `onEvent` handler. */
export const ON_EVENT_TIMEOUT = Duration.minutes(5);
/** Lambda timeout of the `isComplete` handler: one poll, bounded, counts against the wait. */
export const IS_COMPLETE_TIMEOUT = Duration.minutes(1);
/** The longest CloudFormation waits for a custom resource (its `ServiceTimeout` maximum). */
export const CUSTOM_RESOURCE_MAX_SERVICE_TIMEOUT = Duration.hours(1);

export interface CustomResourceProviderProps extends NodeFunctionProps {
  /**
   * Export of `entry` that answers the framework's `isComplete` polls, for a resource that
   * finishes after `onEvent` returns (a certificate waiting for validation). It runs with
   * the same settings as `onEvent`, in a function of its own.
   * @default - none: `onEvent`'s answer completes the request
   */
  readonly isCompleteHandler?: string;
  /** How long `isComplete` may keep answering "not yet" before the request fails (only with `isCompleteHandler`). @default Duration.minutes(30) */
  readonly totalTimeout?: Duration;
  /** Wait between `isComplete` polls (only with `isCompleteHandler`). @default Duration.seconds(5) */
  readonly queryInterval?: Duration;
}

/**
 * A custom resource provider: the handler (a `NodeFunction` from packages/functions that
 * returns `{ PhysicalResourceId, Data }`) behind the CDK provider framework, whose relay
 * function logs to a KMS-encrypted group and keeps its environment encrypted too.
 */
export class CustomResourceProvider extends Construct {
  readonly handler: IFunction;
  /** @default - undefined unless `isCompleteHandler` is given */
  readonly isCompleteHandler?: IFunction;
  /** Service token for `CustomResource`. */
  readonly serviceToken: string;

  constructor(scope: Construct, id: string, props: CustomResourceProviderProps) {
    super(scope, id);
    const { isCompleteHandler, totalTimeout, queryInterval, ...functionProps } = props;
    const handler = new NodeFunction(this, 'Handler', { timeout: ON_EVENT_TIMEOUT, ...functionProps });
    this.handler = handler.function;
    this.isCompleteHandler =
      isCompleteHandler === undefined
        ? undefined
        : new NodeFunction(this, 'IsCompleteHandler', {
            timeout: IS_COMPLETE_TIMEOUT,
            ...functionProps,
            handler: isCompleteHandler,
          }).function;

    const provider = new Provider(this, 'Provider', {
      onEventHandler: handler.function,
      isCompleteHandler: this.isCompleteHandler,
      totalTimeout: this.isCompleteHandler ? totalTimeout : undefined,
      queryInterval: this.isCompleteHandler ? queryInterval : undefined,
      logGroup: new EncryptedLogGroup(this, 'FrameworkLogs', {
        encryptionKey: props.logPolicy.key,
        retentionDays: props.logPolicy.retentionDays,
      }).logGroup,
      providerFunctionEnvEncryption: props.environmentKey,
      ...(this.isCompleteHandler
        ? {
            disableWaiterStateMachineLogging: false,
            waiterStateMachineLogOptions: {
              destination: new EncryptedLogGroup(this, 'WaiterLogs', {
                encryptionKey: props.logPolicy.key,
                retentionDays: props.logPolicy.retentionDays,
              }).logGroup,
              level: LogLevel.ALL,
              includeExecutionData: false,
            },
          }
        : {}),
    });
    this.serviceToken = provider.serviceToken;
    if (this.isCompleteHandler) this.acknowledgeWaiter(provider, this.isCompleteHandler);
    for (const fn of [this.handler, this.isCompleteHandler]) {
      if (!fn) continue;
      acknowledge(
        fn,
        ['HIPAA.Security-LambdaDLQ', 'NIST.800.53.R5-LambdaDLQ', 'PCI.DSS.321-LambdaDLQ'],
        'The handler runs only synchronously from the provider framework during a deploy; a failure fails the CloudFormation change and is retried by redeploying.',
      );
    }

    acknowledge(
      provider,
      [
        'AwsSolutions-IAM4[Policy::arn:<AWS::Partition>:iam::aws:policy/service-role/AWSLambdaBasicExecutionRole]',
      ],
      'The relay function of the CDK provider framework uses the AWS managed basic execution policy only to write its own log streams; it grants no data access.',
    );
    const handlerLogicalId = Stack.of(this).getLogicalId(handler.function.node.defaultChild as CfnFunction);
    acknowledgeOwnRolePolicy(provider);
    acknowledge(
      provider,
      [`AwsSolutions-IAM5[Resource::<${handlerLogicalId}.Arn>:*]`],
      'The relay may invoke any version of this one handler function only; the wildcard is the version suffix, never another function.',
    );
    acknowledge(
      provider,
      [
        'HIPAA.Security-LambdaConcurrency',
        'NIST.800.53.R5-LambdaConcurrency',
        'PCI.DSS.321-LambdaConcurrency',
        'HIPAA.Security-LambdaDLQ',
        'NIST.800.53.R5-LambdaDLQ',
        'PCI.DSS.321-LambdaDLQ',
      ],
      'The relay runs only when CloudFormation changes this resource, once per event; CloudFormation itself records a failure and rolls the stack back, so no event is lost.',
    );
    acknowledge(
      provider,
      ['HIPAA.Security-LambdaInsideVPC', 'NIST.800.53.R5-LambdaInsideVPC', 'PCI.DSS.321-LambdaInsideVPC'],
      'The relay only passes CloudFormation events to the handler and posts the answer to the pre-signed CloudFormation URL; it touches no data and holds no secret.',
    );
  }

  /** The framework's isComplete poller: a Step Functions waiter and two relay functions. */
  private acknowledgeWaiter(provider: Provider, isCompleteHandler: IFunction): void {
    const stack = Stack.of(this);
    const logicalIdOf = (fn: IFunction): string => stack.getLogicalId(fn.node.defaultChild as CfnFunction);
    const relays = ['framework-isComplete', 'framework-onTimeout'].map(
      (id) => provider.node.findChild(id) as IFunction,
    );
    acknowledge(
      provider,
      [isCompleteHandler, ...relays].map((fn) => `AwsSolutions-IAM5[Resource::<${logicalIdOf(fn)}.Arn>:*]`),
      'The framework relays and waiter may invoke any version of these named functions only; the wildcard is the version suffix, never another function.',
    );
    acknowledge(
      provider,
      ['AwsSolutions-IAM5[Resource::*]'],
      'Step Functions delivers the waiter state machine logs through CloudWatch Logs log-delivery APIs, which accept no resource narrower than *; the role holds nothing else.',
    );
    acknowledge(
      provider,
      ['AwsSolutions-SF2'],
      'The waiter state machine only polls isComplete on a fixed interval during a deploy; every step is logged to its KMS-encrypted log group, so traces would add no evidence.',
    );
  }
}
