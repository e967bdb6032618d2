import { CustomResource } from 'aws-cdk-lib';
import type { IKey } from 'aws-cdk-lib/aws-kms';
import type { ISecret } from 'aws-cdk-lib/aws-secretsmanager';
import { Construct } from 'constructs';
import type { LogPolicy } from '../platform/platform.js';
import { acknowledge } from '../acknowledge.js';
import { assertCloudflareZoneId } from './cloudflare-zone-id.js';
import { CustomResourceProvider } from './custom-resource-provider.js';
import { functionEntry } from './node-function.js';
import { InvalidPropError } from '../invalid-prop-error.js';

/** One CNAME record in the Cloudflare zone. */
export interface CloudflareDnsRecord {
  /** Fully qualified record name. */
  readonly name: string;
  /** Target name of the CNAME. */
  readonly content: string;
  /** Seconds: 1 (automatic) or 60–86400. @default 1 */
  readonly ttl?: number;
  /** Route through Cloudflare's proxy. @default false */
  readonly proxied?: boolean;
}

export interface CloudflareDnsRecordsProps {
  /** Cloudflare zone id (32 hexadecimal characters). */
  readonly zoneId: string;
  readonly records: readonly CloudflareDnsRecord[];
  /** Secret holding the Cloudflare API token (DNS edit on this zone only). */
  readonly apiTokenSecret: ISecret;
  /** Key the token secret is encrypted with. @default - the secret's own key, when it is known */
  readonly apiTokenKey?: IKey;
  readonly functionEnvironmentKey: IKey;
  /** Key and retention of the provider's log groups: the environment's log policy. */
  readonly logPolicy: LogPolicy;
  /** @default - the cloudflare-dns handler in packages/functions */
  readonly entry?: string;
}

/**
 * CNAME records in a Cloudflare zone, created, updated and deleted with the stack through
 * Cloudflare's v4 API by a custom resource whose API token stays in Secrets Manager.
 */
export class CloudflareDnsRecords extends Construct {
  readonly resource: CustomResource;

  constructor(scope: Construct, id: string, props: CloudflareDnsRecordsProps) {
    super(scope, id);
    assertCloudflareZoneId(this.node.path, props.zoneId);
    if (props.records.length === 0) {
      throw new InvalidPropError(this.node.path, 'records', [], 'give at least one record to manage');
    }
    const provider = new CustomResourceProvider(this, 'Provider', {
      entry: props.entry ?? functionEntry('cloudflare-dns'),
      description: 'Manages Citadel DNS records in Cloudflare',
      environmentKey: props.functionEnvironmentKey,
      logPolicy: props.logPolicy,
      reservedConcurrentExecutions: 1,
    });
    props.apiTokenSecret.grantRead(provider.handler);
    props.apiTokenKey?.grantDecrypt(provider.handler);
    acknowledge(
      provider.handler,
      ['HIPAA.Security-LambdaInsideVPC', 'NIST.800.53.R5-LambdaInsideVPC', 'PCI.DSS.321-LambdaInsideVPC'],
      "Cloudflare's API is on the internet and the VPC has no internet route by design; this function only edits DNS records and can read no data but its own API token.",
    );

    this.resource = new CustomResource(this, 'Resource', {
      serviceToken: provider.serviceToken,
      resourceType: 'Custom::CitadelCloudflareDnsRecords',
      properties: {
        ZoneId: props.zoneId,
        ApiTokenSecretArn: props.apiTokenSecret.secretArn,
        Records: props.records.map((record) => ({
          Name: record.name,
          Type: 'CNAME',
          Content: record.content,
          Ttl: record.ttl ?? 1,
          Proxied: record.proxied ?? false,
        })),
      },
    });
  }
}
