import { describe, expect, it } from 'vitest';
import { outcomeText, readableName, type AccessLine } from '../../src/report/access-section.js';

const entry = (fields: Partial<AccessLine>): AccessLine => ({
  who: 'app/ApiTaskRole',
  action: 'sqs:SendMessage',
  resource: 'app/PaymentsQueue',
  outcome: 'allowed',
  asRequired: true,
  why: 'why',
  frameworks: [],
  ...fields,
});

describe('access section', () => {
  it.each([
    ['{app:ApiTaskRole.Arn}', 'app/ApiTaskRole'],
    ['{network:FlowLogsBucket.Arn}/AWSLogs/{account}/x', 'network/FlowLogsBucket/AWSLogs/<account>/x'],
    ['{data:BackupVault.BackupVaultArn}', 'data/BackupVault'],
    ['logs.{region}.amazonaws.com', 'logs.<region>.amazonaws.com'],
  ])('names %s as %s', (text, expected) => {
    expect(readableName(text)).toBe(expected);
  });

  it.each([
    [entry({}), 'allowed'],
    [entry({ outcome: 'denied', asRequired: true }), 'denied'],
    [entry({ outcome: 'skipped' }), 'skipped (resource absent)'],
    [entry({ outcome: 'denied', asRequired: false }), 'denied — NOT AS REQUIRED'],
  ])('prints the outcome of %o as %s', (line, expected) => {
    expect(outcomeText(line)).toBe(expected);
  });
});
