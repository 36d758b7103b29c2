// Wall-clock time in a zone, for archive cells and file names. Archives are read by people in
// the project's zone, never in the server's (servers run in UTC).

import { TZDate } from '@date-fns/tz';
import { nextMonth } from '../domain/month.ts';
import { wallClock } from '../domain/wall-clock.ts';

export { wallClock };

/** "2026-11-27 18:00" in the zone (no weekday: archive cells should sort and parse). */
export function fmtLocal(ms: number, tz: string): string {
  const w = wallClock(ms, tz);
  return `${w.year}-${w.month}-${w.day} ${w.hour}:${w.minute}`;
}

/** "20261127" in the zone. */
export function ymd(ms: number, tz: string): string {
  const w = wallClock(ms, tz);
  return `${w.year}${w.month}${w.day}`;
}

/**
 * A Date whose UTC fields equal the wall clock in `tz`. Spreadsheet dates carry no zone:
 * exceljs writes the UTC fields, so Excel then shows the project's local time.
 */
export function spreadsheetDate(ms: number, tz: string): Date {
  const w = wallClock(ms, tz);
  return new Date(Date.UTC(+w.year, +w.month - 1, +w.day, +w.hour, +w.minute, +w.second));
}

/** [start, end) of a 'YYYY-MM' month in the zone, ms since epoch. */
export function monthRange(month: string, tz: string): { from: number; to: number } {
  const start = (m: string) => {
    const [y, mo] = m.split('-').map(Number) as [number, number];
    return new TZDate(y, mo - 1, 1, 0, 0, 0, 0, tz).getTime();
  };
  return { from: start(month), to: start(nextMonth(month)) };
}
