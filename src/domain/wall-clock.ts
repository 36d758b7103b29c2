// Wall-clock fields of an instant in an IANA zone. Everything users read (times in messages,
// archive cells, file names) is in the project's zone, never the server's (servers run in UTC).

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
      weekday: 'short',
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
  /** 0 = Sunday … 6 = Saturday. */
  weekday: number;
}

const WEEKDAYS = ['Sun', 'Mon', 'Tue', 'Wed', 'Thu', 'Fri', 'Sat'];

/** The fields straight from Intl: exact for every instant and zone, but slow (~10 µs). */
function partsOf(ms: number, tz: string): WallClock {
  const p = Object.fromEntries(formatter(tz).formatToParts(new Date(ms)).map((x) => [x.type, x.value]));
  return {
    year: p.year ?? '0000',
    month: p.month ?? '01',
    day: p.day ?? '01',
    hour: p.hour ?? '00',
    minute: p.minute ?? '00',
    second: p.second ?? '00',
    weekday: WEEKDAYS.indexOf(p.weekday ?? ''),
  };
}

/**
 * A zone's UTC offset per 15-minute slot of time, cached when the offset is the same at both
 * ends of the slot. Nearly every change of offset falls on a slot boundary; the few that do not
 * (St. John's and Gaza changed at hh:01 until 2011, Casey in 2020–2022) leave their slot uncached,
 * and instants in it go through Intl. Times before 1970 always do.
 */
const SLOT_MS = 15 * 60_000;
/** NaN marks a slot whose offset changes inside it. */
const offsets = new Map<string, Map<number, number>>();
const MAX_SLOTS = 20_000;

function offsetAt(ms: number, tz: string): number {
  const w = partsOf(ms, tz);
  return Date.UTC(+w.year, +w.month - 1, +w.day, +w.hour, +w.minute, +w.second) - (ms - (((ms % 1000) + 1000) % 1000));
}

/** The slot's offset, or NaN when it changes inside the slot. */
function offsetOf(ms: number, tz: string): number {
  let zone = offsets.get(tz);
  if (!zone) offsets.set(tz, (zone = new Map()));
  const slot = Math.floor(ms / SLOT_MS);
  let off = zone.get(slot);
  if (off === undefined) {
    const first = offsetAt(slot * SLOT_MS, tz);
    off = first === offsetAt(slot * SLOT_MS + SLOT_MS - 1, tz) ? first : Number.NaN;
    if (zone.size >= MAX_SLOTS) zone.clear();
    zone.set(slot, off);
  }
  return off;
}

const pad2 = (n: number) => (n < 10 ? `0${n}` : String(n));

export function wallClock(ms: number | Date, tz: string): WallClock {
  const t = typeof ms === 'number' ? ms : ms.getTime();
  if (!(t >= 0 && t < 8.64e15)) return partsOf(t, tz);
  const off = offsetOf(t, tz);
  if (Number.isNaN(off)) return partsOf(t, tz);
  const d = new Date(t + off);
  const y = d.getUTCFullYear();
  return {
    year: y < 1000 ? String(y).padStart(4, '0') : String(y),
    month: pad2(d.getUTCMonth() + 1),
    day: pad2(d.getUTCDate()),
    hour: pad2(d.getUTCHours()),
    minute: pad2(d.getUTCMinutes()),
    second: pad2(d.getUTCSeconds()),
    weekday: d.getUTCDay(),
  };
}

export function isTimeZone(tz: string): boolean {
  try {
    new Intl.DateTimeFormat('en-US', { timeZone: tz });
    return true;
  } catch {
    return false;
  }
}
