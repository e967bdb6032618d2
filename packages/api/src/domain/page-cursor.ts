import type { PagePosition } from '@citadel/db';
import { isCalendarDate } from './dates.js';

/** Opaque page cursors: base64url of the last row's creation time and id. */
export function encodeCursor(position: PagePosition): string {
  return Buffer.from(`${position.createdAt}|${position.id}`, 'utf8').toString('base64url');
}

const POSITION =
  /^((\d{4}-\d{2}-\d{2})T(\d{2}):(\d{2}):(\d{2})\.\d{6}Z)\|([0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12})$/;

/**
 * Returns null when the cursor was not produced by `encodeCursor`, including a cursor
 * whose time is well formed but impossible (30 February, hour 24, year 0), so a forged
 * cursor is refused before it reaches the database.
 */
export function decodeCursor(cursor: string): PagePosition | null {
  if (!/^[A-Za-z0-9_-]{1,200}$/.test(cursor)) return null;
  const match = POSITION.exec(Buffer.from(cursor, 'base64url').toString('utf8'));
  if (!match) return null;
  const [, createdAt, date, hours, minutes, seconds, id] = match as unknown as [
    string,
    string,
    string,
    string,
    string,
    string,
    string,
  ];
  const isTimeOfDay = Number(hours) < 24 && Number(minutes) < 60 && Number(seconds) < 60;
  if (!isCalendarDate(date) || !isTimeOfDay) return null;
  return { createdAt, id };
}
