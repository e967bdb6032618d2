import { type RemovalPolicy, Stack } from 'aws-cdk-lib';
import { ReadWriteType, Trail } from 'aws-cdk-lib/aws-cloudtrail';
import { PolicyStatement, ServicePrincipal } from 'aws-cdk-lib/aws-iam';
import type { Key } from 'aws-cdk-lib/aws-kms';
import type { Bucket, IBucket } from 'aws-cdk-lib/aws-s3';
import { Construct } from 'constructs';
import { acknowledgeOwnRolePolicy } from '../acknowledge.js';
import { InvalidPropError } from '../invalid-prop-error.js';
import { EncryptedLogGroup } from './encrypted-log-group.js';
import { SecureBucket } from './secure-bucket.js';
import type { RecoverySite } from './recovery-site.js';
import { ServiceKey } from './service-key.js';

export interface AccountTrailProps {
  /** Name of the trail; part of its ARN, which the key policy names. */
  readonly trailName: string;
  /** Days the trail's log group events and S3 objects are kept (at least 90). */
  readonly logRetentionDays: number;
  /** Bucket that receives the trail bucket's server access logs. */
  readonly serverAccessLogsBucket: IBucket;
  /** Alias of the trail's KMS key. @default 'citadel/cloudtrail' */
  readonly keyAlias?: string;
  /** Of the trail key, bucket and log group. @default RemovalPolicy.RETAIN */
  readonly removalPolicy?: RemovalPolicy;
  /**
   * The environment's recovery site: the trail bucket replicates there.
   * @default - no replica
   */
  readonly recoverySite?: RecoverySite;
}

/**
 * The account's one CloudTrail trail: every region, management events read and write,
 * log file validation, into a KMS-encrypted, versioned, TLS-only bucket and an encrypted
 * log group. The key lets CloudTrail use it for this trail only.
 */
export class AccountTrail extends Construct {
  readonly trail: Trail;
  readonly bucket: Bucket;
  readonly key: Key;
  /** ARN of the trail, known at synth from its name. */
  readonly trailArn: string;

  constructor(scope: Construct, id: string, props: AccountTrailProps) {
    super(scope, id);
    if (!/^[A-Za-z0-9][A-Za-z0-9._-]{2,127}$/.test(props.trailName)) {
      throw new InvalidPropError(
        this.node.path,
        'trailName',
        props.trailName,
        'use 3–128 letters, digits, periods, underscores or hyphens, starting with a letter or digit',
      );
    }
    const stack = Stack.of(this);
    const { account, partition, region } = stack;
    // Built from the name, not read from the trail: the trail needs the key first, so the
    // key policy cannot reference the trail resource.
    this.trailArn = `arn:${partition}:cloudtrail:${region}:${account}:trail/${props.trailName}`;
    const fromThisTrail = {
      'aws:SourceArn': this.trailArn,
      'aws:SourceAccount': account,
    };

    this.key = new ServiceKey(this, 'TrailKey', {
      aliasName: props.keyAlias ?? 'citadel/cloudtrail',
      description: 'CloudTrail log files and the trail log group',
      // Auditors read trail objects through S3; nothing else may use the key indirectly.
      viaServices: ['s3'],
      directUsers: [
        {
          principal: 'cloudtrail.amazonaws.com',
          conditions: {
            StringLike: {
              'kms:EncryptionContext:aws:cloudtrail:arn': `arn:${partition}:cloudtrail:*:${account}:trail/*`,
            },
            StringEquals: fromThisTrail,
          },
        },
        {
          principal: `logs.${region}.amazonaws.com`,
          conditions: {
            ArnLike: {
              'kms:EncryptionContext:aws:logs:arn': `arn:${partition}:logs:${region}:${account}:log-group:*`,
            },
          },
        },
      ],
      removalPolicy: props.removalPolicy,
    }).key;
    // CloudTrail describes the key when it creates or updates the trail, and decrypts with
    // it to use the bucket's S3 Bucket Key; neither call carries an encryption context.
    this.key.addToResourcePolicy(
      new PolicyStatement({
        sid: 'CloudTrailDescribesKeyAndUsesBucketKey',
        principals: [new ServicePrincipal('cloudtrail.amazonaws.com')],
        actions: ['kms:DescribeKey', 'kms:Decrypt'],
        resources: ['*'],
        conditions: { StringEquals: fromThisTrail },
      }),
    );

    this.bucket = new SecureBucket(this, 'TrailBucket', {
      encryptionKey: this.key,
      serverAccessLogsBucket: props.serverAccessLogsBucket,
      expirationDays: props.logRetentionDays,
      removalPolicy: props.removalPolicy,
      ...(props.recoverySite ? { replica: { site: props.recoverySite, kind: 'trail' } } : {}),
    }).bucket;

    const logGroup = new EncryptedLogGroup(this, 'TrailLogs', {
      encryptionKey: this.key,
      retentionDays: props.logRetentionDays,
      removalPolicy: props.removalPolicy,
    }).logGroup;
    this.trail = new Trail(this, 'Trail', {
      trailName: props.trailName,
      bucket: this.bucket,
      encryptionKey: this.key,
      isMultiRegionTrail: true,
      includeGlobalServiceEvents: true,
      enableFileValidation: true,
      managementEvents: ReadWriteType.ALL,
      sendToCloudWatchLogs: true,
      cloudWatchLogGroup: logGroup,
    });
    this.trail.node.addDependency(this.key);
    acknowledgeOwnRolePolicy(this.trail);
  }
}
