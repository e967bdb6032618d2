import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { ConfigError } from '../../config/index.js';
import { BOOTSTRAP_TEMPLATE, bootstrapArguments } from '../../scripts/bootstrap.js';

interface Resource {
  Type: string;
  Properties: Record<string, unknown>;
  DeletionPolicy?: string;
}

const template = parse(readFileSync(BOOTSTRAP_TEMPLATE, 'utf8')) as {
  Resources: Record<string, Resource>;
  Parameters: Record<string, { Default?: string }>;
};
const bucket = template.Resources.StagingBucket as Resource;

describe('hardened bootstrap template', () => {
  it('encrypts the asset bucket with a customer-managed key that rotates and outlives the stack', () => {
    const key = template.Resources.FileAssetsBucketEncryptionKey as Resource;

    expect(key.Properties.EnableKeyRotation).toBe(true);
    expect(key.DeletionPolicy).toBe('Retain');
    expect(JSON.stringify(bucket.Properties.BucketEncryption)).toContain('aws:kms');
    expect(template.Parameters.FileAssetsBucketKmsKeyId?.Default).toBe('');
  });

  it('versions the asset bucket and always blocks public access', () => {
    expect(bucket.Properties.VersioningConfiguration).toEqual({ Status: 'Enabled' });
    expect(bucket.Properties.PublicAccessBlockConfiguration).toEqual({
      BlockPublicAcls: true,
      BlockPublicPolicy: true,
      IgnorePublicAcls: true,
      RestrictPublicBuckets: true,
    });
  });

  it('expires noncurrent versions after 90 days and aborts incomplete uploads after 7 days', () => {
    const rules = (bucket.Properties.LifecycleConfiguration as { Rules: Record<string, unknown>[] }).Rules;

    expect(rules).toContainEqual(
      expect.objectContaining({ NoncurrentVersionExpiration: { NoncurrentDays: 90 } }),
    );
    expect(rules).toContainEqual(
      expect.objectContaining({ AbortIncompleteMultipartUpload: { DaysAfterInitiation: 7 } }),
    );
  });

  it('denies requests to the asset bucket that do not use TLS', () => {
    const policy = template.Resources.StagingBucketPolicy as Resource;

    expect(JSON.stringify(policy.Properties.PolicyDocument)).toContain('"aws:SecureTransport":"false"');
    expect(JSON.stringify(policy.Properties.PolicyDocument)).toContain('"Effect":"Deny"');
  });

  it('names its variant so a default bootstrap does not silently replace it', () => {
    expect(template.Parameters.BootstrapVariant?.Default).toBe('Citadel: Hardened Resources');
  });
});

describe('npm run bootstrap', () => {
  it('bootstraps the environment account and region with the hardened template and a new key', () => {
    // Act
    const args = bootstrapArguments('prod');

    // Assess
    expect(args.slice(0, 3)).toEqual(['cdk', 'bootstrap', 'aws://333333333333/eu-west-1']);
    expect(args).toContain(BOOTSTRAP_TEMPLATE);
    expect(args).toContain('--bootstrap-customer-key');
    expect(args).toContain('--termination-protection');
  });

  it('fails when the environment is unknown', () => {
    expect(() => bootstrapArguments('staging')).toThrow(ConfigError);
  });
});
