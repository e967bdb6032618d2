import { beforeAll, describe, expect, it } from 'vitest';
import { ENVIRONMENT_NAMES } from '@citadel/infra/config';
import {
  AccessEvaluator,
  MUST_ALLOW,
  MUST_DENY,
  StagePolicies,
  endpointRows,
  grantRows,
  logGroupKeyRows,
  outsideKeyRows,
  readStageTemplates,
  type AccessRow,
  type Expectation,
  type RowResult,
} from '../../src/access/index.js';
import { synthesizedApp } from '../support/synthesized-app.js';

const label = (row: AccessRow) =>
  `${row.who} ${row.action} ${row.resource}${row.via ? ` via ${row.via}` : ''}`;
const describeFailure = (result: RowResult) =>
  `${result.expect} ${result.resolved?.principal} ${result.row.action} ${result.resolved?.resource} -> ${result.decision}: ${result.row.why}`;

describe.each(ENVIRONMENT_NAMES)('access proof of %s', (environment) => {
  let evaluator: AccessEvaluator;
  beforeAll(() => {
    const assembly = synthesizedApp().stage(environment).synth();
    evaluator = new AccessEvaluator(new StagePolicies(readStageTemplates(environment, assembly)));
  });
  const judge = async (row: AccessRow, expect: Expectation) => evaluator.check(row, expect);
  const failures = async (rows: AccessRow[], expectation: Expectation) =>
    (await Promise.all(rows.map((row) => judge(row, expectation))))
      .filter((result) => !result.passed)
      .map(describeFailure);

  it.each(MUST_ALLOW.map((row) => [label(row), row] as const))('allows %s', async (_label, row) => {
    // Prepare / Act
    const result = await judge(row, 'allow');
    // Assess
    expect(result.outcome, `${result.decision}: ${row.why}`).not.toBe('denied');
  });

  it.each(MUST_DENY.map((row) => [label(row), row] as const))('denies %s', async (_label, row) => {
    const result = await judge(row, 'deny');
    expect(result.outcome, `${result.decision}: ${row.why}`).not.toBe('allowed');
  });

  it('lets CloudWatch Logs use the key of every encrypted log group, bound by encryption context', async () => {
    const rows = logGroupKeyRows(evaluator.policies);
    expect(rows.length).toBeGreaterThan(0);
    expect(await failures(rows, 'allow')).toEqual([]);
  });

  it('refuses every key to principals of other accounts', async () => {
    expect(await failures(outsideKeyRows(evaluator.policies), 'deny')).toEqual([]);
  });

  it('refuses a grant on any key unless the grant is for an AWS resource', async () => {
    expect(await failures(grantRows(evaluator.policies), 'deny')).toEqual([]);
  });

  it('has every VPC endpoint refuse other accounts\u2019 resources', async () => {
    const rows = endpointRows(evaluator.policies);
    expect(rows.length).toBeGreaterThan(0);
    expect(await failures(rows, 'deny')).toEqual([]);
  });

  it('confirms the encryption-context condition matters: another log group\u2019s context is refused', async () => {
    // Prepare: a real row with the log group in the context swapped for one outside the account
    const [row] = logGroupKeyRows(evaluator.policies);
    const forged = {
      ...row!,
      context: { 'kms:EncryptionContext:aws:logs:arn': 'arn:aws:logs:eu-west-1:000000000000:log-group:x' },
    };
    // Act
    const result = await judge(forged, 'deny');
    // Assess
    expect(result.outcome).toBe('denied');
  });
});
