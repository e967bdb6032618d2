import { dirname, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { functionBundle, functionNames } from '@citadel/functions/bundle';
import { Duration, Stack } from 'aws-cdk-lib';
import type { ISecurityGroup, IVpc, SubnetSelection } from 'aws-cdk-lib/aws-ec2';
import type { IKey } from 'aws-cdk-lib/aws-kms';
import {
  Architecture,
  Code,
  Function as LambdaFunction,
  LoggingFormat,
  Runtime,
} from 'aws-cdk-lib/aws-lambda';
import type { LogGroup } from 'aws-cdk-lib/aws-logs';
import { Construct } from 'constructs';
import { acknowledge, acknowledgeOwnRolePolicy } from '../acknowledge.js';
import type { LogPolicy } from '../platform/platform.js';
import { EncryptedLogGroup } from './encrypted-log-group.js';
import { InvalidPropError } from '../invalid-prop-error.js';

const repositoryRoot = fileURLToPath(new URL('../../../../', import.meta.url));

/** Path of a handler entry file in packages/functions, e.g. `payment-processor`. */
export function functionEntry(handlerFolder: string): string {
  return `${repositoryRoot}packages/functions/src/${handlerFolder}/handler.ts`;
}

const exportName = /^[A-Za-z_$][\w$]*$/;

export interface NodeFunctionProps {
  /**
   * Handler entry file: `functionEntry(<folder>)` of a folder in packages/functions/src with a
   * handler.ts. Its bundle from packages/functions/scripts/bundle.ts is what deploys.
   */
  readonly entry: string;
  /** Export of `entry` that Lambda calls. @default 'handler' */
  readonly handler?: string;
  readonly description: string;
  /** Key that encrypts the function's environment variables at rest. */
  readonly environmentKey: IKey;
  /** Key and retention of the function's log group: the environment's log policy. */
  readonly logPolicy: LogPolicy;
  /** @default - no environment variables */
  readonly environment?: Record<string, string>;
  /** @default - runs outside a VPC */
  readonly vpc?: IVpc;
  /** @default - the VPC's private subnets (only with `vpc`) */
  readonly vpcSubnets?: SubnetSelection;
  /** @default - a new security group with all outbound traffic (only with `vpc`) */
  readonly securityGroups?: ISecurityGroup[];
  /** @default - no reserved concurrency */
  readonly reservedConcurrentExecutions?: number;
  /** @default Duration.seconds(30) */
  readonly timeout?: Duration;
  /** @default 256 */
  readonly memorySizeMiB?: number;
}

/**
 * A Node.js 22 Lambda function on arm64 that deploys exactly the bundle packages/functions
 * builds and measures (bundle.ts: one minified ES module, `index.mjs`, built once per
 * process; no Docker), its environment encrypted with a customer key and its logs in a
 * KMS-encrypted log group with a fixed retention.
 */
export class NodeFunction extends Construct {
  readonly function: LambdaFunction;
  readonly logGroup: LogGroup;

  constructor(scope: Construct, id: string, props: NodeFunctionProps) {
    super(scope, id);
    if (props.reservedConcurrentExecutions !== undefined && props.reservedConcurrentExecutions < 1) {
      throw new InvalidPropError(
        this.node.path,
        'reservedConcurrentExecutions',
        props.reservedConcurrentExecutions,
        'reserve at least 1 concurrent execution, or leave it out',
      );
    }
    const handler = props.handler ?? 'handler';
    if (!exportName.test(handler)) {
      throw new InvalidPropError(
        this.node.path,
        'handler',
        props.handler,
        'name an exported function of the entry file, such as "handler" or "isComplete"',
      );
    }
    const name = this.functionName(props.entry);
    this.logGroup = new EncryptedLogGroup(this, 'Logs', {
      encryptionKey: props.logPolicy.key,
      retentionDays: props.logPolicy.retentionDays,
    }).logGroup;
    this.function = new LambdaFunction(this, 'Function', {
      // A stack left out of bundling (`cdk synth --exclusively`, the compliance report) is not
      // deployed from this assembly: its template needs an asset, not a build.
      code: Code.fromAsset(
        Stack.of(this).bundlingRequired ? dirname(functionBundle(name).file) : dirname(functionEntry(name)),
      ),
      handler: `index.${handler}`,
      description: props.description,
      runtime: Runtime.NODEJS_22_X,
      architecture: Architecture.ARM_64,
      memorySize: props.memorySizeMiB ?? 256,
      timeout: props.timeout ?? Duration.seconds(30),
      environment: props.environment,
      environmentEncryption: props.environmentKey,
      logGroup: this.logGroup,
      loggingFormat: LoggingFormat.JSON,
      vpc: props.vpc,
      vpcSubnets: props.vpc ? props.vpcSubnets : undefined,
      securityGroups: props.securityGroups,
      reservedConcurrentExecutions: props.reservedConcurrentExecutions,
    });
    props.environmentKey.grantDecrypt(this.function);

    const role = this.function.role;
    if (role) {
      acknowledge(
        role,
        [
          'AwsSolutions-IAM4[Policy::arn:<AWS::Partition>:iam::aws:policy/service-role/AWSLambdaBasicExecutionRole]',
          'AwsSolutions-IAM4[Policy::arn:<AWS::Partition>:iam::aws:policy/service-role/AWSLambdaVPCAccessExecutionRole]',
        ],
        'The AWS managed Lambda execution policies only let the function write its own log streams and manage its VPC network interfaces; they grant no data access.',
      );
      acknowledgeOwnRolePolicy(role);
    }
    acknowledge(
      this.function,
      ['AwsSolutions-L1'],
      'Node.js 22 is a supported Lambda LTS runtime and the version the handlers are bundled and tested for (esbuild target node22); moving on is a tested one-line change here.',
    );
  }

  /** The packages/functions folder whose handler.ts `entry` is. */
  private functionName(entry: string): string {
    const names = functionNames();
    const name = names.find((candidate) => resolve(functionEntry(candidate)) === resolve(entry));
    if (name === undefined) {
      throw new InvalidPropError(
        this.node.path,
        'entry',
        entry,
        `pass functionEntry(<folder>) for a folder of packages/functions/src with a handler.ts (${names.join(', ')}); only those are bundled and measured`,
      );
    }
    return name;
  }
}
