import { Duration, Stack } from 'aws-cdk-lib';
import { Template } from 'aws-cdk-lib/assertions';
import { Secret } from 'aws-cdk-lib/aws-secretsmanager';
import { describe, expect, it } from 'vitest';
import {
  CloudflareValidatedCertificate,
  type CloudflareValidatedCertificateProps,
} from '../../../lib/constructs/cloudflare-validated-certificate.js';
import { resourcesOf, type Resource } from '../../support/template-queries.js';
import { workloadFixture } from '../../support/workload-fixture.js';

/** CloudFormation's limit on a custom resource, and the room the deployment keeps below it. */
const CLOUDFORMATION_LIMIT_SECONDS = 3600;
const MARGIN_SECONDS = 300;

function synthesize(overrides: Partial<CloudflareValidatedCertificateProps> = {}): Template {
  const { stack, key } = workloadFixture();
  new CloudflareValidatedCertificate(stack, 'Certificate', {
    domainName: 'api.example.org',
    zoneId: 'a'.repeat(32),
    apiTokenSecret: Secret.fromSecretNameV2(stack, 'Token', 'citadel/test/cloudflare'),
    functionEnvironmentKey: key,
    logPolicy: { key: key, retentionDays: 90 },
    ...overrides,
  });
  return Template.fromStack(stack);
}

/** The waiter's retry policy, read from the state machine definition. */
function waiterRetry(template: Template): { IntervalSeconds: number; MaxAttempts: number } {
  const [machine] = Object.values(resourcesOf(template, 'AWS::StepFunctions::StateMachine'));
  const definition = Stack.of(workloadFixture().stack).resolve(
    machine?.Properties?.DefinitionString,
  ) as unknown;
  const text = JSON.stringify(definition);
  const interval = /\\"IntervalSeconds\\":(\d+)/.exec(text)?.[1];
  const attempts = /\\"MaxAttempts\\":(\d+)/.exec(text)?.[1];
  return { IntervalSeconds: Number(interval), MaxAttempts: Number(attempts) };
}

function functionNamed(template: Template, handler: string): Resource {
  const found = Object.values(resourcesOf(template, 'AWS::Lambda::Function')).filter(
    (fn) => fn.Properties?.Handler === handler,
  );
  if (found.length !== 1)
    throw new Error(`expected one function with handler ${handler}, found ${found.length}`);
  return found[0] as Resource;
}

describe('CloudflareValidatedCertificate', () => {
  it.each([
    ['the default wait', {}],
    ['the longest wait it accepts', { issueTimeout: Duration.seconds(3150) }],
    [
      'a one-minute check interval',
      { issueTimeout: Duration.minutes(50), statusCheckInterval: Duration.minutes(1) },
    ],
  ])('fails the request with a reason before CloudFormation stops waiting, with %s', (_case, overrides) => {
    // Act
    const template = synthesize(overrides);

    // Assess
    const [resource] = Object.values(resourcesOf(template, 'Custom::CitadelCloudflareCertificate'));
    const serviceTimeout = Number(resource?.Properties?.ServiceTimeout);
    expect(serviceTimeout).toBe(CLOUDFORMATION_LIMIT_SECONDS);
    const isComplete = functionNamed(template, 'index.isComplete').Properties ?? {};
    const issueTimeout = Number(
      (isComplete.Environment as { Variables: Record<string, string> }).Variables
        .CERTIFICATE_ISSUE_TIMEOUT_SECONDS,
    );
    const checkTimeout = Number(isComplete.Timeout);
    const { IntervalSeconds, MaxAttempts } = waiterRetry(template);
    // The check that sees the deadline starts at most one interval and one slow check after
    // it, and takes at most one more check.
    const latestFailure = issueTimeout + IntervalSeconds + 2 * checkTimeout;
    expect(latestFailure + MARGIN_SECONDS).toBeLessThanOrEqual(serviceTimeout);
    // The framework's own limit is a backstop that comes after the handler's.
    expect(IntervalSeconds * MaxAttempts).toBeGreaterThan(issueTimeout);
  });

  it.each([
    ['beyond the hour CloudFormation waits', { issueTimeout: Duration.hours(1) }, '1 hour'],
    [
      'not a whole number of check intervals',
      { issueTimeout: Duration.seconds(45 * 60 + 10) },
      '45 minutes 10 seconds',
    ],
    ['shorter than one check interval', { issueTimeout: Duration.seconds(10) }, '10 seconds'],
  ])('fails when issueTimeout is %s', (_case, overrides, shown) => {
    expect(() => synthesize(overrides)).toThrow(
      `Fixture/Certificate: issueTimeout = "${shown}"; give a whole number of statusCheckIntervals`,
    );
  });
});
