import fc from 'fast-check';
import { describe, expect, it, vi } from 'vitest';
import { parseContextArgs } from '../../scripts/lib/context-args.js';
import { deploy, diff, type DeliveryDeps } from '../../scripts/lib/delivery.js';
import { UsageError } from '../../scripts/lib/errors.js';
import { loadProject, type CitadelProject } from '../../lib/project.js';
import { fileURLToPath } from 'node:url';
import { stubChangeRecords } from '../support/change-record-stub.js';

const WORKLOADS = ['api', 'orders-api', 'orders-fulfilment'];
const DIGEST = `sha256:${'b'.repeat(64)}`;

describe('--context key=value', () => {
  it.each([
    ['a space in the tag', 'image:orders-api=v1 --force'],
    ['a semicolon', 'image:orders-api=v1;rm'],
    ['a newline', 'image:orders-api=v1\nv2'],
    ['a command substitution', 'image:orders-api=$(id)'],
    ['backticks', 'image:orders-api=`id`'],
    ['a pipe', 'image:orders-api=v1|cat'],
    ['a non-ASCII letter', 'image:orders-api=v1é'],
    ['a look-alike digit', 'image:orders-api=v１'],
    ['a zero-width space', 'image:orders-api=v1\u200b'],
    ['a NUL byte', 'image:orders-api=v1\u0000'],
    ['the mutable tag latest', 'image:orders-api=latest'],
    ['a tag starting with a dot', 'image:orders-api=.hidden'],
    ['a tag longer than 128 characters', `image:orders-api=${'a'.repeat(129)}`],
    ['a digest of the wrong length', `image:orders-api=sha256:${'a'.repeat(63)}`],
    ['an upper-case digest', `image:orders-api=sha256:${'A'.repeat(64)}`],
    ['an empty tag', 'image:orders-api='],
    ['a workload the application does not declare', 'image:payments-admin=v1'],
    ['a workload name with a shell character', 'image:orders-api;id=v1'],
    ['an upper-case workload name', 'image:Orders-Api=v1'],
    ['a key Citadel does not read', 'environment=prod'],
    ['a CDK feature flag', '@aws-cdk/core:checkSecretUsage=false'],
    ['the JSON key set, which comes from AUTH_JWKS only', 'authJwks={"keys":[]}'],
    ['an issuer over http', 'authIssuer=http://auth.example.com/'],
    ['an issuer with a space', 'authJwksUrl=https://auth.example.com/ x'],
    ['an audience with a dollar sign', 'authAudience=$HOME'],
    ['imageTag latest', 'imageTag=latest'],
    ['no equals sign', 'image:orders-api'],
    ['no key', '=v1'],
  ])('refuses %s before anything runs', (_, argument) => {
    expect(() => parseContextArgs([argument], WORKLOADS)).toThrow(UsageError);
  });

  it('names the key it refuses', () => {
    expect(() => parseContextArgs(['imageRepository=evil'], WORKLOADS)).toThrow(
      /"imageRepository" is not a key/,
    );
    expect(() => parseContextArgs(['image:billing=v1'], WORKLOADS)).toThrow(
      /"image:billing": the application declares no workload "billing"/,
    );
    expect(() => parseContextArgs(['image:api=v1', 'image:api=v2'], WORKLOADS)).toThrow(
      /"image:api" is given twice/,
    );
  });

  it.each([
    ['image:orders-api=2026.11.4', 'image:orders-api', '2026.11.4'],
    [`image:orders-fulfilment=${DIGEST}`, 'image:orders-fulfilment', DIGEST],
    ['image:api=v1_2-rc.3', 'image:api', 'v1_2-rc.3'],
    [`imageTag=${DIGEST}`, 'imageTag', DIGEST],
    ['authIssuer=https://auth.example.com/', 'authIssuer', 'https://auth.example.com/'],
    ['authAudience=citadel-api', 'authAudience', 'citadel-api'],
    [
      'authJwksUrl=https://auth.example.com/.well-known/jwks.json',
      'authJwksUrl',
      'https://auth.example.com/.well-known/jwks.json',
    ],
  ])('accepts %s', (argument, key, value) => {
    expect(parseContextArgs([argument], WORKLOADS)).toEqual([{ key, value }]);
  });

  it('accepts an image value only when it is made of the characters of a tag or a digest', () => {
    fc.assert(
      fc.property(fc.string({ unit: 'binary', maxLength: 140 }), (value) => {
        const accepted = (() => {
          try {
            parseContextArgs([`image:api=${value}`], WORKLOADS);
            return true;
          } catch (error) {
            if (!(error instanceof UsageError)) throw error;
            return false;
          }
        })();
        const looksSafe =
          value !== 'latest' && /^([A-Za-z0-9_][A-Za-z0-9_.-]{0,127}|sha256:[a-f0-9]{64})$/.test(value);
        expect(accepted).toBe(looksSafe);
        if (accepted) expect(value).toMatch(/^[\x21-\x7e]+$/);
      }),
    );
  });
});

const ORDERS: Promise<CitadelProject> = loadProject(
  {
    CITADEL_APPLICATION: fileURLToPath(new URL('./fixtures/orders-application.ts', import.meta.url)),
    CITADEL_ENVIRONMENTS: fileURLToPath(new URL('../../../../examples/orders/environments', import.meta.url)),
  },
  { cdkContext: {} },
);

async function ordersDeps(): Promise<DeliveryDeps> {
  return {
    // Static keys in the environment: the credential check passes without a profile file.
    env: { AWS_ACCESS_KEY_ID: 'AKIAEXAMPLE', AWS_SECRET_ACCESS_KEY: 'example', HOME: '/nonexistent' },
    getCallerIdentity: vi.fn(async () => ({
      account: '444444444444',
      arn: 'arn:aws:sts::444444444444:assumed-role/deploy/someone',
    })),
    runCdk: vi.fn(async () => 0),
    log: () => undefined,
    cwd: process.cwd(),
    project: await ORDERS,
    changeRecords: stubChangeRecords(),
  };
}

describe("deploy and diff of a team's project", () => {
  it("deploys the team's staging, passing each --context to the CDK CLI as its own argument", async () => {
    const d = await ordersDeps();

    const code = await deploy(
      [
        '--env',
        'staging',
        '--stacks',
        'shared',
        '--context',
        'image:orders-api=2026.11.4',
        '--context',
        `image:orders-fulfilment=${DIGEST}`,
      ],
      d,
    );

    expect(code).toBe(0);
    const [args] = vi.mocked(d.runCdk).mock.calls[0]!;
    expect(args).toContain('staging/shared');
    expect(args.slice(-4)).toEqual([
      '--context',
      'image:orders-api=2026.11.4',
      '--context',
      `image:orders-fulfilment=${DIGEST}`,
    ]);
  });

  it('lets the app layer take its image and identity provider from --context', async () => {
    const d = await ordersDeps();

    await deploy(
      [
        '--env',
        'staging',
        '--stacks',
        'app',
        '--context',
        `imageTag=${DIGEST}`,
        '--context',
        'authIssuer=https://auth.example.com/',
        '--context',
        'authAudience=orders',
        '--context',
        'authJwksUrl=https://auth.example.com/jwks.json',
      ],
      d,
    );

    const [args] = vi.mocked(d.runCdk).mock.calls[0]!;
    expect(args).toContain(`imageTag=${DIGEST}`);
    expect(args.filter((arg) => arg === '--context')).toHaveLength(4);
  });

  it('fails when the image is given both with --image-digest and --context imageTag, having called nothing', async () => {
    const d = await ordersDeps();

    await expect(
      deploy(
        [
          '--env',
          'staging',
          '--stacks',
          'shared',
          '--image-digest',
          DIGEST,
          '--context',
          `imageTag=${DIGEST}`,
        ],
        d,
      ),
    ).rejects.toThrow(/imageTag given both/);

    expect(d.getCallerIdentity).not.toHaveBeenCalled();
    expect(d.runCdk).not.toHaveBeenCalled();
  });

  it.each([
    [['--env', 'dev', '--stacks', 'shared'], /unknown environment "dev"; expected one of prod, staging/],
    [['--env', 'staging', '--context', 'image:api=$(reboot)'], /"image:api"/],
    [['--env', 'staging', '--context', 'image:billing=v1'], /no workload "billing"/],
  ])('fails for %j before calling STS or the CDK', async (argv, message) => {
    const d = await ordersDeps();

    await expect(deploy(argv, d)).rejects.toThrow(message);

    expect(d.getCallerIdentity).not.toHaveBeenCalled();
    expect(d.runCdk).not.toHaveBeenCalled();
  });

  it('passes --context to cdk diff too', async () => {
    const d = await ordersDeps();

    await diff(['--env', 'staging', '--stacks', 'app', '--context', 'image:orders-api=2026.11.4'], d);

    const [args] = vi.mocked(d.runCdk).mock.calls[0]!;
    expect(args).toEqual(['diff', 'staging/app', '--exclusively', '--context', 'image:orders-api=2026.11.4']);
  });
});
