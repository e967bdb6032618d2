import { App, Stack } from 'aws-cdk-lib';
import { Key } from 'aws-cdk-lib/aws-kms';
import { describe, expect, it } from 'vitest';
import { AlarmTopic } from '../../../lib/constructs/alarm-topic.js';

describe('AlarmTopic', () => {
  it('fails when the email is not an address', () => {
    // Prepare
    const stack = new Stack(new App(), 'Monitoring');

    // Act
    const create = () =>
      new AlarmTopic(stack, 'AlarmTopic', { email: 'on-call', encryptionKey: new Key(stack, 'Key') });

    // Assess
    expect(create).toThrow('email = "on-call"');
  });
});
