import { ENVIRONMENT_NAMES, loadEnvironmentConfig } from '@citadel/infra/config';
import { beforeAll, describe, expect, it } from 'vitest';
import { decide, resolveIntrinsics } from '../../support/policy-simulation.js';
import { synthesizedApp, type SynthesizedApp } from '../../support/synthesized-app.js';
import { exportedValue, onlyResource } from '../../support/template-queries.js';

let citadel: SynthesizedApp;

beforeAll(() => {
  citadel = synthesizedApp();
});

describe.each(ENVIRONMENT_NAMES)('alarm topic and key policies of %s, evaluated', (environment) => {
  const config = loadEnvironmentConfig(environment);
  const monitoring = () => citadel.template(environment, 'monitoring');

  it("lets CloudWatch deliver an alarm: the topic policy allows the publish and the topic's key allows its use", async () => {
    // Prepare
    const template = monitoring();
    const [topicId, topic] = onlyResource(template, 'AWS::SNS::Topic');
    const [, topicPolicy] = onlyResource(template, 'AWS::SNS::TopicPolicy');
    const network = citadel.template(environment, 'network');
    const keyReference = exportedValue(topic.Properties?.KmsMasterKeyId, network) as {
      'Fn::GetAtt': [string, string];
    };
    const key = network.toJSON().Resources[keyReference['Fn::GetAtt'][0]] as {
      Properties: { KeyPolicy: unknown };
    };
    const topicArn = `arn:aws:sns:${config.region}:${config.account}:citadel-${environment}-alarms`;
    const keyArn = `arn:aws:kms:${config.region}:${config.account}:key/0000-messages`;
    const resolve = (value: unknown) =>
      resolveIntrinsics(value, {
        account: config.account,
        region: config.region,
        references: { [topicId]: topicArn },
      });
    const context = {
      'aws:SourceAccount': config.account,
      'aws:SourceArn': `arn:aws:cloudwatch:${config.region}:${config.account}:alarm:citadel-${environment}-api-5xx`,
      'aws:SecureTransport': 'true',
    };

    // Act
    const publish = await decide({
      policy: resolve(topicPolicy.Properties?.PolicyDocument),
      action: 'sns:Publish',
      principal: 'cloudwatch.amazonaws.com',
      resource: topicArn,
      resourceAccount: config.account,
      context,
    });
    const keyUses = await Promise.all(
      ['kms:GenerateDataKey', 'kms:Decrypt'].map((action) =>
        decide({
          policy: resolve(key.Properties.KeyPolicy),
          action,
          principal: 'cloudwatch.amazonaws.com',
          resource: keyArn,
          resourceAccount: config.account,
          context,
        }),
      ),
    );

    // Assess
    expect(publish).toBe('Allowed');
    expect(keyUses).toEqual(['Allowed', 'Allowed']);
  });
});
