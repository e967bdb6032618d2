import { CustomResource, Duration, Stack } from 'aws-cdk-lib';
import { Certificate, type ICertificate } from 'aws-cdk-lib/aws-certificatemanager';
import { PolicyStatement } from 'aws-cdk-lib/aws-iam';
import type { IKey } from 'aws-cdk-lib/aws-kms';
import type { ISecret } from 'aws-cdk-lib/aws-secretsmanager';
import { Construct } from 'constructs';
import type { LogPolicy } from '../platform/platform.js';
import { acknowledge } from '../acknowledge.js';
import { assertCloudflareZoneId } from './cloudflare-zone-id.js';
import { InvalidPropError } from '../invalid-prop-error.js';
import {
  CUSTOM_RESOURCE_MAX_SERVICE_TIMEOUT,
  CustomResourceProvider,
  IS_COMPLETE_TIMEOUT,
} from './custom-resource-provider.js';
import { functionEntry } from './node-function.js';

export interface CloudflareValidatedCertificateProps {
  /** Name the certificate is for; lower case, may start with `*.`. */
  readonly domainName: string;
  /** @default - the certificate covers `domainName` only */
  readonly subjectAlternativeNames?: readonly string[];
  /** Cloudflare zone id (32 hexadecimal characters) of the zone serving the names. */
  readonly zoneId: string;
  /** Secret holding the Cloudflare API token (DNS edit on this zone only). */
  readonly apiTokenSecret: ISecret;
  /** Key the token secret is encrypted with. @default - the secret's own key, when it is known */
  readonly apiTokenKey?: IKey;
  readonly functionEnvironmentKey: IKey;
  /** Key and retention of the provider's log groups: the environment's log policy. */
  readonly logPolicy: LogPolicy;
  /** Tags on the certificate. @default - none */
  readonly tags?: Readonly<Record<string, string>>;
  /**
   * How long to wait for ACM to issue the certificate before the deployment fails; a whole
   * number of `statusCheckInterval`s, short enough that the wait, one more check and a
   * five-minute margin fit in the hour CloudFormation waits for a custom resource.
   * @default Duration.minutes(45)
   */
  readonly issueTimeout?: Duration;
  /** Wait between checks of the certificate's status. @default Duration.seconds(30) */
  readonly statusCheckInterval?: Duration;
  /** @default - the cloudflare-certificate handler in packages/functions */
  readonly entry?: string;
}

/** Room for CloudFormation's and the provider framework's own latency. */
const SERVICE_TIMEOUT_MARGIN = Duration.minutes(5);

/**
 * Longest `issueTimeout`, in seconds, that fails before CloudFormation stops waiting: the
 * wait is measured from the start of `onEvent`; the check that sees it expire starts at most
 * one interval and one slow check later and takes at most one more check.
 */
function longestIssueWait(statusCheckInterval: Duration): number {
  const seconds =
    CUSTOM_RESOURCE_MAX_SERVICE_TIMEOUT.toSeconds() -
    SERVICE_TIMEOUT_MARGIN.toSeconds() -
    statusCheckInterval.toSeconds() -
    2 * IS_COMPLETE_TIMEOUT.toSeconds();
  return seconds - (seconds % statusCheckInterval.toSeconds());
}

const DOMAIN_NAME = /^(\*\.)?(?=.{1,253}$)([a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?\.)+[a-z]{2,63}$/;

/**
 * A DNS-validated ACM certificate for a domain whose DNS is at Cloudflare: a custom
 * resource requests it, writes ACM's validation CNAMEs into the zone through Cloudflare's
 * v4 API and finishes only once ACM has issued it, so nothing waits on a record nobody
 * creates. Deleting it removes the records and then the certificate.
 */
export class CloudflareValidatedCertificate extends Construct {
  readonly resource: CustomResource;
  /** The issued certificate, for a load balancer listener. */
  readonly certificate: ICertificate;
  readonly certificateArn: string;

  constructor(scope: Construct, id: string, props: CloudflareValidatedCertificateProps) {
    super(scope, id);
    for (const [prop, name] of [
      ['domainName', props.domainName],
      ...(props.subjectAlternativeNames ?? []).map((alternative) => ['subjectAlternativeNames', alternative]),
    ] as [string, string][]) {
      if (!DOMAIN_NAME.test(name)) {
        throw new InvalidPropError(
          this.node.path,
          prop,
          name,
          'give fully qualified lower-case DNS names, for example api.example.com or *.example.com',
        );
      }
    }
    assertCloudflareZoneId(this.node.path, props.zoneId);
    const issueTimeout = props.issueTimeout ?? Duration.minutes(45);
    const statusCheckInterval = props.statusCheckInterval ?? Duration.seconds(30);
    const longestIssueTimeout = longestIssueWait(statusCheckInterval);
    if (
      issueTimeout.toSeconds() < statusCheckInterval.toSeconds() ||
      issueTimeout.toSeconds() > longestIssueTimeout ||
      issueTimeout.toSeconds() % statusCheckInterval.toSeconds() !== 0
    ) {
      throw new InvalidPropError(
        this.node.path,
        'issueTimeout',
        issueTimeout.toHumanString(),
        `give a whole number of statusCheckIntervals (${statusCheckInterval.toHumanString()}) up to ${longestIssueTimeout} seconds: CloudFormation waits at most one hour for a custom resource`,
      );
    }

    const provider = new CustomResourceProvider(this, 'Provider', {
      entry: props.entry ?? functionEntry('cloudflare-certificate'),
      isCompleteHandler: 'isComplete',
      // isComplete fails the request itself once issueTimeout has passed since onEvent began,
      // with a reason; the framework's own limit, two checks later, is only a backstop.
      environment: { CERTIFICATE_ISSUE_TIMEOUT_SECONDS: String(issueTimeout.toSeconds()) },
      totalTimeout: Duration.seconds(issueTimeout.toSeconds() + 2 * statusCheckInterval.toSeconds()),
      queryInterval: statusCheckInterval,
      description: 'Requests Citadel ACM certificates validated through Cloudflare DNS',
      environmentKey: props.functionEnvironmentKey,
      logPolicy: props.logPolicy,
      reservedConcurrentExecutions: 1,
    });
    const onEvent = provider.handler;
    const isComplete = provider.isCompleteHandler;
    props.apiTokenSecret.grantRead(onEvent);
    props.apiTokenKey?.grantDecrypt(onEvent);

    const certificates = Stack.of(this).formatArn({
      service: 'acm',
      resource: 'certificate',
      resourceName: '*',
    });
    onEvent.addToRolePolicy(
      new PolicyStatement({
        actions: ['acm:DescribeCertificate', 'acm:DeleteCertificate', 'acm:AddTagsToCertificate'],
        resources: [certificates],
      }),
    );
    onEvent.addToRolePolicy(
      new PolicyStatement({
        actions: ['acm:RequestCertificate', 'acm:ListCertificates'],
        resources: ['*'],
      }),
    );
    isComplete?.addToRolePolicy(
      new PolicyStatement({ actions: ['acm:DescribeCertificate'], resources: [certificates] }),
    );
    acknowledge(
      onEvent,
      ['AwsSolutions-IAM5[Resource::*]'],
      'acm:RequestCertificate creates a certificate whose ARN does not exist yet and acm:ListCertificates lists the account, so IAM accepts no narrower resource for either; both are read or create-only and cannot touch existing certificates.',
    );
    for (const fn of [onEvent, isComplete]) {
      if (!fn) continue;
      acknowledge(
        fn,
        [`AwsSolutions-IAM5[Resource::${Stack.of(this).resolve(certificates) as string}]`],
        "The certificate's ARN is made by ACM at request time, so the role names this account's and region's certificates; the function only describes, tags and deletes the certificate its resource requested.",
      );
      acknowledge(
        fn,
        ['HIPAA.Security-LambdaInsideVPC', 'NIST.800.53.R5-LambdaInsideVPC', 'PCI.DSS.321-LambdaInsideVPC'],
        "ACM's and Cloudflare's APIs are reached over the internet and the VPC has no internet route by design; this function only manages one certificate and its DNS validation records and reads no data but its own API token.",
      );
    }

    this.resource = new CustomResource(this, 'Resource', {
      serviceToken: provider.serviceToken,
      resourceType: 'Custom::CitadelCloudflareCertificate',
      serviceTimeout: CUSTOM_RESOURCE_MAX_SERVICE_TIMEOUT,
      properties: {
        ZoneId: props.zoneId,
        ApiTokenSecretArn: props.apiTokenSecret.secretArn,
        DomainName: props.domainName,
        ...(props.subjectAlternativeNames?.length
          ? { SubjectAlternativeNames: [...props.subjectAlternativeNames] }
          : {}),
        ...(props.tags ? { Tags: Object.entries(props.tags).map(([Key, Value]) => ({ Key, Value })) } : {}),
      },
    });
    this.certificateArn = this.resource.getAttString('CertificateArn');
    this.certificate = Certificate.fromCertificateArn(this, 'Certificate', this.certificateArn);
  }
}
