import { Stack } from 'aws-cdk-lib';
import { Template } from 'aws-cdk-lib/assertions';
import { Key } from 'aws-cdk-lib/aws-kms';
import { Secret } from 'aws-cdk-lib/aws-secretsmanager';
import type { IConstruct } from 'constructs';
import { describe, expect, it } from 'vitest';
import { InvalidPropError } from '../../../lib/invalid-prop-error.js';
import { PublicService } from '../../../lib/workloads/container-service.js';
import { ServiceHostnames } from '../../../lib/workloads/service-hostnames.js';
import type { Resource } from '../../support/template-queries.js';
import { workloadFixture, workloadPlatform } from '../../support/workload-fixture.js';

const ZONE = 'staging.example.com';

function build(dns: 'route53' | 'cloudflare', host = `shop.${ZONE}`, pathPrefix?: string) {
  const fixture = workloadFixture();
  const edge = fixture.edge();
  const service = new PublicService(fixture.stack, 'Shop', {
    platform: workloadPlatform(fixture),
    name: 'shop',
    repository: fixture.repository,
    imageTag: 'v1.0.0',
    size: { cpu: 256, memoryMiB: 512, minTasks: 1, maxTasks: 2 },
    port: 8080,
    healthPath: pathPrefix ? `${pathPrefix}/health` : '/health',
    host,
    ...(pathPrefix ? { pathPrefix } : {}),
    priority: 20,
    listener: edge.httpsListener,
  });
  edge.httpsListener.addTargets('Default', { port: 8080, targets: [] });
  const hostnames = new ServiceHostnames(fixture.stack, 'ServiceHostnames', {
    hosts: [host],
    listener: edge.httpsListener,
    loadBalancer: edge.loadBalancer,
    zoneName: ZONE,
    ...(dns === 'route53'
      ? { hostedZoneId: 'Z0000000000000000001' }
      : {
          cloudflare: {
            zoneId: '0123456789abcdef0123456789abcdef',
            apiTokenSecret: Secret.fromSecretNameV2(fixture.stack, 'Token', 'cloudflare/token'),
            functionEnvironmentKey: new Key(fixture.stack, 'FunctionKey'),
            logPolicy: { key: fixture.key, retentionDays: 90 },
          },
        }),
  });
  const resources = Template.fromStack(fixture.stack).toJSON().Resources as Record<string, Resource>;
  const id = (construct: IConstruct) =>
    Stack.of(fixture.stack).getLogicalId((construct.node.defaultChild ?? construct) as never);
  const ofType = (type: string) => Object.entries(resources).filter(([, resource]) => resource.Type === type);
  return { fixture, edge, service, hostnames, resources, id, ofType };
}

describe('a service routed by host', () => {
  it('is reached only for exactly its host, on the HTTPS listener; plain HTTP still only redirects', () => {
    const { ofType, id, edge, service } = build('route53');
    const rules = ofType('AWS::ElasticLoadBalancingV2::ListenerRule');
    expect(rules).toHaveLength(1);
    const [, rule] = rules[0] as [string, Resource];
    expect(rule.Properties).toMatchObject({
      ListenerArn: { Ref: id(edge.httpsListener) },
      Priority: 20,
      Conditions: [{ Field: 'host-header', HostHeaderConfig: { Values: [`shop.${ZONE}`] } }],
      Actions: [{ Type: 'forward', TargetGroupArn: { Ref: id(service.targetGroup) } }],
    });
    const http = ofType('AWS::ElasticLoadBalancingV2::Listener').find(
      ([, listener]) => listener.Properties?.Port === 80,
    );
    expect(http?.[1].Properties?.DefaultActions).toEqual([
      { Type: 'redirect', RedirectConfig: { Port: '443', Protocol: 'HTTPS', StatusCode: 'HTTP_301' } },
    ]);
  });

  it('matches host and path together when both are given', () => {
    const { ofType } = build('route53', `shop.${ZONE}`, '/orders');
    const [, rule] = ofType('AWS::ElasticLoadBalancingV2::ListenerRule')[0] as [string, Resource];
    expect(rule.Properties?.Conditions).toEqual([
      { Field: 'host-header', HostHeaderConfig: { Values: [`shop.${ZONE}`] } },
      { Field: 'path-pattern', PathPatternConfig: { Values: ['/orders', '/orders/*'] } },
    ]);
  });

  it('is served a certificate naming the host, DNS-validated in the zone and on the HTTPS listener for SNI', () => {
    const { ofType, id, edge, hostnames } = build('route53');
    const certificate = ofType('AWS::CertificateManager::Certificate').find(
      ([logicalId]) => logicalId === id(hostnames.certificate),
    )?.[1];
    expect(certificate?.Properties).toMatchObject({
      DomainName: `shop.${ZONE}`,
      ValidationMethod: 'DNS',
      DomainValidationOptions: [{ DomainName: `shop.${ZONE}`, HostedZoneId: 'Z0000000000000000001' }],
    });
    const attached = ofType('AWS::ElasticLoadBalancingV2::ListenerCertificate').map(
      ([, resource]) => resource.Properties,
    );
    expect(attached).toEqual([
      {
        ListenerArn: { Ref: id(edge.httpsListener) },
        Certificates: [{ CertificateArn: { Ref: id(hostnames.certificate) } }],
      },
    ]);
  });

  it('gets an alias record in the zone that points the host at the load balancer', () => {
    const { ofType, id, edge } = build('route53');
    const records = ofType('AWS::Route53::RecordSet').map(([, record]) => record.Properties);
    expect(records).toEqual([
      {
        Name: `shop.${ZONE}.`,
        Type: 'A',
        HostedZoneId: 'Z0000000000000000001',
        AliasTarget: {
          DNSName: { 'Fn::Join': ['', ['dualstack.', { 'Fn::GetAtt': [id(edge.loadBalancer), 'DNSName'] }]] },
          HostedZoneId: { 'Fn::GetAtt': [id(edge.loadBalancer), 'CanonicalHostedZoneID'] },
        },
      },
    ]);
  });

  it('at Cloudflare: the certificate is requested through the Cloudflare resource, attached to the listener, and the CNAME names the load balancer', () => {
    const { ofType, id, edge, hostnames } = build('cloudflare');
    const requests = ofType('Custom::CitadelCloudflareCertificate');
    expect(requests).toHaveLength(1);
    const [requestId, request] = requests[0] as [string, Resource];
    expect(request.Properties).toMatchObject({
      DomainName: `shop.${ZONE}`,
      ZoneId: '0123456789abcdef0123456789abcdef',
    });
    expect(request.Properties?.SubjectAlternativeNames).toBeUndefined();
    const attached = ofType('AWS::ElasticLoadBalancingV2::ListenerCertificate').map(
      ([, resource]) => resource.Properties,
    );
    expect(attached).toEqual([
      {
        ListenerArn: { Ref: id(edge.httpsListener) },
        Certificates: [{ CertificateArn: { 'Fn::GetAtt': [requestId, 'CertificateArn'] } }],
      },
    ]);
    expect(ofType('AWS::Route53::RecordSet')).toEqual([]);
    expect(Stack.of(edge).resolve(hostnames.cloudflareRecords)).toEqual([
      { name: `shop.${ZONE}`, content: { 'Fn::GetAtt': [id(edge.loadBalancer), 'DNSName'] }, proxied: false },
    ]);
  });

  it.each([
    { hosts: ['shop.example.org'], problem: 'outside the DNS zone' },
    { hosts: [`Shop.${ZONE}`], problem: 'lower case' },
    { hosts: [`*.${ZONE}`], problem: 'wildcards' },
    { hosts: [`shop.${ZONE}.`], problem: 'trailing dot' },
    { hosts: [`shop.${ZONE}`, `shop.${ZONE}`], problem: 'each host once' },
    { hosts: [], problem: 'give 1 to 10 hosts' },
  ])('refuses $hosts: $problem', ({ hosts, problem }) => {
    const fixture = workloadFixture();
    const edge = fixture.edge();
    expect(
      () =>
        new ServiceHostnames(fixture.stack, 'ServiceHostnames', {
          hosts,
          listener: edge.httpsListener,
          loadBalancer: edge.loadBalancer,
          zoneName: ZONE,
          hostedZoneId: 'Z0000000000000000001',
        }),
    ).toThrow(
      expect.objectContaining({ name: 'InvalidPropError', message: expect.stringContaining(problem) }),
    );
  });

  it('refuses a public service host that is not a plain lower-case name', () => {
    expect(() => build('route53', 'SHOP.staging.example.com')).toThrow(InvalidPropError);
  });
});
