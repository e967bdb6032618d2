import { Stack } from 'aws-cdk-lib';
import { AccountRootPrincipal, PolicyStatement, ServicePrincipal } from 'aws-cdk-lib/aws-iam';
import type { IKey } from 'aws-cdk-lib/aws-kms';
import { Topic } from 'aws-cdk-lib/aws-sns';
import { EmailSubscription } from 'aws-cdk-lib/aws-sns-subscriptions';
import { Construct } from 'constructs';
import { InvalidPropError } from '../invalid-prop-error.js';

export interface AlarmTopicProps {
  /** Address that receives every alarm notification (the subscription must be confirmed once). */
  readonly email: string;
  /** Customer-managed key of the topic; its policy must let cloudwatch.amazonaws.com use it. */
  readonly encryptionKey: IKey;
  /** @default - CloudFormation generates one */
  readonly topicName?: string;
}

/** What SNS's default topic policy lets the owning account do; `enforceSSL` replaces that policy. */
const TOPIC_ADMIN_ACTIONS = [
  'sns:GetTopicAttributes',
  'sns:SetTopicAttributes',
  'sns:AddPermission',
  'sns:RemovePermission',
  'sns:DeleteTopic',
  'sns:Subscribe',
  'sns:ListSubscriptionsByTopic',
  'sns:Publish',
];

/**
 * The SNS topic alarms notify: encrypted with a customer-managed key that CloudWatch may
 * use, accepting only TLS publishers, with an email subscription. Its policy lets
 * CloudWatch alarms of this account (and no other) publish, and the account administer it.
 */
export class AlarmTopic extends Construct {
  readonly topic: Topic;

  constructor(scope: Construct, id: string, props: AlarmTopicProps) {
    super(scope, id);
    if (!/^[^\s@]+@[^\s@]+\.[^\s@]+$/.test(props.email)) {
      throw new InvalidPropError(
        this.node.path,
        'email',
        props.email,
        'give the email address of the on-call mailbox',
      );
    }
    this.topic = new Topic(this, 'Topic', {
      topicName: props.topicName,
      masterKey: props.encryptionKey,
      enforceSSL: true,
    });
    const { account, region, partition } = Stack.of(this);
    // With enforceSSL, CDK writes a topic policy that replaces SNS's default one, so every
    // allow the topic needs must be stated here.
    this.topic.addToResourcePolicy(
      new PolicyStatement({
        sid: 'CloudWatchAlarmsPublish',
        principals: [new ServicePrincipal('cloudwatch.amazonaws.com')],
        actions: ['sns:Publish'],
        resources: [this.topic.topicArn],
        conditions: {
          StringEquals: { 'aws:SourceAccount': account },
          ArnLike: { 'aws:SourceArn': `arn:${partition}:cloudwatch:${region}:${account}:alarm:*` },
        },
      }),
    );
    this.topic.addToResourcePolicy(
      new PolicyStatement({
        sid: 'AccountAdministersTopic',
        principals: [new AccountRootPrincipal()],
        actions: TOPIC_ADMIN_ACTIONS,
        resources: [this.topic.topicArn],
      }),
    );
    this.topic.addSubscription(new EmailSubscription(props.email));
  }
}
