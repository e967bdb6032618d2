import { Duration, Stack } from 'aws-cdk-lib';
import type { CfnFunction, IFunction } from 'aws-cdk-lib/aws-lambda';
import { Provider } from 'aws-cdk-lib/custom-resources';
import { Construct } from 'constructs';
import { acknowledge } from '../acknowledge.js';
import { EncryptedLogGroup } from './encrypted-log-group.js';
import { NodeFunction, type NodeFunctionProps } from './node-function.js';

export type CustomResourceProviderProps = NodeFunctionProps;

/**
 * A custom resource provider: the handler (a `NodeFunction` from packages/functions that
 * returns `{ PhysicalResourceId, Data }`) behind the CDK provider framework, whose relay
 * function logs to a KMS-encrypted group and keeps its environment encrypted too.
 */
export class CustomResourceProvider extends Construct {
  readonly handler: IFunction;
  /** Service token for `CustomResource`. */
  readonly serviceToken: string;

  constructor(scope: Construct, id: string, props: CustomResourceProviderProps) {
    super(scope, id);
    const handler = new NodeFunction(this, 'Handler', { timeout: Duration.minutes(5), ...props });
    this.handler = handler.function;

    const provider = new Provider(this, 'Provider', {
      onEventHandler: handler.function,
      logGroup: new EncryptedLogGroup(this, 'FrameworkLogs', {
        encryptionKey: props.logsKey,
        retentionDays: props.logRetentionDays,
      }).logGroup,
      providerFunctionEnvEncryption: props.environmentKey,
    });
    this.serviceToken = provider.serviceToken;

    acknowledge(
      provider,
      [
        'AwsSolutions-IAM4[Policy::arn:<AWS::Partition>:iam::aws:policy/service-role/AWSLambdaBasicExecutionRole]',
      ],
      'The relay function of the CDK provider framework uses the AWS managed basic execution policy only to write its own log streams; it grants no data access.',
    );
    const handlerLogicalId = Stack.of(this).getLogicalId(handler.function.node.defaultChild as CfnFunction);
    acknowledge(
      provider,
      [
        'HIPAA.Security-IAMNoInlinePolicy',
        'NIST.800.53.R5-IAMNoInlinePolicy',
        'PCI.DSS.321-IAMNoInlinePolicy',
      ],
      "CDK keeps this role's least-privilege grants in a policy attached to this one role only; every statement names its resources, so a shared managed policy would add no control.",
    );
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
}
