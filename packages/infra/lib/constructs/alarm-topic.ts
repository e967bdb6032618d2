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

/**
 * The SNS topic alarms notify: encrypted with a customer-managed key that CloudWatch may
 * use, accepting only TLS publishers, with an email subscription.
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
    this.topic.addSubscription(new EmailSubscription(props.email));
  }
}
