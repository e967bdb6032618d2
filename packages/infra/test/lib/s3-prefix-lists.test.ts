import { describe, expect, it } from 'vitest';
import { ENVIRONMENT_NAMES, loadEnvironmentConfig } from '../../config/index.js';
import { s3PrefixListId } from '../../lib/s3-prefix-lists.js';
import { InvalidPropError } from '../../lib/invalid-prop-error.js';

describe('s3PrefixListId', () => {
  it.each(ENVIRONMENT_NAMES)('knows the S3 prefix list of the region of %s', (environment) => {
    // Prepare
    const { region } = loadEnvironmentConfig(environment);

    // Act
    const id = s3PrefixListId('Stage/network', region);

    // Assess
    expect(id).toMatch(/^pl-[0-9a-f]{8,17}$/);
  });

  it.each([
    ['eu-west-1', 'pl-6da54004'],
    ['eu-central-1', 'pl-6ea54007'],
  ])('gives the AWS-managed com.amazonaws.%s.s3 list', (region, expected) => {
    // Prepare + Act
    const id = s3PrefixListId('Stage/network', region);

    // Assess
    expect(id).toBe(expected);
  });

  it.each(['ap-east-2', '', 'EU-WEST-1', '${Token[AWS.Region.1]}', 'constructor', '__proto__'])(
    'fails when the region is %j, naming the region and where to add it',
    (region) => {
      // Prepare + Act
      const act = () => s3PrefixListId('Stage/network', region);

      // Assess
      expect(act).toThrow(InvalidPropError);
      expect(act).toThrow(/Stage\/network: region = .*S3_PREFIX_LIST_IDS.*describe-prefix-lists/);
    },
  );
});
