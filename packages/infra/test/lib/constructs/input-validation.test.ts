import { Duration } from 'aws-cdk-lib';
import { Certificate, CertificateValidation } from 'aws-cdk-lib/aws-certificatemanager';
import { SubnetType } from 'aws-cdk-lib/aws-ec2';
import { Secret } from 'aws-cdk-lib/aws-secretsmanager';
import { describe, expect, it } from 'vitest';
import { AlarmTopic } from '../../../lib/constructs/alarm-topic.js';
import { CloudflareDnsRecords } from '../../../lib/constructs/cloudflare-dns-records.js';
import { CloudflareValidatedCertificate } from '../../../lib/constructs/cloudflare-validated-certificate.js';
import { LoadBalancedEdge } from '../../../lib/constructs/load-balanced-edge.js';
import { OperationsDashboard } from '../../../lib/constructs/operations-dashboard.js';
import { PaymentsPipeline } from '../../../lib/constructs/payments-pipeline.js';
import { WebAcl } from '../../../lib/constructs/web-acl.js';
import { workloadFixture } from '../../support/workload-fixture.js';

describe('workload constructs refuse bad input before creating anything', () => {
  it.each([2, 6, 3.5])('PaymentsPipeline fails when maxReceiveCount is %s', (maxReceiveCount) => {
    // Prepare
    const { stack, vpc, database, key } = workloadFixture();

    // Act + Assess
    expect(
      () =>
        new PaymentsPipeline(stack, 'Payments', {
          vpc,
          vpcSubnets: { subnetType: SubnetType.PRIVATE_ISOLATED },
          database,
          messagesKey: key,
          functionEnvironmentKey: key,
          logPolicy: { key: key, retentionDays: 90 },
          maxReceiveCount,
          processorReservedConcurrency: 2,
        }),
    ).toThrow(`Fixture/Payments: maxReceiveCount = ${maxReceiveCount}; use a whole number from 3 to 5`);
    expect(stack.node.tryFindChild('Payments')?.node.children ?? []).toHaveLength(0);
  });

  it.each([99, 2_000_000_001])('WebAcl fails when rateLimitPer5Min is %s', (rateLimitPer5Min) => {
    const { stack, key, edge } = workloadFixture();
    expect(
      () =>
        new WebAcl(stack, 'Waf', {
          resourceArn: edge().loadBalancer.loadBalancerArn,
          name: 'citadel-test',
          rateLimitPer5Min,
          logPolicy: { key: key, retentionDays: 90 },
        }),
    ).toThrow(/Fixture\/Waf: rateLimitPer5Min = \d+; use a whole number from 100 to 2,000,000,000/);
  });

  it('WebAcl fails when the name has characters WAF refuses', () => {
    const { stack, key, edge } = workloadFixture();
    expect(
      () =>
        new WebAcl(stack, 'Waf', {
          resourceArn: edge().loadBalancer.loadBalancerArn,
          name: 'citadel test',
          rateLimitPer5Min: 1000,
          logPolicy: { key: key, retentionDays: 90 },
        }),
    ).toThrow('Fixture/Waf: name = "citadel test"; use only letters, digits');
  });

  it.each(['API.example.com', 'localhost', 'api..example.com'])(
    'LoadBalancedEdge fails when domainName is %s',
    (domainName) => {
      const { stack, vpc } = workloadFixture();
      expect(
        () =>
          new LoadBalancedEdge(stack, 'Edge2', {
            vpc,
            vpcSubnets: { subnetType: SubnetType.PUBLIC },
            domainName,
            certificateValidation: CertificateValidation.fromDns(),
            deletionProtection: true,
            accessLogRetentionDays: 90,
          }),
      ).toThrow(/Fixture\/Edge2: domainName = .*; give a fully qualified lower-case DNS name/);
    },
  );

  it.each([
    ['both certificate and certificateValidation are given', true],
    ['neither certificate nor certificateValidation is given', false],
  ])('LoadBalancedEdge fails when %s', (_case, both) => {
    const { stack, vpc } = workloadFixture();
    const certificate = Certificate.fromCertificateArn(
      stack,
      'Imported',
      'arn:aws:acm:eu-west-1:123456789012:certificate/00000000-0000-0000-0000-000000000000',
    );
    expect(
      () =>
        new LoadBalancedEdge(stack, 'Edge2', {
          vpc,
          vpcSubnets: { subnetType: SubnetType.PUBLIC },
          domainName: 'api.example.com',
          ...(both ? { certificate, certificateValidation: CertificateValidation.fromDns() } : {}),
          deletionProtection: true,
          accessLogRetentionDays: 90,
        }),
    ).toThrow(/Fixture\/Edge2: certificate = .*; give either certificate or certificateValidation/);
  });

  it.each([
    ['domainName is not a DNS name', { domainName: 'API example' }, /domainName = "API example"/],
    [
      'a subject alternative name is upper case',
      { subjectAlternativeNames: ['WWW.example.org'] },
      /subjectAlternativeNames = "WWW.example.org"/,
    ],
    [
      'zoneId is not a Cloudflare zone id',
      { zoneId: 'example.org' },
      /zoneId = "example.org"; give the Cloudflare zone id/,
    ],
    [
      'issueTimeout is beyond what the provider can wait',
      { issueTimeout: Duration.hours(3) },
      /issueTimeout = "3 hours"; give a whole number of statusCheckIntervals \(30 seconds\) up to 3150 seconds/,
    ],
  ])('CloudflareValidatedCertificate fails when %s', (_case, override, message) => {
    const { stack, key } = workloadFixture();
    expect(
      () =>
        new CloudflareValidatedCertificate(stack, 'Certificate', {
          domainName: 'api.example.org',
          zoneId: 'a'.repeat(32),
          apiTokenSecret: Secret.fromSecretNameV2(stack, 'Token', 'citadel/test/cloudflare'),
          functionEnvironmentKey: key,
          logPolicy: { key: key, retentionDays: 90 },
          ...override,
        }),
    ).toThrow(message);
  });

  it('CloudflareDnsRecords fails when zoneId is not a Cloudflare zone id', () => {
    const { stack, key } = workloadFixture();
    expect(
      () =>
        new CloudflareDnsRecords(stack, 'Dns', {
          zoneId: 'example.org',
          records: [{ name: 'api.example.org', content: 'lb.example.net' }],
          apiTokenSecret: Secret.fromSecretNameV2(stack, 'Token', 'citadel/test/cloudflare'),
          functionEnvironmentKey: key,
          logPolicy: { key: key, retentionDays: 90 },
        }),
    ).toThrow('Fixture/Dns: zoneId = "example.org"; give the Cloudflare zone id');
  });

  it('CloudflareDnsRecords fails when there is no record to manage', () => {
    const { stack, key } = workloadFixture();
    expect(
      () =>
        new CloudflareDnsRecords(stack, 'Dns', {
          zoneId: 'a'.repeat(32),
          records: [],
          apiTokenSecret: Secret.fromSecretNameV2(stack, 'Token', 'citadel/test/cloudflare'),
          functionEnvironmentKey: key,
          logPolicy: { key: key, retentionDays: 90 },
        }),
    ).toThrow('Fixture/Dns: records = []; give at least one record to manage');
  });

  it('AlarmTopic fails when the email is not an address', () => {
    const { stack, key } = workloadFixture();
    expect(() => new AlarmTopic(stack, 'Topic', { email: 'on-call', encryptionKey: key })).toThrow(
      'Fixture/Topic: email = "on-call"; give the email address',
    );
  });

  it('OperationsDashboard fails without alarms', () => {
    const { stack } = workloadFixture();
    expect(
      () => new OperationsDashboard(stack, 'Dashboard', { dashboardName: 'citadel-test', alarms: [] }),
    ).toThrow('Fixture/Dashboard: alarms = []; pass the alarms');
  });
});
