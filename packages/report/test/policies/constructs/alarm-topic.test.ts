import { App, Stack } from 'aws-cdk-lib';
import { Template } from 'aws-cdk-lib/assertions';
import { Key } from 'aws-cdk-lib/aws-kms';
import { describe, expect, it } from 'vitest';
import { AlarmTopic } from '@citadel/infra/constructs/alarm-topic';
import { decide, resolveIntrinsics } from '../../support/policy-simulation.js';
import { onlyResource } from '../../support/template-queries.js';

const ACCOUNT = '123456789012';
const REGION = 'eu-west-1';
const TOPIC_ARN = `arn:aws:sns:${REGION}:${ACCOUNT}:alarms`;

function topicPolicy(): unknown {
  const app = new App();
  const stack = new Stack(app, 'Monitoring', { env: { account: ACCOUNT, region: REGION } });
  new AlarmTopic(stack, 'AlarmTopic', {
    email: 'on-call@example.com',
    encryptionKey: new Key(stack, 'Messages'),
  });
  const template = Template.fromStack(stack);
  const [topicId] = onlyResource(template, 'AWS::SNS::Topic');
  const [, policy] = onlyResource(template, 'AWS::SNS::TopicPolicy');
  return resolveIntrinsics(policy.Properties?.PolicyDocument, {
    account: ACCOUNT,
    region: REGION,
    references: { [topicId]: TOPIC_ARN },
  });
}

/** Context keys CloudWatch sends when an alarm in `account` publishes its state change. */
function alarmPublish(account: string, secureTransport = 'true') {
  return {
    policy: topicPolicy(),
    action: 'sns:Publish',
    principal: 'cloudwatch.amazonaws.com',
    resource: TOPIC_ARN,
    resourceAccount: ACCOUNT,
    context: {
      'aws:SourceAccount': account,
      'aws:SourceArn': `arn:aws:cloudwatch:${REGION}:${account}:alarm:citadel-api-5xx`,
      'aws:SecureTransport': secureTransport,
    },
  };
}

describe('AlarmTopic', () => {
  it("lets CloudWatch publish an alarm of the topic's own account", async () => {
    // Act
    const decision = await decide(alarmPublish(ACCOUNT));

    // Assess
    expect(decision).toBe('Allowed');
  });

  it('refuses CloudWatch publishing on behalf of an alarm in another account', async () => {
    // Act
    const decision = await decide(alarmPublish('210987654321'));

    // Assess
    expect(decision).not.toBe('Allowed');
  });

  it('refuses a publish without TLS, whoever sends it', async () => {
    // Act
    const decision = await decide(alarmPublish(ACCOUNT, 'false'));

    // Assess
    expect(decision).toBe('ExplicitlyDenied');
  });

  it("lets the account's administrators manage the topic and refuses another account's", async () => {
    // Prepare
    const administrator = {
      Version: '2012-10-17',
      Statement: [{ Effect: 'Allow', Action: 'sns:*', Resource: '*' }],
    };
    const request = (principalAccount: string) => ({
      policy: topicPolicy(),
      identityPolicies: [administrator],
      action: 'sns:SetTopicAttributes',
      principal: `arn:aws:iam::${principalAccount}:role/administrator`,
      resource: TOPIC_ARN,
      resourceAccount: ACCOUNT,
      context: { 'aws:SecureTransport': 'true', 'aws:PrincipalAccount': principalAccount },
    });

    // Act
    const own = await decide(request(ACCOUNT));
    const other = await decide(request('210987654321'));

    // Assess
    expect(own).toBe('Allowed');
    expect(other).not.toBe('Allowed');
  });
});
