import { mkdtempSync, mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, describe, expect, it } from 'vitest';
import { MUST_ALLOW } from '../../src/access/index.js';
import { findSdkCalls } from './sdk-calls.js';

const REPOSITORY = fileURLToPath(new URL('../../../../', import.meta.url));
const RUNTIME_SOURCES = ['packages/api/src', 'packages/db/src', 'packages/functions/src'];
const allowed = new Set(MUST_ALLOW.map((row) => row.action.toLowerCase()));

describe('run-time AWS calls', () => {
  const calls = findSdkCalls(REPOSITORY, RUNTIME_SOURCES);

  it('finds the calls the code is known to make', () => {
    const actions = calls.map((call) => call.action);
    expect(actions).toEqual(
      expect.arrayContaining(['sqs:SendMessage', 'rds-db:connect', 'secretsmanager:GetSecretValue']),
    );
  });

  it.each(calls.map((call) => [`${call.action} (${call.call} in ${call.file})`, call] as const))(
    'has a must-allow row for %s',
    (_label, call) => {
      expect(
        allowed.has(call.action.toLowerCase()),
        `add a must-allow row for ${call.action} used in ${call.file}`,
      ).toBe(true);
    },
  );
});

describe('findSdkCalls', () => {
  const root = mkdtempSync(join(tmpdir(), 'sdk-calls-'));
  afterAll(() => rmSync(root, { recursive: true, force: true }));
  const scan = (source: string) => {
    mkdirSync(join(root, 'src'), { recursive: true });
    writeFileSync(join(root, 'src', 'file.ts'), source);
    return findSdkCalls(root, ['src']);
  };

  it.each([
    ["import { SendMessageBatchCommand } from '@aws-sdk/client-sqs';", 'sqs:SendMessage'],
    [
      "import { GetSecretValueCommand } from '@aws-sdk/client-secrets-manager';",
      'secretsmanager:GetSecretValue',
    ],
    [
      "import {\n  PutParameterCommand,\n  type GetParameterCommandOutput,\n} from '@aws-sdk/client-ssm';",
      'ssm:PutParameter',
    ],
    ["import { Signer } from '@aws-sdk/rds-signer';", 'rds-db:connect'],
  ])('maps %s to %s', (source, action) => {
    expect(scan(source).map((call) => call.action)).toEqual([action]);
  });

  it('fails on an SDK client it cannot map to IAM', () => {
    expect(() => scan("import { PutItemCommand } from '@aws-sdk/client-dynamodb';")).toThrow(
      /client-dynamodb/,
    );
  });

  it('fails on the AWS SDK v2', () => {
    expect(() => scan("import AWS from 'aws-sdk';")).toThrow(/SDK v2/);
  });

  it('fails on a command constructed without a client import', () => {
    expect(() => scan('const c = new DeleteQueueCommand({});')).toThrow(/DeleteQueueCommand/);
  });

  it('ignores type-only imports', () => {
    expect(scan("import type { GetParameterCommandOutput } from '@aws-sdk/client-ssm';")).toEqual([]);
  });
});
