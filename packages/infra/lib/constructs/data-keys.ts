import { Stack } from 'aws-cdk-lib';
import type { IKey } from 'aws-cdk-lib/aws-kms';
import { Construct } from 'constructs';
import { ServiceKey } from './service-key.js';

export interface DataKeysProps {
  /** Environment name; aliases are `alias/citadel/<environmentName>/<purpose>`. */
  readonly environmentName: string;
}

/**
 * One customer-managed key per class of data, each usable only through the services
 * that handle that class. Rotation is on for all of them.
 */
export class DataKeys extends Construct {
  /** RDS storage, snapshots and Performance Insights. */
  readonly database: IKey;
  /** CloudWatch Logs groups and the flow-log bucket. */
  readonly logs: IKey;
  /** Secrets Manager secrets (database master credentials, API tokens). */
  readonly secrets: IKey;
  /** SQS queues and SNS topics. */
  readonly messages: IKey;
  /** AWS Backup vault. */
  readonly backups: IKey;
  /** Lambda function environment variables. */
  readonly functionEnvironment: IKey;

  constructor(scope: Construct, id: string, props: DataKeysProps) {
    super(scope, id);
    const { account, region, partition } = Stack.of(this);
    const alias = (purpose: string) => `citadel/${props.environmentName}/${purpose}`;

    this.database = new ServiceKey(this, 'Database', {
      aliasName: alias('database'),
      description: 'Citadel database storage, snapshots and Performance Insights',
      viaServices: ['rds'],
    }).key;
    this.logs = new ServiceKey(this, 'Logs', {
      aliasName: alias('logs'),
      description: 'Citadel CloudWatch Logs groups and flow-log objects',
      viaServices: ['s3'],
      directUsers: [
        {
          principal: `logs.${region}.amazonaws.com`,
          conditions: {
            ArnLike: {
              'kms:EncryptionContext:aws:logs:arn': `arn:${partition}:logs:${region}:${account}:log-group:*`,
            },
          },
        },
        {
          principal: 'delivery.logs.amazonaws.com',
          conditions: { StringEquals: { 'aws:SourceAccount': account } },
        },
      ],
    }).key;
    this.secrets = new ServiceKey(this, 'Secrets', {
      aliasName: alias('secrets'),
      description: 'Citadel Secrets Manager secrets',
      viaServices: ['secretsmanager'],
    }).key;
    this.messages = new ServiceKey(this, 'Messages', {
      aliasName: alias('messages'),
      description: 'Citadel SQS queues and SNS topics',
      viaServices: ['sqs', 'sns'],
      directUsers: [
        {
          principal: 'cloudwatch.amazonaws.com',
          conditions: { StringEquals: { 'aws:SourceAccount': account } },
        },
      ],
    }).key;
    this.backups = new ServiceKey(this, 'Backups', {
      aliasName: alias('backups'),
      description: 'Citadel AWS Backup vault',
      viaServices: ['backup', 'rds'],
    }).key;
    this.functionEnvironment = new ServiceKey(this, 'FunctionEnvironment', {
      aliasName: alias('function-environment'),
      description: 'Citadel Lambda environment variables',
      viaServices: ['lambda'],
    }).key;
  }
}
