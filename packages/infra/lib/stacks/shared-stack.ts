import type { IRepository } from 'aws-cdk-lib/aws-ecr';
import type { IRole } from 'aws-cdk-lib/aws-iam';
import type { IKey } from 'aws-cdk-lib/aws-kms';
import type { Construct } from 'constructs';
import type { EnvironmentConfig } from '../../config/index.js';
import type { IBucket } from 'aws-cdk-lib/aws-s3';
import { changeRecordSettings } from '../../config/change-records.js';
import { ChangeRecordBucket } from '../constructs/change-record-bucket.js';
import { ContainerRepository } from '../constructs/container-repository.js';
import { GithubDeployRole } from '../constructs/github-deploy-role.js';
import { ServiceKey } from '../constructs/service-key.js';
import { recoverySiteOf } from './recovery-stack.js';
import { CitadelStack } from './citadel-stack.js';

export interface SharedStackProps {
  readonly config: EnvironmentConfig;
}

/**
 * What a deploy needs before anything else exists: the API image repository, the delivery
 * identity and the object-locked bucket each deploy's change record is written to. Its images key lives here rather than with the data keys in
 * `network`, because this stack deploys first and must not depend on later layers.
 */
export class SharedStack extends CitadelStack {
  /** Repository the API image is pushed to and the ECS service pulls from. */
  readonly apiRepository: IRepository;
  /** Encrypts container images. */
  readonly imagesKey: IKey;
  /** Role GitHub Actions deploys this environment with (OIDC, this environment's jobs only). */
  readonly deployRole: IRole;
  /** Object-locked bucket every deploy of this environment writes its change record to. */
  readonly changeRecordBucket: IBucket;

  constructor(scope: Construct, props: SharedStackProps) {
    super(scope, {
      config: props.config,
      layer: 'shared',
      description: 'container image repository and delivery identity',
    });
    this.imagesKey = new ServiceKey(this, 'ImagesKey', {
      aliasName: `citadel/${props.config.name}/images`,
      description: 'Citadel container images in ECR',
      viaServices: ['ecr'],
    }).key;
    this.apiRepository = new ContainerRepository(this, 'ApiImages', {
      repositoryName: `citadel/${props.config.name}/api`,
      encryptionKey: this.imagesKey,
    }).repository;
    const site = recoverySiteOf(props.config);
    const changeRecords = new ChangeRecordBucket(this, 'ChangeRecords', {
      environmentName: props.config.name,
      logRetentionDays: props.config.logRetentionDays,
      ...changeRecordSettings(props.config),
      ...(site ? { replica: { site, kind: 'changes' as const } } : {}),
    });
    this.changeRecordBucket = changeRecords.bucket;
    this.deployRole = new GithubDeployRole(this, 'GithubDeploy', {
      repository: props.config.github.repository,
      environmentName: props.config.name,
      imageRepository: this.apiRepository,
      oidcProviderArn: props.config.github.oidcProviderArn,
      ...(props.config.recovery ? { recoveryRegion: props.config.recovery.region } : {}),
      changeRecords: {
        bucket: changeRecords.bucket,
        key: changeRecords.key,
        recordPrefix: changeRecords.recordPrefix,
        stackNamePrefix: `citadel-${props.config.name}-`,
      },
    }).role;
  }
}
