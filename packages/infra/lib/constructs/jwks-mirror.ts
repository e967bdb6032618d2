import { Duration, Token } from 'aws-cdk-lib';
import { Schedule, Rule } from 'aws-cdk-lib/aws-events';
import { LambdaFunction } from 'aws-cdk-lib/aws-events-targets';
import { Grant, type IGrantable } from 'aws-cdk-lib/aws-iam';
import type { IKey } from 'aws-cdk-lib/aws-kms';
import type { IFunction } from 'aws-cdk-lib/aws-lambda';
import { Stats, type IMetric } from 'aws-cdk-lib/aws-cloudwatch';
import {
  ParameterDataType,
  ParameterTier,
  StringParameter,
  type IStringParameter,
} from 'aws-cdk-lib/aws-ssm';
import { Construct } from 'constructs';
import type { LogPolicy } from '../platform/platform.js';
import { acknowledge } from '../acknowledge.js';
import { InvalidPropError } from '../invalid-prop-error.js';
import { NodeFunction, functionEntry } from './node-function.js';

/** What the parameter holds until the mirror's first run: no keys, which the API answers with 503. */
export const JWKS_PARAMETER_INITIAL_VALUE = '{"keys":[]}';

const PARAMETER_NAME = /^(\/[A-Za-z0-9_.-]+)+$/;

export interface JwksMirrorProps {
  /** The identity provider's public JSON Web Key Set URL; `https:` only. */
  readonly jwksUrl: string;
  /** Fully qualified name of the parameter the keys are kept in, e.g. `/citadel/prod/auth/jwks`. */
  readonly parameterName: string;
  /** Encrypts the mirror function's environment variables. */
  readonly functionEnvironmentKey: IKey;
  /** Key and retention of the mirror function's log group: the environment's log policy. */
  readonly logPolicy: LogPolicy;
  /** Minutes between two fetches, 1 to 60. @default 5 */
  readonly intervalMinutes?: number;
}

/**
 * Copies the identity provider's public keys into one standard-tier SSM parameter on a
 * schedule, for API tasks that have no route to the internet. The function runs outside the
 * VPC (it must reach the provider), may write only this parameter, and writes only a key set
 * that passed its checks; a failed run keeps the last good value and counts in `errorMetric`.
 */
export class JwksMirror extends Construct {
  readonly parameter: IStringParameter;
  readonly function: IFunction;
  readonly schedule: Rule;
  /** Failed runs (fetch, validation or SSM) per interval; alarm when it stays above 0. */
  readonly errorMetric: IMetric;

  constructor(scope: Construct, id: string, props: JwksMirrorProps) {
    super(scope, id);
    validate(this.node.path, props);
    const intervalMinutes = props.intervalMinutes ?? 5;

    this.parameter = new StringParameter(this, 'Parameter', {
      parameterName: props.parameterName,
      description: "Identity provider's public signing keys (JWKS), written by the JWKS mirror only",
      stringValue: JWKS_PARAMETER_INITIAL_VALUE,
      tier: ParameterTier.STANDARD,
      dataType: ParameterDataType.TEXT,
    });

    const mirror = new NodeFunction(this, 'Function', {
      entry: functionEntry('jwks-mirror'),
      description: "Copies the identity provider's public keys (JWKS) into an SSM parameter",
      environmentKey: props.functionEnvironmentKey,
      logPolicy: props.logPolicy,
      reservedConcurrentExecutions: 1,
      timeout: Duration.seconds(30),
      environment: {
        JWKS_URL: props.jwksUrl,
        JWKS_PARAMETER_NAME: props.parameterName,
        POWERTOOLS_SERVICE_NAME: 'jwks-mirror',
      },
    });
    this.function = mirror.function;
    // The next scheduled run is the retry; Lambda's own retries would only repeat the failure.
    mirror.function.configureAsyncInvoke({ retryAttempts: 0 });
    Grant.addToPrincipal({
      grantee: mirror.function,
      actions: ['ssm:GetParameter', 'ssm:PutParameter'],
      resourceArns: [this.parameter.parameterArn],
    });

    this.schedule = new Rule(this, 'Schedule', {
      description: "Runs the JWKS mirror, which refreshes the identity provider's keys in SSM",
      schedule: Schedule.rate(Duration.minutes(intervalMinutes)),
      targets: [new LambdaFunction(mirror.function)],
    });
    this.errorMetric = mirror.function.metricErrors({
      period: Duration.minutes(intervalMinutes),
      statistic: Stats.SUM,
    });

    acknowledge(
      mirror.function,
      ['HIPAA.Security-LambdaInsideVPC', 'NIST.800.53.R5-LambdaInsideVPC', 'PCI.DSS.321-LambdaInsideVPC'],
      "The mirror must reach the identity provider's public HTTPS key URL on the internet, which the VPC has no route to; it reads no data, holds no secret and may write only the one parameter of public keys.",
    );
    acknowledge(
      mirror.function,
      ['HIPAA.Security-LambdaDLQ', 'NIST.800.53.R5-LambdaDLQ', 'PCI.DSS.321-LambdaDLQ'],
      'The function is invoked only by its schedule with an empty event; a failed run is retried by the next scheduled run and counted by the error metric, so a dead-letter queue would hold nothing to replay.',
    );
  }

  /** Lets `grantee` read the keys: ssm:GetParameter on this parameter only. */
  grantRead(grantee: IGrantable): Grant {
    return Grant.addToPrincipal({
      grantee,
      actions: ['ssm:GetParameter'],
      resourceArns: [this.parameter.parameterArn],
    });
  }
}

function validate(path: string, props: JwksMirrorProps): void {
  if (!Token.isUnresolved(props.jwksUrl)) {
    const protocol = URL.canParse(props.jwksUrl) ? new URL(props.jwksUrl).protocol : undefined;
    if (protocol !== 'https:') {
      throw new InvalidPropError(
        path,
        'jwksUrl',
        props.jwksUrl,
        "give the identity provider's https:// JWKS URL; the keys are fetched over https only",
      );
    }
  }
  if (!PARAMETER_NAME.test(props.parameterName) || props.parameterName.length > 1011) {
    throw new InvalidPropError(
      path,
      'parameterName',
      props.parameterName,
      'give a fully qualified SSM parameter name such as /citadel/prod/auth/jwks',
    );
  }
  const interval = props.intervalMinutes;
  if (interval !== undefined && (!Number.isInteger(interval) || interval < 1 || interval > 60)) {
    throw new InvalidPropError(
      path,
      'intervalMinutes',
      interval,
      'use a whole number of minutes from 1 to 60',
    );
  }
}
