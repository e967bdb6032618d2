import { Duration, type RemovalPolicy } from 'aws-cdk-lib';
import {
  Certificate,
  type CertificateValidation,
  type ICertificate,
} from 'aws-cdk-lib/aws-certificatemanager';
import { Peer, Port, type IVpc, type SubnetSelection } from 'aws-cdk-lib/aws-ec2';
import type { ApplicationListener } from 'aws-cdk-lib/aws-elasticloadbalancingv2';
import {
  ApplicationLoadBalancer,
  ApplicationProtocol,
  ListenerAction,
  SslPolicy,
} from 'aws-cdk-lib/aws-elasticloadbalancingv2';
import type { Bucket, IBucket } from 'aws-cdk-lib/aws-s3';
import { Construct } from 'constructs';
import { acknowledge } from '../acknowledge.js';
import { InlineRulesSecurityGroup } from './inline-rules-security-group.js';
import type { RecoverySite } from './recovery-site.js';
import { SecureBucket } from './secure-bucket.js';
import { InvalidPropError } from '../invalid-prop-error.js';

export interface LoadBalancedEdgeProps {
  readonly vpc: IVpc;
  /** Public subnets the load balancer is placed in. */
  readonly vpcSubnets: SubnetSelection;
  /** Name the API is served on; the certificate covers exactly this name. */
  readonly domainName: string;
  /**
   * How ACM proves control of `domainName`, for a certificate made here. Give this or
   * `certificate`, not both.
   * @default - none: `certificate` is used
   */
  readonly certificateValidation?: CertificateValidation;
  /**
   * A certificate for `domainName` made elsewhere (for example validated through another
   * DNS provider). Give this or `certificateValidation`, not both.
   * @default - a certificate made here with `certificateValidation`
   */
  readonly certificate?: ICertificate;
  /** Refuse deletion of the load balancer. */
  readonly deletionProtection: boolean;
  /** Days ALB access log objects are kept (at least 90). */
  readonly accessLogRetentionDays: number;
  /** @default - the access-log bucket's own reads and writes are not logged (acknowledged) */
  readonly serverAccessLogsBucket?: IBucket;
  /** @default RemovalPolicy.RETAIN */
  readonly accessLogRemovalPolicy?: RemovalPolicy;
  /**
   * Port of an HTTPS test listener, through which a release's pre-traffic check reaches the
   * new revision before production traffic does. @default - no test listener
   */
  readonly testPort?: number;
  /**
   * The environment's recovery site: the access-log bucket replicates there.
   * @default - no replica
   */
  readonly recoverySite?: RecoverySite;
}

/**
 * The public entrance: an internet-facing ALB whose security group is the only one open
 * to the internet (443 and 80), an HTTPS listener with a TLS 1.3/1.2 policy, an HTTP
 * listener that only redirects, invalid header fields dropped, and access logs in S3.
 */
export class LoadBalancedEdge extends Construct {
  readonly loadBalancer: ApplicationLoadBalancer;
  readonly httpsListener: ApplicationListener;
  readonly httpListener: ApplicationListener;
  /** HTTPS listener on `testPort`; answers 404 but for the rules services add. @default - none */
  readonly testListener?: ApplicationListener;
  readonly certificate: ICertificate;
  /** Opens 443 and 80 to the internet; reaches only the targets registered with the listeners, on their port. */
  readonly securityGroup: InlineRulesSecurityGroup;
  readonly accessLogBucket: Bucket;

  constructor(scope: Construct, id: string, props: LoadBalancedEdgeProps) {
    super(scope, id);
    if (!/^(?=.{1,253}$)([a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?\.)+[a-z]{2,63}$/.test(props.domainName)) {
      throw new InvalidPropError(
        this.node.path,
        'domainName',
        props.domainName,
        'give a fully qualified lower-case DNS name, for example api.example.com',
      );
    }

    if ((props.certificate === undefined) === (props.certificateValidation === undefined)) {
      throw new InvalidPropError(
        this.node.path,
        'certificate',
        props.certificate === undefined ? 'neither' : 'both',
        'give either certificate or certificateValidation, not both and not neither',
      );
    }
    this.certificate =
      props.certificate ??
      new Certificate(this, 'Certificate', {
        domainName: props.domainName,
        validation: props.certificateValidation,
      });

    // Application Load Balancers write access logs only to SSE-S3 buckets; SecureBucket
    // defaults to SSE-S3 and acknowledges the KMS rules for that reason.
    this.accessLogBucket = new SecureBucket(this, 'AccessLogs', {
      expirationDays: props.accessLogRetentionDays,
      serverAccessLogsBucket: props.serverAccessLogsBucket,
      removalPolicy: props.accessLogRemovalPolicy,
      ...(props.recoverySite ? { replica: { site: props.recoverySite, kind: 'alb' } } : {}),
    }).bucket;

    // Registering a target adds the only egress rule, on the group itself (see InlineRulesSecurityGroup).
    // A new construct id replaces the group that kept its egress rule as a separate resource:
    // writing that same rule inline on the old group and then deleting the separate resource
    // would revoke the rule CloudFormation believes the group still has.
    this.securityGroup = new InlineRulesSecurityGroup(this, 'SecurityGroupInlineRules', {
      vpc: props.vpc,
      description: 'Citadel load balancer: HTTPS and redirect-only HTTP from the internet',
    });
    this.securityGroup.addIngressRule(Peer.anyIpv4(), Port.tcp(443), 'HTTPS from clients');
    this.securityGroup.addIngressRule(Peer.anyIpv4(), Port.tcp(80), 'HTTP from clients, redirected to HTTPS');
    const testPort = props.testPort;
    if (testPort !== undefined && (!Number.isInteger(testPort) || testPort < 1024 || testPort > 65_535)) {
      throw new InvalidPropError(
        this.node.path,
        'testPort',
        testPort,
        'give an unprivileged port from 1024 to 65535',
      );
    }
    if (testPort !== undefined) {
      // The pre-traffic check runs outside the VPC (an internet-facing load balancer's name
      // resolves to public addresses, which the isolated subnets cannot reach), and Lambda has
      // no fixed egress addresses to narrow this rule to. What the port serves is what 443
      // serves a minute later: the test rule mirrors the production rule, and a canary sends
      // real users to the same revision. The same certificate, TLS policy, WAF web ACL (it
      // covers every listener of the load balancer) and the API's token checks apply.
      this.securityGroup.addIngressRule(
        Peer.anyIpv4(),
        Port.tcp(testPort),
        'HTTPS test listener of releases',
      );
    }
    acknowledge(
      this.securityGroup,
      ['AwsSolutions-EC23'],
      testPort === undefined
        ? 'The public API must be reachable by any client; only 443 and a redirect-only 80 are open, WAF filters requests, and no other security group admits the internet.'
        : `The public API must be reachable by any client; only 443, a redirect-only 80 and the release test port ${testPort} (serving what 443 serves, for a check outside the VPC) are open, WAF filters requests, and no other security group admits the internet.`,
    );

    this.loadBalancer = new ApplicationLoadBalancer(this, 'LoadBalancer', {
      vpc: props.vpc,
      vpcSubnets: props.vpcSubnets,
      internetFacing: true,
      securityGroup: this.securityGroup,
      dropInvalidHeaderFields: true,
      deletionProtection: props.deletionProtection,
      idleTimeout: Duration.seconds(60),
    });
    this.loadBalancer.logAccessLogs(this.accessLogBucket, 'alb');
    if (!props.deletionProtection) {
      acknowledge(
        this.loadBalancer,
        [
          'HIPAA.Security-ELBDeletionProtectionEnabled',
          'NIST.800.53.R5-ELBDeletionProtectionEnabled',
          'PCI.DSS.321-ELBDeletionProtectionEnabled',
        ],
        'Deletion protection is off by this environment config so a disposable environment can be torn down; stack termination protection still guards it.',
      );
    }

    this.httpsListener = this.loadBalancer.addListener('Https', {
      port: 443,
      protocol: ApplicationProtocol.HTTPS,
      certificates: [this.certificate],
      sslPolicy: SslPolicy.TLS13_RES,
      open: false,
    });
    this.httpListener = this.loadBalancer.addListener('Http', {
      port: 80,
      protocol: ApplicationProtocol.HTTP,
      defaultAction: ListenerAction.redirect({ protocol: 'HTTPS', port: '443', permanent: true }),
      open: false,
    });
    if (testPort !== undefined) {
      this.testListener = this.loadBalancer.addListener('Test', {
        port: testPort,
        protocol: ApplicationProtocol.HTTPS,
        certificates: [this.certificate],
        sslPolicy: SslPolicy.TLS13_RES,
        open: false,
        defaultAction: ListenerAction.fixedResponse(404, {
          contentType: 'application/json',
          messageBody: '{}',
        }),
      });
    }
    acknowledge(
      this.httpListener,
      [
        'HIPAA.Security-ELBv2ACMCertificateRequired',
        'NIST.800.53.R5-ELBv2ACMCertificateRequired',
        'PCI.DSS.321-ELBv2ACMCertificateRequired',
      ],
      'The port-80 listener only answers with a permanent redirect to HTTPS and serves no content; the HTTPS listener carries the ACM certificate.',
    );
  }
}
