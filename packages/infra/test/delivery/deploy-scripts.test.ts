import { execFile } from 'node:child_process';
import { chmod, mkdir, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { loadEnvironmentConfig, ownsBaselineControls } from '../../config/index.js';
import { findCredentialSource } from '../../scripts/lib/aws-identity.js';
import { findStackTemplate } from '../../scripts/lib/cloud-assembly.js';
import { deploy, diff, type DeliveryDeps } from '../../scripts/lib/delivery.js';
import type { AwsCliResult } from '../../scripts/lib/aws-cli.js';
import { destroy } from '../../scripts/lib/destroy.js';
import { repoPath } from './repo.js';
import { stubChangeRecords } from '../support/change-record-stub.js';

const run = promisify(execFile);
const DEV_ACCOUNT = '111111111111';
const DIGEST = `sha256:${'a'.repeat(64)}`;

let home: string;

beforeEach(async () => {
  home = await mkdtemp(join(tmpdir(), 'citadel-home-'));
});

afterEach(async () => {
  await rm(home, { recursive: true, force: true });
});

function deps(env: Record<string, string>, account = DEV_ACCOUNT): DeliveryDeps & { lines: string[] } {
  const lines: string[] = [];
  return {
    env: {
      HOME: home,
      AWS_SHARED_CREDENTIALS_FILE: join(home, 'none'),
      AWS_CONFIG_FILE: join(home, 'none'),
      ...env,
    },
    getCallerIdentity: vi.fn(async () => ({
      account,
      arn: `arn:aws:sts::${account}:assumed-role/admin/someone`,
    })),
    runCdk: vi.fn(async () => 0),
    log: (line) => lines.push(line),
    cwd: repoPath('.'),
    changeRecords: stubChangeRecords(),
    lines,
  };
}

const SIGNED_IN = { AWS_PROFILE: 'citadel-dev' };
const AUTH = {
  AUTH_JWKS_URL: 'https://auth.example.com/.well-known/jwks.json',
  AUTH_ISSUER: 'https://auth.example.com/',
  AUTH_AUDIENCE: 'citadel-api',
};

async function signIn(): Promise<Record<string, string>> {
  await writeFile(join(home, 'config'), '[profile citadel-dev]\nsso_session = example\n');
  return { ...SIGNED_IN, AWS_CONFIG_FILE: join(home, 'config') };
}

describe('npm run deploy', () => {
  it('fails when no credentials exist, before calling STS or the CDK', async () => {
    const d = deps({});

    await expect(deploy(['--env', 'dev'], d)).rejects.toThrow(
      /no AWS credentials found for environment "dev" \(account 111111111111/,
    );

    expect(d.getCallerIdentity).not.toHaveBeenCalled();
    expect(d.runCdk).not.toHaveBeenCalled();
  });

  it('fails when the credentials belong to another account, before calling the CDK', async () => {
    const d = deps(await signIn(), '999999999999');

    await expect(deploy(['--env', 'dev', '--stacks', 'shared'], d)).rejects.toThrow(
      /are for account 999999999999 .* not environment "dev"/,
    );

    expect(d.runCdk).not.toHaveBeenCalled();
  });

  it('fails when another region is selected', async () => {
    const d = deps({ ...(await signIn()), AWS_REGION: 'us-east-1' });

    await expect(deploy(['--env', 'dev'], d)).rejects.toThrow(
      /AWS_REGION is "us-east-1" but .* lives in eu-west-1/,
    );

    expect(d.getCallerIdentity).not.toHaveBeenCalled();
  });

  it.each([
    [['--env', 'staging'], /unknown environment "staging"; expected one of courses, dev, prod, qa/],
    [
      ['--env', 'dev', '--stacks', 'shared,db'],
      /unknown stack "db"; expected .* recovery, shared, network, data, app, monitoring, baseline/,
    ],
    [['--env', 'dev', '--image-digest', 'latest'], /--image-digest "latest" is not a "sha256:"/],
    [['--stacks', 'shared'], /--env is required/],
    [['--env', 'dev', '--force'], /Unknown option '--force'/],
  ])('fails with a clear message for %j', async (argv, message) => {
    const d = deps(await signIn());

    await expect(deploy(argv, d)).rejects.toThrow(message);

    expect(d.runCdk).not.toHaveBeenCalled();
  });

  it('deploys the chosen stacks in layer order, whatever order they were given in', async () => {
    const d = deps(await signIn());

    await deploy(['--env', 'dev', '--stacks', 'monitoring,shared,data'], d);

    expect(d.runCdk).toHaveBeenCalledWith(
      [
        'deploy',
        'dev/shared',
        'dev/data',
        'dev/monitoring',
        '--exclusively',
        '--concurrency',
        '1',
        '--require-approval',
        'broadening',
        '--import-existing-resources',
      ],
      expect.objectContaining({ AWS_REGION: 'eu-west-1' }),
    );
  });

  it('adopts the named resources a destroyed environment kept, so that re-creating it does not fail on their names', async () => {
    // Prepare
    const d = deps({ ...(await signIn()), ...AUTH, CI: 'true' });

    // Act
    await deploy(['--env', 'dev', '--image-digest', DIGEST], d);

    // Assess: one change set per stack, each with ImportExistingResources
    const [args] = vi.mocked(d.runCdk).mock.calls[0]!;
    expect(args[0]).toBe('deploy');
    expect(args).toContain('--import-existing-resources');
    expect(args).not.toContain('--method');
    expect(args.some((a) => a.startsWith('--method='))).toBe(false);
  });

  it('fails when the app stack would deploy without the image digest or the identity provider', async () => {
    const d = deps(await signIn());

    await expect(deploy(['--env', 'dev', '--stacks', 'app'], d)).rejects.toThrow(
      /deploying the app stack needs --image-digest sha256:<digest of the API image>, AUTH_ISSUER, AUTH_AUDIENCE, AUTH_JWKS \(or AUTH_JWKS_URL\); nothing was called/,
    );

    expect(d.getCallerIdentity).not.toHaveBeenCalled();
    expect(d.runCdk).not.toHaveBeenCalled();
  });

  it('deploys every layer in order, with the image digest, and no prompt in CI', async () => {
    const d = deps({ ...(await signIn()), ...AUTH, CI: 'true' });

    await deploy(['--env', 'qa', '--image-digest', DIGEST], {
      ...d,
      getCallerIdentity: async () => ({
        account: '222222222222',
        arn: 'arn:aws:sts::222222222222:assumed-role/citadel-qa-github-deploy/ci',
      }),
    });

    const [args] = vi.mocked(d.runCdk).mock.calls[0]!;
    const baseline = ownsBaselineControls(loadEnvironmentConfig('qa').baseline) ? ['qa/baseline'] : [];
    expect(args.filter((a) => a.startsWith('qa/'))).toEqual([
      'qa/recovery',
      'qa/shared',
      'qa/network',
      'qa/data',
      'qa/app',
      'qa/monitoring',
      ...baseline,
    ]);
    expect(args).toEqual(expect.arrayContaining(['--require-approval', 'never']));
    expect(args.filter((_, i) => args[i - 1] === '--context')).toEqual([
      `imageTag=${DIGEST}`,
      'authIssuer=https://auth.example.com/',
      'authAudience=citadel-api',
      'authJwksUrl=https://auth.example.com/.well-known/jwks.json',
    ]);
  });

  it('pins the identity provider keys from AUTH_JWKS when given, instead of the URL', async () => {
    const jwks = '{"keys":[{"kty":"EC","kid":"idp-1","crv":"P-256","x":"x","y":"y"}]}';
    const d = deps({ ...(await signIn()), ...AUTH, AUTH_JWKS: jwks, CI: 'true' });

    await deploy(['--env', 'qa', '--stacks', 'app', '--image-digest', DIGEST], {
      ...d,
      getCallerIdentity: async () => ({
        account: '222222222222',
        arn: 'arn:aws:sts::222222222222:assumed-role/citadel-qa-github-deploy/ci',
      }),
    });

    const [args] = vi.mocked(d.runCdk).mock.calls[0]!;
    const context = args.filter((_, i) => args[i - 1] === '--context');
    expect(context).toContain(`authJwks=${jwks}`);
    expect(context.some((value) => value.startsWith('authJwksUrl='))).toBe(false);
  });
});

describe('npm run diff', () => {
  it('fails when no credentials exist, before calling STS or the CDK', async () => {
    const d = deps({});

    await expect(diff(['--env', 'prod'], d)).rejects.toThrow(
      /no AWS credentials found for environment "prod"/,
    );

    expect(d.getCallerIdentity).not.toHaveBeenCalled();
    expect(d.runCdk).not.toHaveBeenCalled();
  });

  it('compares two cloud assemblies offline without asking for credentials', async () => {
    const assembly = join(home, 'head');
    await writeManifest(assembly, ['dev/shared', 'dev/network']);
    const d = deps({});

    await diff(
      ['--env', 'dev', '--stacks', 'shared,network,data', '--against', join(home, 'base'), '--app', assembly],
      d,
    );

    expect(d.getCallerIdentity).not.toHaveBeenCalled();
    const stacks = vi.mocked(d.runCdk).mock.calls.map(([args]) => args[3]);
    expect(stacks).toEqual(['dev/shared', 'dev/network']);
    expect(d.lines).toEqual([expect.stringContaining('dev/data: not in')]);
  });
});

describe('findStackTemplate', () => {
  it('finds a stack inside a stage assembly by its cdk path', async () => {
    const root = join(home, 'cdk.out');
    await writeManifest(join(root, 'assembly-dev'), ['dev/shared']);
    await writeFile(
      join(root, 'manifest.json'),
      JSON.stringify({
        artifacts: {
          'assembly-dev': { type: 'cdk:cloud-assembly', properties: { directoryName: 'assembly-dev' } },
        },
      }),
    );

    expect(findStackTemplate(root, 'dev/shared')).toBe(
      join(root, 'assembly-dev', 'dev-shared.template.json'),
    );
    expect(findStackTemplate(root, 'qa/shared')).toBeUndefined();
  });
});

describe('findCredentialSource', () => {
  it('finds a named profile in the shared config file', async () => {
    const env = await signIn();

    expect(findCredentialSource(env, home)).toBe(`profile "citadel-dev" in ${join(home, 'config')}`);
  });

  it('fails when the profile is not in any shared file', async () => {
    await signIn();

    expect(
      findCredentialSource({ AWS_PROFILE: 'citadel-prod', AWS_CONFIG_FILE: join(home, 'config') }, home),
    ).toBeUndefined();
  });
});

describe('npm run deploy as a command', () => {
  it('stops with exit code 2 and a clear message without credentials, having run nothing', async () => {
    const bin = join(home, 'bin');
    const calls = join(home, 'calls.log');
    await writeFile(join(home, 'record.mjs'), recorder(calls));
    await mkdir(bin);
    await writeFile(join(bin, 'npx'), `#!/bin/sh\necho "npx $*" >> ${calls}\n`);
    await chmod(join(bin, 'npx'), 0o755);

    const result = await run(
      process.execPath,
      [
        '--import',
        'tsx',
        '--import',
        join(home, 'record.mjs'),
        repoPath('packages/report/scripts/deploy.ts'),
        '--env',
        'dev',
      ],
      {
        cwd: repoPath('.'),
        env: { PATH: `${bin}:${process.env.PATH ?? ''}`, HOME: home },
      },
    ).then(
      () => ({ code: 0, stderr: '' }),
      (error: { code: number; stderr: string }) => error,
    );

    expect(result.code).toBe(2);
    expect(result.stderr).toContain('deploy: no AWS credentials found for environment "dev"');
    expect(await readFile(calls, 'utf8').catch(() => '')).toBe('');
  });
});

/** A preload that records every outgoing connection and child process to `log`. */
function recorder(log: string): string {
  return [
    "import childProcess from 'node:child_process';",
    "import { appendFileSync } from 'node:fs';",
    "import net from 'node:net';",
    'const connect = net.Socket.prototype.connect;',
    `net.Socket.prototype.connect = function (...args) { appendFileSync(${JSON.stringify(log)}, 'connect\\n'); return connect.apply(this, args); };`,
    'for (const name of ["spawn", "execFile", "exec", "fork"]) {',
    '  const original = childProcess[name];',
    `  childProcess[name] = function (...args) { appendFileSync(${JSON.stringify(log)}, name + ' ' + args[0] + '\\n'); return original.apply(this, args); };`,
    '}',
    '',
  ].join('\n');
}

async function writeManifest(dir: string, stacks: readonly string[]): Promise<void> {
  await mkdir(dir, { recursive: true });
  const artifacts = Object.fromEntries(
    stacks.map((name) => [
      name.replace('/', ''),
      {
        type: 'aws:cloudformation:stack',
        displayName: name,
        properties: { templateFile: `${name.replace('/', '-')}.template.json` },
      },
    ]),
  );
  await writeFile(join(dir, 'manifest.json'), JSON.stringify({ version: '55.0.0', artifacts }));
}

describe('npm run destroy', () => {
  const REGION = 'eu-west-1';
  const stackId = (name: string): string =>
    `arn:aws:cloudformation:${REGION}:${DEV_ACCOUNT}:stack/${name}/0a1b2c3d-aa11-11ef-9f6b-0a1b2c3d4e5f`;
  const ok = (body?: unknown): AwsCliResult => ({
    code: 0,
    stdout: body === undefined ? '' : JSON.stringify(body, null, 4),
    stderr: '',
  });
  const DATABASE = 'citadel-dev-postgres';
  const LOAD_BALANCER = `arn:aws:elasticloadbalancing:${REGION}:${DEV_ACCOUNT}:loadbalancer/app/citade-EdgeL-1XK2Y3Z4/5f6e7d8c9b0a1f2e`;

  /** Recorded AWS CLI responses for a dev environment deployed without the baseline stack. */
  function awsAccount(options: { deployed?: readonly string[]; failDelete?: string } = {}) {
    const deployed = new Set(options.deployed ?? ['shared', 'network', 'data', 'app', 'monitoring']);
    const calls: string[] = [];
    const runAws = vi.fn(async (args: readonly string[]): Promise<AwsCliResult> => {
      calls.push(args.join(' '));
      const stackName = args[args.indexOf('--stack-name') + 1] ?? '';
      const layer = stackName.replace('citadel-dev-', '');
      switch (`${args[0]} ${args[1]}`) {
        case 'cloudformation describe-stacks':
          return deployed.has(layer)
            ? ok({
                Stacks: [
                  {
                    StackId: stackId(stackName),
                    StackName: stackName,
                    CreationTime: '2026-10-01T09:00:00.000000+00:00',
                    StackStatus:
                      options.failDelete === layer &&
                      calls.some((c) => c.includes(`delete-stack --stack-name ${stackName}`))
                        ? 'DELETE_FAILED'
                        : 'UPDATE_COMPLETE',
                    ...(options.failDelete === layer
                      ? {
                          StackStatusReason:
                            'The following resource(s) failed to delete: [EdgeAccessLogsBucketDEE11E76]. ',
                        }
                      : {}),
                    DisableRollback: false,
                    NotificationARNs: [],
                    Capabilities: ['CAPABILITY_IAM', 'CAPABILITY_NAMED_IAM', 'CAPABILITY_AUTO_EXPAND'],
                    Tags: [{ Key: 'citadel:environment', Value: 'dev' }],
                    EnableTerminationProtection: true,
                    DriftInformation: { StackDriftStatus: 'NOT_CHECKED' },
                  },
                ],
              })
            : {
                code: 254,
                stdout: '',
                stderr: `\nAn error occurred (ValidationError) when calling the DescribeStacks operation: Stack with id ${stackName} does not exist\n`,
              };
        case 'cloudformation update-termination-protection':
          return ok({ StackId: stackId(stackName) });
        case 'cloudformation list-stack-resources':
          return ok({
            StackResourceSummaries: [
              ...(layer === 'data'
                ? [
                    {
                      LogicalResourceId: 'PostgresInstance4B0F5E8A',
                      PhysicalResourceId: DATABASE,
                      ResourceType: 'AWS::RDS::DBInstance',
                    },
                  ]
                : []),
              ...(layer === 'app'
                ? [
                    {
                      LogicalResourceId: 'EdgeLoadBalancer7D3E1F2A',
                      PhysicalResourceId: LOAD_BALANCER,
                      ResourceType: 'AWS::ElasticLoadBalancingV2::LoadBalancer',
                    },
                  ]
                : []),
              {
                LogicalResourceId: 'CDKMetadata',
                PhysicalResourceId: stackId(stackName),
                ResourceType: 'AWS::CDK::Metadata',
              },
            ].map((r) => ({
              ...r,
              LastUpdatedTimestamp: '2026-10-01T09:05:00.000000+00:00',
              ResourceStatus: 'CREATE_COMPLETE',
              DriftInformation: { StackResourceDriftStatus: 'NOT_CHECKED' },
            })),
          });
        case 'rds describe-db-instances':
          return ok({
            DBInstances: [
              {
                DBInstanceIdentifier: DATABASE,
                DBInstanceStatus: 'available',
                DeletionProtection: true,
                Engine: 'postgres',
              },
            ],
          });
        case 'rds modify-db-instance':
          return ok({
            DBInstance: {
              DBInstanceIdentifier: DATABASE,
              DBInstanceStatus: 'available',
              DeletionProtection: false,
            },
          });
        case 'elbv2 modify-load-balancer-attributes':
          return ok({ Attributes: [{ Key: 'deletion_protection.enabled', Value: 'false' }] });
        case 'cloudformation wait':
          return options.failDelete === layer
            ? {
                code: 255,
                stdout: '',
                stderr:
                  '\nWaiter StackDeleteComplete failed: Waiter encountered a terminal failure state: For expression "Stacks[].StackStatus" we matched expected path: "DELETE_FAILED" at least once\n',
              }
            : ok();
        default:
          return ok();
      }
    });
    return { runAws, calls };
  }

  async function destroyDeps(account = awsAccount()) {
    return { ...deps(await signIn()), runAws: account.runAws };
  }

  const summary = (calls: readonly string[]): string[] =>
    calls
      .filter(
        (c) =>
          !c.includes('describe-stacks') &&
          !c.includes('list-stack-resources') &&
          !c.includes('describe-db-instances'),
      )
      .map((c) => c.replace(/ --region eu-west-1$/, '').replace(LOAD_BALANCER, '<alb>'));

  it('lifts termination protection on each stack, then RDS and load balancer deletion protection, then deletes in reverse layer order', async () => {
    // Prepare
    const account = awsAccount();
    const d = await destroyDeps(account);

    // Act
    const code = await destroy(['--env', 'dev', '--confirm', 'destroy dev'], d);

    // Assess
    expect(code).toBe(0);
    const reversed = ['monitoring', 'app', 'data', 'network', 'shared'];
    expect(summary(account.calls)).toEqual([
      ...reversed.map(
        (layer) =>
          `cloudformation update-termination-protection --no-enable-termination-protection --stack-name citadel-dev-${layer}`,
      ),
      'elbv2 modify-load-balancer-attributes --load-balancer-arn <alb> --attributes Key=deletion_protection.enabled,Value=false',
      `rds modify-db-instance --db-instance-identifier ${DATABASE} --no-deletion-protection --apply-immediately`,
      `rds wait db-instance-available --db-instance-identifier ${DATABASE}`,
      ...reversed.flatMap((layer) => [
        `cloudformation delete-stack --stack-name citadel-dev-${layer}`,
        `cloudformation wait stack-delete-complete --stack-name citadel-dev-${layer}`,
      ]),
    ]);
    expect(d.lines).toContain('citadel-dev-baseline: not deployed');
    expect(account.calls.every((c) => c.endsWith('--region eu-west-1'))).toBe(true);
  });

  it('deletes nothing when a protection cannot be lifted (an older bootstrap deploy role)', async () => {
    // Prepare
    const account = awsAccount();
    const original = account.runAws.getMockImplementation()!;
    account.runAws.mockImplementation(async (args) =>
      args[1] === 'modify-db-instance'
        ? {
            code: 254,
            stdout: '',
            stderr: `\nAn error occurred (AccessDenied) when calling the ModifyDBInstance operation: User: arn:aws:sts::${DEV_ACCOUNT}:assumed-role/cdk-hnb659fds-deploy-role-${DEV_ACCOUNT}-${REGION}/destroy-dev is not authorized to perform: rds:ModifyDBInstance on resource: arn:aws:rds:${REGION}:${DEV_ACCOUNT}:db:${DATABASE}\n`,
          }
        : original(args),
    );
    const d = await destroyDeps(account);

    // Act
    await expect(destroy(['--env', 'dev', '--confirm', 'destroy dev'], d)).rejects.toThrow(
      /AccessDenied.*rds:ModifyDBInstance/,
    );

    // Assess
    expect(account.runAws.mock.calls.map(([args]) => args[1])).not.toContain('delete-stack');
  });

  it.each([
    [['--env', 'dev'], /--confirm must be exactly "destroy dev" \(got nothing\)/],
    [
      ['--env', 'dev', '--confirm', 'destroy qa'],
      /--confirm must be exactly "destroy dev" \(got "destroy qa"\)/,
    ],
    [['--env', 'dev', '--confirm', 'DESTROY DEV'], /must be exactly "destroy dev"/],
    [['--env', 'dev', '--confirm', 'destroy dev '], /must be exactly "destroy dev"/],
    [['--env', 'prod', '--confirm', 'destroy prod'], /destroying prod also needs --destroy-production/],
    [['--env', 'staging', '--confirm', 'destroy staging'], /unknown environment "staging"/],
    [['--env', 'dev', '--confirm', 'destroy dev', '--force'], /Unknown option '--force'/],
  ])('lifts nothing and deletes nothing without the exact confirmation: %j', async (argv, message) => {
    const account = awsAccount();
    const d = await destroyDeps(account);

    await expect(destroy(argv, d)).rejects.toThrow(message);

    expect(d.getCallerIdentity).not.toHaveBeenCalled();
    expect(account.calls).toEqual([]);
  });

  it('fails when the credentials belong to another account, before lifting anything', async () => {
    const account = awsAccount();
    const d = { ...deps(await signIn(), '999999999999'), runAws: account.runAws };

    await expect(destroy(['--env', 'dev', '--confirm', 'destroy dev'], d)).rejects.toThrow(
      /are for account 999999999999/,
    );

    expect(account.calls).toEqual([]);
  });

  it('stops at the first stack that fails to delete, deleting none after it', async () => {
    const account = awsAccount({ failDelete: 'app' });
    const d = await destroyDeps(account);

    const code = await destroy(['--env', 'dev', '--confirm', 'destroy dev'], d);

    expect(code).toBe(1);
    expect(d.lines.join('\n')).toContain(
      'citadel-dev-app: not deleted (DELETE_FAILED: The following resource(s) failed to delete',
    );
    expect(account.calls.filter((c) => c.startsWith('cloudformation delete-stack'))).toEqual([
      'cloudformation delete-stack --stack-name citadel-dev-monitoring --region eu-west-1',
      'cloudformation delete-stack --stack-name citadel-dev-app --region eu-west-1',
    ]);
  });

  it('skips the database when its deletion protection is already off', async () => {
    const account = awsAccount({ deployed: ['data'] });
    const original = account.runAws.getMockImplementation()!;
    account.runAws.mockImplementation(async (args) =>
      args[1] === 'describe-db-instances'
        ? ok({ DBInstances: [{ DBInstanceIdentifier: DATABASE, DeletionProtection: false }] })
        : original(args),
    );
    const d = await destroyDeps(account);

    expect(await destroy(['--env', 'dev', '--confirm', 'destroy dev'], d)).toBe(0);

    expect(account.calls.some((c) => c.startsWith('rds modify-db-instance'))).toBe(false);
    expect(account.calls).toContain(
      'cloudformation delete-stack --stack-name citadel-dev-data --region eu-west-1',
    );
  });
});
