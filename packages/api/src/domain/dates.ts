const ISO_DATE = /^(\d{4})-(\d{2})-(\d{2})$/;

/**
 * True for a real Gregorian calendar date written YYYY-MM-DD in the years 0001 to 9999:
 * no 30 February, no month 13, no year 0 (which PostgreSQL refuses), no expanded years.
 */
export function isCalendarDate(isoDate: string): boolean {
  const match = ISO_DATE.exec(isoDate);
  if (!match) return false;
  const [year, month, day] = match.slice(1).map(Number) as [number, number, number];
  if (year < 1 || month < 1 || month > 12 || day < 1) return false;
  return day <= daysInMonth(year, month);
}

/** True for a real calendar date (YYYY-MM-DD) between 1900-01-01 and today (UTC). */
export function isPlausibleDateOfBirth(isoDate: string, today: Date = new Date()): boolean {
  if (!isCalendarDate(isoDate)) return false;
  const [year, month, day] = isoDate.split('-').map(Number) as [number, number, number];
  return year >= 1900 && Date.UTC(year, month - 1, day) <= today.getTime();
}

function daysInMonth(year: number, month: number): number {
  if (month === 2) return isLeapYear(year) ? 29 : 28;
  return [4, 6, 9, 11].includes(month) ? 30 : 31;
}

function isLeapYear(year: number): boolean {
  return (year % 4 === 0 && year % 100 !== 0) || year % 400 === 0;
}
