import { Certificate, CertificateValidation, type ICertificate } from 'aws-cdk-lib/aws-certificatemanager';
import {
  ListenerCertificate,
  type ApplicationListener,
  type IApplicationLoadBalancer,
} from 'aws-cdk-lib/aws-elasticloadbalancingv2';
import { ARecord, HostedZone, RecordTarget } from 'aws-cdk-lib/aws-route53';
import { LoadBalancerTarget } from 'aws-cdk-lib/aws-route53-targets';
import { Construct } from 'constructs';
import {
  CloudflareValidatedCertificate,
  type CloudflareValidatedCertificateProps,
} from '../constructs/cloudflare-validated-certificate.js';
import type { CloudflareDnsRecord } from '../constructs/cloudflare-dns-records.js';
import { InvalidPropError } from '../invalid-prop-error.js';
import { hostNameProblem, isInZone } from '../../policy/workload-policy.js';

/** Names ACM puts on one certificate without a quota increase. */
export const MAX_NAMES_PER_CERTIFICATE = 10;

export interface ServiceHostnamesProps {
  /** Fully qualified, lower-case host names of the environment's services, each inside the zone. */
  readonly hosts: readonly string[];
  /** The environment's HTTPS listener; the certificate is added to it so SNI serves it for these hosts. */
  readonly listener: ApplicationListener;
  /**
   * The load balancer's test listener, which needs the same certificate: a release's
   * pre-traffic check and its testers reach a host's new revision there by the host's name.
   * @default - none (the environment releases by rolling update)
   */
  readonly testListener?: ApplicationListener;
  /** The load balancer the hosts' DNS records name. */
  readonly loadBalancer: IApplicationLoadBalancer;
  /** The environment's DNS zone, where every host lies. */
  readonly zoneName: string;
  /**
   * The Route 53 hosted zone of `zoneName`: ACM validates the certificate there and each
   * host gets an alias record to the load balancer. Give this or `cloudflare`.
   * @default - DNS is at Cloudflare (`cloudflare`)
   */
  readonly hostedZoneId?: string;
  /**
   * The Cloudflare zone's certificate settings: the certificate is validated through
   * Cloudflare, and `cloudflareRecords` are the CNAMEs to add to the environment's records.
   * @default - DNS is in Route 53 (`hostedZoneId`)
   */
  readonly cloudflare?: Omit<CloudflareValidatedCertificateProps, 'domainName' | 'subjectAlternativeNames'>;
}

/**
 * The names a load balancer answers for its services beside the API's own: one
 * DNS-validated ACM certificate naming every host, added to the HTTPS listener so SNI
 * serves it for them, and for each host a DNS record to the load balancer (a Route 53 alias
 * here, or a Cloudflare CNAME the environment's Cloudflare records add). The HTTP listener
 * is not touched: it still only redirects, and WAF covers the load balancer, whatever name
 * reached it.
 */
export class ServiceHostnames extends Construct {
  readonly certificate: ICertificate;
  /** @default - none: DNS is in Route 53, where this construct writes the records */
  readonly cloudflareRecords: readonly CloudflareDnsRecord[];
  readonly hosts: readonly string[];

  constructor(scope: Construct, id: string, props: ServiceHostnamesProps) {
    super(scope, id);
    validate(this.node.path, props);
    this.hosts = [...props.hosts];
    const [domainName, ...alternatives] = props.hosts as [string, ...string[]];
    if (props.hostedZoneId !== undefined) {
      const zone = HostedZone.fromHostedZoneAttributes(this, 'Zone', {
        hostedZoneId: props.hostedZoneId,
        zoneName: props.zoneName,
      });
      this.certificate = new Certificate(this, 'Certificate', {
        domainName,
        ...(alternatives.length > 0 ? { subjectAlternativeNames: alternatives } : {}),
        validation: CertificateValidation.fromDns(zone),
      });
      props.hosts.forEach((host) => {
        new ARecord(this, `Record-${host}`, {
          zone,
          recordName: `${host}.`,
          target: RecordTarget.fromAlias(new LoadBalancerTarget(props.loadBalancer)),
        });
      });
      this.cloudflareRecords = [];
    } else {
      this.certificate = new CloudflareValidatedCertificate(this, 'CloudflareCertificate', {
        ...(props.cloudflare as NonNullable<ServiceHostnamesProps['cloudflare']>),
        domainName,
        ...(alternatives.length > 0 ? { subjectAlternativeNames: alternatives } : {}),
      }).certificate;
      this.cloudflareRecords = props.hosts.map((host) => ({
        name: host,
        content: props.loadBalancer.loadBalancerDnsName,
        proxied: false,
      }));
    }
    props.listener.addCertificates('ServiceHosts', [
      ListenerCertificate.fromCertificateManager(this.certificate),
    ]);
    props.testListener?.addCertificates('ServiceHosts', [
      ListenerCertificate.fromCertificateManager(this.certificate),
    ]);
  }
}

function validate(path: string, props: ServiceHostnamesProps): void {
  if ((props.hostedZoneId === undefined) === (props.cloudflare === undefined)) {
    throw new InvalidPropError(
      path,
      'hostedZoneId',
      props.hostedZoneId,
      'give either hostedZoneId (Route 53) or cloudflare, not both and not neither',
    );
  }
  if (props.hosts.length === 0 || props.hosts.length > MAX_NAMES_PER_CERTIFICATE) {
    throw new InvalidPropError(
      path,
      'hosts',
      props.hosts,
      `give 1 to ${MAX_NAMES_PER_CERTIFICATE} hosts (the names ACM puts on one certificate); route further services by path`,
    );
  }
  if (new Set(props.hosts).size !== props.hosts.length) {
    throw new InvalidPropError(path, 'hosts', props.hosts, 'give each host once');
  }
  for (const host of props.hosts) {
    const problem =
      hostNameProblem(host) ??
      (isInZone(host, props.zoneName) ? undefined : `lies outside the DNS zone ${props.zoneName}`);
    if (problem) throw new InvalidPropError(path, 'hosts', host, problem);
  }
}
