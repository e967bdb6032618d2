import { Token } from 'aws-cdk-lib';
import { InvalidPropError } from './invalid-prop-error.js';

/**
 * Id of the AWS-managed prefix list `com.amazonaws.<region>.s3` per region: the address
 * ranges the S3 gateway endpoint routes, which a security group names to allow HTTPS to S3
 * (ECR image layers) without opening 443 to the internet. The ids differ per region and
 * synth must not look them up; add a region with the `PrefixListId` printed by
 * `aws ec2 describe-prefix-lists --region <region> --filters Name=prefix-list-name,Values=com.amazonaws.<region>.s3`.
 */
export const S3_PREFIX_LIST_IDS: Readonly<Record<string, string>> = Object.freeze({
  'eu-west-1': 'pl-6da54004',
  'eu-central-1': 'pl-6ea54007',
  'us-east-1': 'pl-63a5400a',
  'us-east-2': 'pl-7ba54012',
  'us-west-2': 'pl-68a54001',
});

/** The S3 prefix list id of `region`; throws for a region missing from `S3_PREFIX_LIST_IDS`. */
export function s3PrefixListId(constructPath: string, region: string): string {
  const id =
    Token.isUnresolved(region) || !Object.hasOwn(S3_PREFIX_LIST_IDS, region)
      ? undefined
      : S3_PREFIX_LIST_IDS[region];
  if (id === undefined) {
    throw new InvalidPropError(
      constructPath,
      'region',
      region,
      `no S3 prefix list id is known for this region: add it to S3_PREFIX_LIST_IDS in packages/infra/lib/s3-prefix-lists.ts (aws ec2 describe-prefix-lists --region <region> names com.amazonaws.<region>.s3); the region must be concrete, not a token (known: ${Object.keys(S3_PREFIX_LIST_IDS).join(', ')})`,
    );
  }
  return id;
}
