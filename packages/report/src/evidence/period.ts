import { EvidenceArgumentError } from './errors.js';

/** The longest period one bundle covers: a PCI DSS year plus a quarter of overlap. */
export const MAX_PERIOD_DAYS = 400;
const DAY_MS = 86_400_000;
const ISO_DATE = /^(\d{4})-(\d{2})-(\d{2})$/;

/** A period of whole UTC days, `start` inclusive and `end` exclusive (capped at `now`). */
export interface EvidencePeriod {
  readonly from: string;
  readonly to: string;
  readonly start: Date;
  readonly end: Date;
}

function parseDay(argument: string, value: unknown): Date {
  if (typeof value !== 'string' || !ISO_DATE.test(value)) {
    throw new EvidenceArgumentError(
      argument,
      value,
      'give a calendar date as YYYY-MM-DD, such as 2026-01-31',
    );
  }
  const day = new Date(`${value}T00:00:00.000Z`);
  if (Number.isNaN(day.getTime()) || day.toISOString().slice(0, 10) !== value) {
    throw new EvidenceArgumentError(argument, value, 'no such calendar day; give a date as YYYY-MM-DD');
  }
  return day;
}

/**
 * Checks `--from` and `--to`: ISO calendar dates, from ≤ to, neither in the future, at
 * most MAX_PERIOD_DAYS days. `to` is inclusive: the period ends at the end of that day,
 * or at `now` when that day is today.
 */
export function parsePeriod(from: unknown, to: unknown, now: Date = new Date()): EvidencePeriod {
  const start = parseDay('--from', from);
  const toDay = parseDay('--to', to);
  const today = new Date(now.toISOString().slice(0, 10) + 'T00:00:00.000Z');
  if (toDay > today) {
    throw new EvidenceArgumentError(
      '--to',
      to,
      `it is in the future; give a date up to ${today.toISOString().slice(0, 10)}`,
    );
  }
  if (start > toDay) {
    throw new EvidenceArgumentError(
      '--from',
      from,
      `it is after --to ${String(to)}; give --from on or before --to`,
    );
  }
  const days = (toDay.getTime() - start.getTime()) / DAY_MS + 1;
  if (days > MAX_PERIOD_DAYS) {
    throw new EvidenceArgumentError(
      '--from',
      from,
      `the period is ${days} days; collect at most ${MAX_PERIOD_DAYS} days per bundle (split it into several)`,
    );
  }
  const dayAfter = new Date(toDay.getTime() + DAY_MS);
  return {
    from: from as string,
    to: to as string,
    start,
    end: dayAfter > now ? now : dayAfter,
  };
}
