import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  EvidenceArgumentError,
  MAX_PERIOD_DAYS,
  parseEvidenceArguments,
  parsePeriod,
} from '../../src/evidence/index.js';

const NOW = new Date('2026-04-10T12:00:00Z');
const ENVIRONMENTS = ['courses', 'dev', 'prod', 'qa'];
const collect = (...extra: string[]) => [
  '--env',
  'prod',
  '--from',
  '2026-01-01',
  '--to',
  '2026-03-31',
  ...extra,
];
const parse = (args: string[]) => parseEvidenceArguments(args, ENVIRONMENTS, NOW);

describe('evidence arguments', () => {
  it('reads a period of whole UTC days, --to inclusive, and a default bundle directory', () => {
    const command = parse(collect());
    expect(command).toMatchObject({
      kind: 'collect',
      environment: 'prod',
      outDir: 'reports/evidence/prod-2026-01-01-2026-03-31',
    });
    if (command.kind !== 'collect') throw new Error('expected collect');
    expect(command.period.start.toISOString()).toBe('2026-01-01T00:00:00.000Z');
    expect(command.period.end.toISOString()).toBe('2026-04-01T00:00:00.000Z');
  });

  it('ends a period that reaches today at now', () => {
    expect(parsePeriod('2026-04-01', '2026-04-10', NOW).end).toEqual(NOW);
  });

  it.each([
    [['--env', 'prod;rm -rf /', '--from', '2026-01-01', '--to', '2026-01-02'], '--env'],
    [['--env', 'PROD', '--from', '2026-01-01', '--to', '2026-01-02'], '--env'],
    [['--env', '../prod', '--from', '2026-01-01', '--to', '2026-01-02'], '--env'],
    [['--env', 'staging', '--from', '2026-01-01', '--to', '2026-01-02'], '--env'],
    [['--env', 'prod\u0000', '--from', '2026-01-01', '--to', '2026-01-02'], '--env'],
    [['--from', '2026-01-01', '--to', '2026-01-02'], '--env'],
    [collect().map((a) => (a === '2026-01-01' ? '２０２６-01-01' : a)), '--from'],
    [collect().map((a) => (a === '2026-01-01' ? '2026-02-30' : a)), '--from'],
    [collect().map((a) => (a === '2026-01-01' ? '2026-01-01T00:00:00Z' : a)), '--from'],
    [collect().map((a) => (a === '2026-01-01' ? "2026-01-01' OR 1=1" : a)), '--from'],
    [collect().map((a) => (a === '2026-01-01' ? '+02026-01-01' : a)), '--from'],
    [collect().map((a) => (a === '2026-01-01' ? '-1' : a)), 'arguments'],
    [collect().map((a) => (a === '2026-03-31' ? '2026-04-11' : a)), '--to'],
    [collect().map((a) => (a === '2026-03-31' ? '2025-12-31' : a)), '--from'],
    [['--env', 'prod', '--from', '2025-03-04', '--to', '2026-04-08'], '--from'],
    [collect('--out', 'bundle\nrm'), '--out'],
    [collect('--out', 'x'.repeat(1025)), '--out'],
    [collect('--out', '   '), '--out'],
    [collect('--records-bucket', 'Records_Bucket'), '--records-bucket'],
    [collect('--records-bucket', '192.168.1.10'), '--records-bucket'],
    [collect('--records-bucket', 'a..b'), '--records-bucket'],
    [collect('--records-bucket', 'bücket'), '--records-bucket'],
    [collect('--region', 'us-east-1'), 'arguments'],
    [collect('stray'), 'arguments'],
    [collect('--head', 'a'.repeat(64)), '--head'],
    [['--verify', 'bundle', '--env', 'prod'], '--env'],
    [['--verify', 'bundle', '--head', 'G'.repeat(64)], '--head'],
    [['--verify', 'bundle\u0007'], '--verify'],
  ])('refuses %j naming %s', (args, argument) => {
    const error = (() => {
      try {
        parse(args);
      } catch (caught) {
        return caught;
      }
      return undefined;
    })();
    expect(error).toBeInstanceOf(EvidenceArgumentError);
    expect((error as EvidenceArgumentError).argument).toBe(argument);
    expect((error as Error).message).toMatch(/is refused: .+/);
  });

  it('accepts exactly the longest period and refuses one day more', () => {
    const day = 86_400_000;
    const to = '2026-04-10';
    const from = new Date(Date.parse(`${to}T00:00:00Z`) - (MAX_PERIOD_DAYS - 1) * day)
      .toISOString()
      .slice(0, 10);
    const before = new Date(Date.parse(`${from}T00:00:00Z`) - day).toISOString().slice(0, 10);
    expect(() => parsePeriod(from, to, NOW)).not.toThrow();
    expect(() => parsePeriod(before, to, NOW)).toThrow(/the period is 401 days/);
  });

  it('returns only periods that are ordered, past and bounded, and refuses everything else with EvidenceArgumentError', () => {
    const day = fc.oneof(
      fc
        .date({ min: new Date('2020-01-01'), max: new Date('2027-12-31'), noInvalidDate: true })
        .map((d) => d.toISOString().slice(0, 10)),
      fc.string(),
      fc.string({ unit: 'grapheme' }),
    );
    fc.assert(
      fc.property(day, day, (from, to) => {
        try {
          const period = parsePeriod(from, to, NOW);
          expect(period.start.getTime()).toBeLessThan(period.end.getTime());
          expect(period.end.getTime()).toBeLessThanOrEqual(NOW.getTime());
          expect(period.end.getTime() - period.start.getTime()).toBeLessThanOrEqual(
            MAX_PERIOD_DAYS * 86_400_000,
          );
          expect(period.start.toISOString().slice(0, 10)).toBe(from);
        } catch (error) {
          expect(error).toBeInstanceOf(EvidenceArgumentError);
        }
      }),
      { numRuns: 500 },
    );
  });
});
