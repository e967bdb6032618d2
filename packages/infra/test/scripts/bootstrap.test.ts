import { readFileSync } from 'node:fs';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { parse } from 'yaml';
import { ConfigError } from '../../config/index.js';
import {
  BOOTSTRAP_TEMPLATE,
  bootstrap,
  bootstrapArguments,
  readBootstrapTemplate,
  REVISION_OUTPUT,
  type BootstrapDeps,
} from '../../scripts/bootstrap.js';
import type { AwsCliResult } from '../../scripts/lib/aws-cli.js';

interface Resource {
  Type: string;
  Properties: Record<string, unknown>;
  DeletionPolicy?: string;
}

const template = parse(readFileSync(BOOTSTRAP_TEMPLATE, 'utf8')) as {
  Resources: Record<string, Resource>;
  Parameters: Record<string, { Default?: string }>;
  Outputs: Record<string, { Value?: string }>;
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

  it('marks the stack with the Citadel revision that npm run bootstrap compares', () => {
    expect(template.Outputs[REVISION_OUTPUT]?.Value).toBe('1');
    expect(readBootstrapTemplate()).toEqual({
      variant: 'Citadel: Hardened Resources',
      version: 33,
      revision: 1,
    });
  });

  it('lets the deploy role lift deletion protection only on Citadel databases and on load balancers', () => {
    const deployRole = template.Resources.DeploymentActionRole as Resource;
    const statements = (
      deployRole.Properties.Policies as { PolicyDocument: { Statement: Record<string, unknown>[] } }[]
    )[0]!.PolicyDocument.Statement;
    const lift = statements.find((statement) => statement.Sid === 'CitadelLiftDeletionProtection');

    expect(lift?.Action).toEqual([
      'rds:DescribeDBInstances',
      'rds:ModifyDBInstance',
      'elasticloadbalancing:ModifyLoadBalancerAttributes',
    ]);
    expect(JSON.stringify(lift?.Resource)).toContain(':db:citadel-*');
    expect(JSON.stringify(lift?.Resource)).toContain(':loadbalancer/app/*');
    expect(JSON.stringify(lift?.Resource)).not.toContain('"*"');
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

const DEV = { account: '111111111111', region: 'eu-west-1' };
const NOT_FOUND: AwsCliResult = {
  code: 254,
  stdout: '',
  stderr:
    '\nAn error occurred (ValidationError) when calling the DescribeStacks operation: Stack with id CDKToolkit does not exist\n',
};

/** `aws cloudformation describe-stacks --stack-name CDKToolkit` output, as the CLI prints it. */
function toolkitStack(options: {
  status?: string;
  variant?: string;
  version: string;
  revision?: string;
  reason?: string;
}): AwsCliResult {
  const stack = {
    StackId: `arn:aws:cloudformation:${DEV.region}:${DEV.account}:stack/CDKToolkit/1c2d3e40-aa11-11ef-9f6b-0a1b2c3d4e5f`,
    StackName: 'CDKToolkit',
    ChangeSetId: `arn:aws:cloudformation:${DEV.region}:${DEV.account}:changeSet/cdk-deploy-change-set/5e6f7a80-aa11-11ef-8c1d-06a7b8c9d0e1`,
    Description: 'This stack includes resources needed to deploy AWS CDK apps into this environment',
    Parameters: [
      { ParameterKey: 'TrustedAccounts', ParameterValue: '' },
      {
        ParameterKey: 'CloudFormationExecutionPolicies',
        ParameterValue: 'arn:aws:iam::aws:policy/AdministratorAccess',
      },
      { ParameterKey: 'FileAssetsBucketKmsKeyId', ParameterValue: 'AWS_MANAGED_KEY' },
      { ParameterKey: 'Qualifier', ParameterValue: 'hnb659fds' },
      ...(options.variant ? [{ ParameterKey: 'BootstrapVariant', ParameterValue: options.variant }] : []),
    ],
    CreationTime: '2025-03-04T10:11:12.123000+00:00',
    LastUpdatedTime: '2025-09-18T08:01:02.456000+00:00',
    RollbackConfiguration: {},
    StackStatus: options.status ?? 'UPDATE_COMPLETE',
    ...(options.reason ? { StackStatusReason: options.reason } : {}),
    DisableRollback: false,
    NotificationARNs: [],
    Capabilities: ['CAPABILITY_IAM', 'CAPABILITY_NAMED_IAM', 'CAPABILITY_AUTO_EXPAND'],
    Outputs: [
      {
        OutputKey: 'BucketName',
        OutputValue: `cdk-hnb659fds-assets-${DEV.account}-${DEV.region}`,
        Description: 'The name of the S3 bucket owned by the CDK toolkit stack',
      },
      {
        OutputKey: 'BootstrapVersion',
        OutputValue: options.version,
        Description: 'The version of the bootstrap resources that are currently mastered in this stack',
      },
      ...(options.revision
        ? [
            {
              OutputKey: 'CitadelBootstrapRevision',
              OutputValue: options.revision,
              Description: 'Revision of Citadel hardening',
            },
          ]
        : []),
    ],
    Tags: [],
    EnableTerminationProtection: false,
    DriftInformation: { StackDriftStatus: 'NOT_CHECKED' },
  };
  return { code: 0, stdout: JSON.stringify({ Stacks: [stack] }, null, 4), stderr: '' };
}

const HARDENED = { variant: 'Citadel: Hardened Resources', version: '33', revision: '1' };
const DEFAULT_BOOTSTRAP = { version: '30' };

describe('npm run bootstrap against an account', () => {
  let home: string;

  beforeEach(async () => {
    home = await mkdtemp(join(tmpdir(), 'citadel-bootstrap-'));
    await writeFile(join(home, 'config'), '[profile citadel-dev]\nsso_session = example\n');
  });

  afterEach(async () => {
    await rm(home, { recursive: true, force: true });
  });

  function deps(describeStacks: AwsCliResult, account = DEV.account): BootstrapDeps & { lines: string[] } {
    const lines: string[] = [];
    return {
      env: { AWS_PROFILE: 'citadel-dev', AWS_CONFIG_FILE: join(home, 'config'), HOME: home },
      getCallerIdentity: vi.fn(async () => ({
        account,
        arn: `arn:aws:sts::${account}:assumed-role/admin/someone`,
      })),
      runAws: vi.fn(async () => describeStacks),
      runCdk: vi.fn(async () => 0),
      log: (line) => lines.push(line),
      lines,
    };
  }

  const cdkArgs = (d: BootstrapDeps): readonly string[] => vi.mocked(d.runCdk).mock.calls[0]![0];

  it('creates the hardened bootstrap in a fresh account, without --force', async () => {
    // Prepare
    const d = deps(NOT_FOUND);

    // Act
    const code = await bootstrap(['--env', 'dev'], d);

    // Assess
    expect(code).toBe(0);
    expect(d.runAws).toHaveBeenCalledWith(
      ['cloudformation', 'describe-stacks', '--stack-name', 'CDKToolkit', '--region', 'eu-west-1'],
      expect.objectContaining({ AWS_REGION: 'eu-west-1' }),
    );
    expect(cdkArgs(d)).toEqual(bootstrapArguments('dev').slice(1));
    expect(cdkArgs(d)).not.toContain('--force');
  });

  it('leaves an already hardened bootstrap as it is: the same template, no --force, no upgrade', async () => {
    const d = deps(toolkitStack(HARDENED));

    const code = await bootstrap(['--env', 'dev'], d);

    expect(code).toBe(0);
    expect(cdkArgs(d)).not.toContain('--force');
    expect(d.lines.join('\n')).toContain(
      'already "Citadel: Hardened Resources" version 33 (Citadel revision 1)',
    );
    expect(d.lines.join('\n')).not.toContain('Upgrading');
  });

  it.each([
    [
      'the default CDK bootstrap',
      DEFAULT_BOOTSTRAP,
      '"AWS CDK: Default Resources" version 30 (no Citadel revision)',
    ],
    [
      'a Citadel bootstrap from before the revision marker',
      { variant: 'Citadel: Hardened Resources', version: '33' },
      '"Citadel: Hardened Resources" version 33 (no Citadel revision)',
    ],
  ])(
    'refuses to keep %s: prints what an upgrade changes and exits 1 without running the CDK',
    async (_, stack, found) => {
      // Prepare
      const d = deps(toolkitStack(stack));

      // Act
      const code = await bootstrap(['--env', 'dev'], d);

      // Assess
      expect(code).toBe(1);
      expect(d.runCdk).not.toHaveBeenCalled();
      const output = d.lines.join('\n');
      expect(output).toContain(`CDKToolkit (account 111111111111, eu-west-1) holds ${found}`);
      expect(output).toContain('customer-managed KMS key');
      expect(output).toContain('Run again with --upgrade to replace it; nothing was changed.');
    },
  );

  it('upgrades an unhardened bootstrap with --upgrade, passing --force so the CDK CLI does not keep it', async () => {
    const d = deps(toolkitStack(DEFAULT_BOOTSTRAP));

    const code = await bootstrap(['--env', 'dev', '--upgrade'], d);

    expect(code).toBe(0);
    expect(cdkArgs(d)).toEqual([...bootstrapArguments('dev').slice(1), '--force']);
    expect(d.lines.join('\n')).toContain('Upgrading replaces it with the hardened template');
  });

  it('warns that an upgrade lowers a later default bootstrap version', async () => {
    const d = deps(toolkitStack({ version: '35' }));

    const code = await bootstrap(['--env', 'dev'], d);

    expect(code).toBe(1);
    expect(d.lines.join('\n')).toContain('bootstrap version goes from 35 down to 33');
  });

  it('refuses to replace a bootstrap from a newer Citadel revision', async () => {
    const d = deps(toolkitStack({ ...HARDENED, revision: '2' }));

    const code = await bootstrap(['--env', 'dev', '--upgrade'], d);

    expect(code).toBe(1);
    expect(d.runCdk).not.toHaveBeenCalled();
    expect(d.lines.join('\n')).toContain('newer than this checkout');
  });

  it.each([
    [
      'ROLLBACK_COMPLETE',
      'The following resource(s) failed to create: [StagingBucket]. ',
      /delete the stack/,
    ],
    [
      'UPDATE_ROLLBACK_FAILED',
      'The following resource(s) failed to update: [FileAssetsBucketEncryptionKey].',
      /continue-update-rollback/,
    ],
    ['DELETE_FAILED', 'The following resource(s) failed to delete: [StagingBucket].', /finish deleting it/],
    ['UPDATE_IN_PROGRESS', 'User Initiated', /another operation is running on it/],
  ])(
    'stops on a bootstrap stack in %s, naming the reason and the fix, without running the CDK',
    async (status, reason, fix) => {
      // Prepare
      const d = deps(toolkitStack({ ...DEFAULT_BOOTSTRAP, status, reason }));

      // Act
      const code = await bootstrap(['--env', 'dev', '--upgrade'], d);

      // Assess
      expect(code).toBe(1);
      expect(d.runCdk).not.toHaveBeenCalled();
      expect(d.lines.join('\n')).toContain(`is ${status} (${reason})`);
      expect(d.lines.join('\n')).toMatch(fix);
    },
  );

  it('fails when the credentials belong to another account, before reading or changing anything', async () => {
    const d = deps(NOT_FOUND, '999999999999');

    await expect(bootstrap(['--env', 'dev'], d)).rejects.toThrow(/are for account 999999999999/);

    expect(d.runAws).not.toHaveBeenCalled();
    expect(d.runCdk).not.toHaveBeenCalled();
  });

  it('fails when the bootstrap stack cannot be read, without running the CDK', async () => {
    const d = deps({
      code: 254,
      stdout: '',
      stderr:
        '\nAn error occurred (AccessDenied) when calling the DescribeStacks operation: User: arn:aws:sts::111111111111:assumed-role/readonly/someone is not authorized to perform: cloudformation:DescribeStacks\n',
    });

    await expect(bootstrap(['--env', 'dev'], d)).rejects.toThrow(
      /AccessDenied.*cloudformation:DescribeStacks/,
    );

    expect(d.runCdk).not.toHaveBeenCalled();
  });

  it('prints the command on --dry-run and calls nothing', async () => {
    const d = deps(NOT_FOUND);

    expect(await bootstrap(['--env', 'dev', '--dry-run'], d)).toBe(0);

    expect(d.getCallerIdentity).not.toHaveBeenCalled();
    expect(d.runAws).not.toHaveBeenCalled();
    expect(d.lines).toEqual([`npx ${bootstrapArguments('dev').join(' ')}`]);
  });

  it.each([
    [
      ['--env', 'dev', '--execution-policy', 'AdministratorAccess; rm -rf /'],
      /--execution-policy .* is not a managed policy ARN/,
    ],
    [['--env', 'dev', '--force'], /Unknown option '--force'/],
    [['--upgrade'], /--env is required/],
    [['--env', 'staging'], /unknown environment|staging/],
  ])('fails with a clear message for %j before calling AWS', async (argv, message) => {
    const d = deps(NOT_FOUND);

    await expect(bootstrap(argv, d)).rejects.toThrow(message);

    expect(d.runAws).not.toHaveBeenCalled();
  });
});
