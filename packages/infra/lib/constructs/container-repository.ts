import { Duration, RemovalPolicy } from 'aws-cdk-lib';
import {
  Repository,
  RepositoryEncryption,
  TagMutability,
  TagStatus,
  type IRepository,
} from 'aws-cdk-lib/aws-ecr';
import type { IKey } from 'aws-cdk-lib/aws-kms';
import { Construct } from 'constructs';

export interface ContainerRepositoryProps {
  /** Repository name, for example `citadel/prod/api`. */
  readonly repositoryName: string;
  /** Key the images are encrypted with. */
  readonly encryptionKey: IKey;
  /**
   * Most recent images kept; older ones expire.
   * @default 100
   */
  readonly maxImages?: number;
  /**
   * Days an untagged image (a failed or superseded push) is kept.
   * @default 7
   */
  readonly untaggedImageDays?: number;
}

/**
 * An ECR repository for one service's images: immutable tags (a tag always means the
 * same image, so deploys by tag or digest are reproducible), scan on push, KMS
 * encryption, and a lifecycle that expires untagged images and caps the count.
 */
export class ContainerRepository extends Construct {
  readonly repository: IRepository;

  constructor(scope: Construct, id: string, props: ContainerRepositoryProps) {
    super(scope, id);
    this.repository = new Repository(this, 'Repository', {
      repositoryName: props.repositoryName,
      imageTagMutability: TagMutability.IMMUTABLE,
      imageScanOnPush: true,
      encryption: RepositoryEncryption.KMS,
      encryptionKey: props.encryptionKey,
      removalPolicy: RemovalPolicy.RETAIN,
      lifecycleRules: [
        {
          rulePriority: 1,
          description: 'Expire untagged images',
          tagStatus: TagStatus.UNTAGGED,
          maxImageAge: Duration.days(props.untaggedImageDays ?? 7),
        },
        {
          rulePriority: 2,
          description: 'Keep the most recent images',
          tagStatus: TagStatus.ANY,
          maxImageCount: props.maxImages ?? 100,
        },
      ],
    });
  }
}
