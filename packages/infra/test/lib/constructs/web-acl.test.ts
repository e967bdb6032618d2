import { Template } from 'aws-cdk-lib/assertions';
import { describe, expect, it } from 'vitest';
import { WebAcl } from '../../../lib/constructs/web-acl.js';
import { workloadFixture } from '../../support/workload-fixture.js';

function synthesizedWebAcl(): Template {
  const { stack, key } = workloadFixture();
  new WebAcl(stack, 'Waf', {
    resourceArn:
      'arn:aws:elasticloadbalancing:eu-west-1:111111111111:loadbalancer/app/citadel-test/0123456789abcdef',
    name: 'citadel-test',
    rateLimitPer5Min: 1000,
    logPolicy: { key: key, retentionDays: 90 },
  });
  return Template.fromStack(stack);
}

function loggingConfiguration(template: Template): Record<string, unknown> {
  const configurations = template.findResources('AWS::WAFv2::LoggingConfiguration');
  const [only, ...others] = Object.values(configurations);
  expect(others).toHaveLength(0);
  return (only as { Properties: Record<string, unknown> }).Properties;
}

describe('WebAcl', () => {
  it('redacts the query string, the authorization header and the cookie header from WAF logs', () => {
    // Prepare + Act
    const properties = loggingConfiguration(synthesizedWebAcl());

    // Assess: WAF writes the whole URI and every header it sees unless the field is redacted,
    // so a card number or a patient's name sent as a query parameter would reach the log group.
    expect(properties.RedactedFields).toEqual(
      expect.arrayContaining([
        { QueryString: {} },
        { SingleHeader: { Name: 'authorization' } },
        { SingleHeader: { Name: 'cookie' } },
      ]),
    );
  });

  it('delivers its logs only to its own aws-waf-logs- log group', () => {
    // Prepare + Act
    const template = synthesizedWebAcl();
    const properties = loggingConfiguration(template);

    // Assess
    const destinations = JSON.stringify(properties.LogDestinationConfigs);
    const logGroups = template.findResources('AWS::Logs::LogGroup');
    const [logGroupId, ...otherLogGroups] = Object.keys(logGroups);
    expect(otherLogGroups).toHaveLength(0);
    expect(logGroups[logGroupId as string]?.Properties?.LogGroupName).toBe('aws-waf-logs-citadel-test');
    expect(properties.LogDestinationConfigs).toHaveLength(1);
    expect(destinations).toContain(`{"Ref":"${logGroupId}"}`);
  });
});
