import { execFile } from 'node:child_process';
import { chmod, mkdir, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { loadEnvironmentConfig } from '../../config/index.js';
import { findCredentialSource } from '../../scripts/lib/aws-identity.js';
import { findStackTemplate } from '../../scripts/lib/cloud-assembly.js';
import { deploy, diff, type DeliveryDeps } from '../../scripts/lib/delivery.js';
import { repoPath } from './repo.js';

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
    [['--env', 'staging'], /unknown environment "staging"; expected one of dev, qa, prod, courses/],
    [
      ['--env', 'dev', '--stacks', 'shared,db'],
      /unknown stack "db"; expected .* shared, network, data, app, monitoring, baseline/,
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
      ],
      expect.objectContaining({ AWS_REGION: 'eu-west-1' }),
    );
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
      getCallerIdentity: async () => ({ account: '222222222222', arn: 'arn' }),
    });

    const [args] = vi.mocked(d.runCdk).mock.calls[0]!;
    const baseline = loadEnvironmentConfig('qa').baseline.enabled ? ['qa/baseline'] : [];
    expect(args.filter((a) => a.startsWith('qa/'))).toEqual([
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
      getCallerIdentity: async () => ({ account: '222222222222', arn: 'arn' }),
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
        repoPath('packages/infra/scripts/deploy.ts'),
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
