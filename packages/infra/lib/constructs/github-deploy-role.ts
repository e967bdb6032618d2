import { Duration, Stack } from 'aws-cdk-lib';
import type { IRepository } from 'aws-cdk-lib/aws-ecr';
import type { IKey } from 'aws-cdk-lib/aws-kms';
import type { CfnBucket, IBucket } from 'aws-cdk-lib/aws-s3';
import {
  type IOidcProvider,
  ManagedPolicy,
  OidcProviderNative,
  PolicyStatement,
  Role,
  WebIdentityPrincipal,
} from 'aws-cdk-lib/aws-iam';
import { Construct } from 'constructs';
import { acknowledge } from '../acknowledge.js';

/** GitHub Actions' OIDC token issuer. */
export const GITHUB_OIDC_ISSUER = 'token.actions.githubusercontent.com';
/** Audience configure-aws-credentials requests its token for. */
export const GITHUB_OIDC_AUDIENCE = 'sts.amazonaws.com';
/** Qualifier `cdk bootstrap` uses unless told otherwise. */
export const DEFAULT_BOOTSTRAP_QUALIFIER = 'hnb659fds';
/** The CDK bootstrap roles a deploy assumes: change sets, asset uploads, image uploads, lookups. */
export const CDK_BOOTSTRAP_ROLE_KINDS = ['deploy', 'file-publishing', 'image-publishing', 'lookup'] as const;

const REPOSITORY = /^[A-Za-z0-9-]+\/[A-Za-z0-9._-]+$/;
const ENVIRONMENT = /^[A-Za-z0-9_-]+$/;
const QUALIFIER = /^[a-z0-9]{1,10}$/;
const REGION = /^[a-z]{2}(-gov)?-[a-z]+-\d$/;
const MAX_SESSION = Duration.hours(1);

export interface GithubDeployRoleProps {
  /** GitHub repository whose workflows may deploy, as `owner/name`. */
  readonly repository: string;
  /** GitHub environment (and Citadel environment) name; only jobs running in it may assume the role. */
  readonly environmentName: string;
  /** ECR repository the role may push the API image to. */
  readonly imageRepository: IRepository;
  /**
   * ARN of the account's existing GitHub OIDC provider (an account holds one per issuer).
   * @default - a provider for token.actions.githubusercontent.com is created here
   */
  readonly oidcProviderArn?: string;
  /**
   * Where the role writes each deploy's change record, and which alarms it reads the state of.
   * @default - the role writes no change record and reads no alarm
   */
  readonly changeRecords?: ChangeRecordWriting;
  /**
   * Qualifier the environment was bootstrapped with.
   * @default 'hnb659fds' (the `cdk bootstrap` default)
   */
  readonly bootstrapQualifier?: string;
  /**
   * Second region of the same account the environment deploys its recovery stack to; the role
   * may assume the CDK bootstrap roles of that region too (the same kinds, nothing else there).
   * @default - the role may assume the bootstrap roles of the stack's own region only
   */
  readonly recoveryRegion?: string;
  /**
   * Longest session a workflow gets; at most one hour.
   * @default Duration.hours(1)
   */
  readonly maxSessionDuration?: Duration;
}

/** What a deploy needs to record itself: one S3 prefix to add objects under, and the alarms to read. */
export interface ChangeRecordWriting {
  readonly bucket: IBucket;
  /** The bucket's key; the role may only generate data keys with it, through S3. */
  readonly key: IKey;
  /** Prefix inside the bucket, ending in `/`, for example `records/prod/`. */
  readonly recordPrefix: string;
  /**
   * Start of the environment's stack names, for example `citadel-prod-`; CloudFormation names
   * each alarm after its stack, so the environment's alarms start with it too.
   */
  readonly stackNamePrefix: string;
}

/**
 * The identity GitHub Actions deploys an environment with: the GitHub OIDC provider
 * (created or imported) and a role named `citadel-<env>-github-deploy` that only jobs in
 * this repository's `<env>` GitHub environment can assume, for at most an hour. The role
 * holds no deploy rights itself: it may assume the environment's CDK bootstrap roles
 * (which CloudFormation deploys through), in its region and in its recovery region, and
 * push to the API image repository.
 */
export class GithubDeployRole extends Construct {
  readonly role: Role;
  readonly provider: IOidcProvider;

  constructor(scope: Construct, id: string, props: GithubDeployRoleProps) {
    super(scope, id);
    const qualifier = props.bootstrapQualifier ?? DEFAULT_BOOTSTRAP_QUALIFIER;
    const maxSessionDuration = props.maxSessionDuration ?? MAX_SESSION;
    validate(props, qualifier, maxSessionDuration);
    validateRecoveryRegion(props.recoveryRegion, Stack.of(this).region);

    this.provider = props.oidcProviderArn
      ? OidcProviderNative.fromOidcProviderArn(this, 'GithubOidc', props.oidcProviderArn)
      : new OidcProviderNative(this, 'GithubOidc', {
          url: `https://${GITHUB_OIDC_ISSUER}`,
          clientIds: [GITHUB_OIDC_AUDIENCE],
        });

    this.role = new Role(this, 'Role', {
      roleName: `citadel-${props.environmentName}-github-deploy`,
      description: `GitHub Actions deploys of ${props.repository} to the ${props.environmentName} environment`,
      maxSessionDuration,
      assumedBy: new WebIdentityPrincipal(this.provider.oidcProviderArn, {
        StringEquals: {
          [`${GITHUB_OIDC_ISSUER}:aud`]: GITHUB_OIDC_AUDIENCE,
          [`${GITHUB_OIDC_ISSUER}:sub`]: `repo:${props.repository}:environment:${props.environmentName}`,
        },
      }),
    });

    const { account, region, partition } = Stack.of(this);
    const bootstrapRegions = [region, ...(props.recoveryRegion ? [props.recoveryRegion] : [])];
    const policy = new ManagedPolicy(this, 'Policy', {
      description: `CDK bootstrap roles and API image pushes for ${props.environmentName}`,
      roles: [this.role],
      statements: [
        new PolicyStatement({
          sid: 'AssumeCdkBootstrapRoles',
          actions: ['sts:AssumeRole'],
          resources: bootstrapRegions.flatMap((bootstrapRegion) =>
            CDK_BOOTSTRAP_ROLE_KINDS.map(
              (kind) =>
                `arn:${partition}:iam::${account}:role/cdk-${qualifier}-${kind}-role-${account}-${bootstrapRegion}`,
            ),
          ),
        }),
        new PolicyStatement({
          sid: 'EcrSignIn',
          actions: ['ecr:GetAuthorizationToken'],
          resources: ['*'],
        }),
        new PolicyStatement({
          sid: 'PushApiImage',
          actions: [
            'ecr:BatchCheckLayerAvailability',
            'ecr:BatchGetImage',
            'ecr:CompleteLayerUpload',
            'ecr:DescribeImages',
            'ecr:GetDownloadUrlForLayer',
            'ecr:InitiateLayerUpload',
            'ecr:PutImage',
            'ecr:UploadLayerPart',
          ],
          resources: [props.imageRepository.repositoryArn],
        }),
      ],
    });
    if (props.changeRecords) allowChangeRecords(policy, props.changeRecords);
    acknowledge(
      policy,
      ['AwsSolutions-IAM5[Resource::*]'],
      'ecr:GetAuthorizationToken has no resource-level permissions in IAM, so its resource must be "*"; it only issues a registry sign-in token, and every image read or write stays scoped to the API repository.',
    );
  }
}

/**
 * PutObject under the record prefix only (no change to a lock, no tagging, no delete), the
 * data key S3 asks KMS for on the role's behalf, and the state of the environment's alarms
 * and stacks after a deploy.
 */
function allowChangeRecords(policy: ManagedPolicy, records: ChangeRecordWriting): void {
  const { account, region, partition } = Stack.of(policy);
  const alarms = `arn:${partition}:cloudwatch:${region}:${account}:alarm:${records.stackNamePrefix}*`;
  const stacks = `arn:${partition}:cloudformation:${region}:${account}:stack/${records.stackNamePrefix}*/*`;
  policy.addStatements(
    new PolicyStatement({
      sid: 'WriteChangeRecords',
      actions: ['s3:PutObject'],
      resources: [records.bucket.arnForObjects(`${records.recordPrefix}*`)],
    }),
    new PolicyStatement({
      sid: 'EncryptChangeRecords',
      actions: ['kms:GenerateDataKey'],
      resources: [records.key.keyArn],
    }),
    new PolicyStatement({
      sid: 'ReadAlarmStates',
      actions: ['cloudwatch:DescribeAlarms'],
      resources: [alarms],
    }),
    new PolicyStatement({
      sid: 'ReadStackStatus',
      actions: ['cloudformation:DescribeStacks'],
      resources: [stacks],
    }),
  );
  acknowledge(
    policy,
    [
      `AwsSolutions-IAM5[Resource::<${Stack.of(policy).getLogicalId(records.bucket.node.defaultChild as CfnBucket)}.Arn>/${records.recordPrefix}*]`,
      `AwsSolutions-IAM5[Resource::${alarms}]`,
      `AwsSolutions-IAM5[Resource::${stacks}]`,
    ],
    'Every deploy adds a new record object, so the write is to a prefix: only s3:PutObject under records/<env>/, where Object Lock keeps each record and a bucket policy denies every delete; the reads are DescribeAlarms and DescribeStacks on this environment’s own alarm and stack names only, to record how the deploy ended.',
  );
}

function validateRecoveryRegion(recoveryRegion: string | undefined, region: string): void {
  if (recoveryRegion === undefined) return;
  if (!REGION.test(recoveryRegion)) {
    throw new Error(
      `GithubDeployRole: recoveryRegion "${recoveryRegion}" is not a region name; use one such as "eu-central-1".`,
    );
  }
  if (recoveryRegion === region) {
    throw new Error(
      `GithubDeployRole: recoveryRegion "${recoveryRegion}" is the stack's own region; name a second region, or leave recoveryRegion out.`,
    );
  }
}

function validate(props: GithubDeployRoleProps, qualifier: string, maxSessionDuration: Duration): void {
  if (!REPOSITORY.test(props.repository)) {
    throw new Error(
      `GithubDeployRole: repository "${props.repository}" is not "owner/name"; use the GitHub repository path, for example "example-org/citadel".`,
    );
  }
  if (!ENVIRONMENT.test(props.environmentName)) {
    throw new Error(
      `GithubDeployRole: environmentName "${props.environmentName}" may hold only letters, digits, "-" and "_".`,
    );
  }
  if (!QUALIFIER.test(qualifier)) {
    throw new Error(
      `GithubDeployRole: bootstrapQualifier "${qualifier}" must be 1–10 lowercase letters or digits, as cdk bootstrap requires.`,
    );
  }
  if (maxSessionDuration.toSeconds() > MAX_SESSION.toSeconds() || maxSessionDuration.toSeconds() < 900) {
    throw new Error(
      `GithubDeployRole: maxSessionDuration ${maxSessionDuration.toHumanString()} is outside 15 minutes – 1 hour; deploy sessions are kept to an hour at most.`,
    );
  }
}
