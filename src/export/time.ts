// Wall-clock time in a zone, for archive cells and file names. Archives are read by people in
// the project's zone, never in the server's (servers run in UTC).

const formatters = new Map<string, Intl.DateTimeFormat>();

function formatter(tz: string): Intl.DateTimeFormat {
  let f = formatters.get(tz);
  if (!f) {
    f = new Intl.DateTimeFormat('en-CA', {
      timeZone: tz,
      year: 'numeric',
      month: '2-digit',
      day: '2-digit',
      hour: '2-digit',
      minute: '2-digit',
      second: '2-digit',
      hourCycle: 'h23',
    });
    formatters.set(tz, f);
  }
  return f;
}

export interface WallClock {
  year: string;
  month: string;
  day: string;
  hour: string;
  minute: string;
  second: string;
}

export function wallClock(ms: number, tz: string): WallClock {
  const p = Object.fromEntries(formatter(tz).formatToParts(new Date(ms)).map((x) => [x.type, x.value]));
  return {
    year: p.year ?? '0000',
    month: p.month ?? '01',
    day: p.day ?? '01',
    hour: p.hour ?? '00',
    minute: p.minute ?? '00',
    second: p.second ?? '00',
  };
}

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
