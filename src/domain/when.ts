// Resolves the deadlines people type ("周五", "下周一 10点", "12/1 17:00", "+2d") to instants.
//
// Everything is computed in the configured IANA zone, never the process zone: servers run in
// UTC while the team lives in Asia/Shanghai, and "明天" must mean the team's tomorrow.
// Our own rules cover every documented form (so their meaning is ours and tested);
// chrono-node is only a fallback for the long tail ("今晚8点", "下午3点半", "next friday"),
// and only when it understands the whole text — a half-understood deadline is worse than none.

import { TZDate, tzOffset } from '@date-fns/tz';
import * as chrono from 'chrono-node';
import { wallClock } from './wall-clock.ts';

export interface WhenOptions {
  now: Date;
  /** IANA zone, e.g. "Asia/Shanghai". */
  timezone: string;
  /** "HH:mm": the time of day a bare date means. */
  defaultDueTime: string;
  /**
   * What a bare time of day ("14:00") means: the next such moment (default — deadlines lie
   * ahead), or today's even if it has passed (a meeting's time in minutes written afterwards).
   */
  timeOnly?: 'next' | 'today';
}

const MINUTE = 60_000;
const UNIT_MS: Record<string, number> = { d: 86_400_000, h: 3_600_000, m: MINUTE };

/** "24h", "2h", "30m", "1d", "+2d", "+1.5h" → milliseconds; anything else → undefined. */
export function parseDuration(text: string): number | undefined {
  const m = /^\+?\s*(\d+(?:\.\d+)?)\s*([dhm])$/i.exec(text.normalize('NFKC').trim());
  if (!m) return undefined;
  return Math.round(Number(m[1]) * UNIT_MS[m[2]!.toLowerCase()]!);
}

/** Parses a deadline or point in time; undefined when the text is not one (or not a real date). */
export function parseWhen(text: string, opts: WhenOptions): Date | undefined {
  const s = text.normalize('NFKC').trim().replace(/\s+/g, ' ').toLowerCase();
  if (!s || Number.isNaN(opts.now.getTime())) return undefined;
  const duration = parseDuration(s);
  if (duration !== undefined) return new Date(opts.now.getTime() + duration);
  const rel = relativeTime(s);
  if (rel !== undefined) return new Date(opts.now.getTime() + rel);
  return byRules(s, opts) ?? byChrono(s, opts);
}

// ---------------------------------------------------------------- calendar in the zone

/** A calendar day in the configured zone; month is 1–12. */
interface Day {
  y: number;
  m: number;
  d: number;
}
interface Clock {
  h: number;
  mi: number;
}

/** Today in the zone, and its weekday (0 = Sunday). */
function todayIn(now: Date, zone: string): { today: Day; weekday: number } {
  const w = wallClock(now, zone);
  return { today: { y: +w.year, m: +w.month, d: +w.day }, weekday: w.weekday };
}

/** The day `days` after `day` (calendar arithmetic: the same in every zone). */
function shift(day: Day, _zone: string, days: number): Day {
  const t = new Date(Date.UTC(day.y, day.m - 1, day.d + days));
  return { y: t.getUTCFullYear(), m: t.getUTCMonth() + 1, d: t.getUTCDate() };
}

/** Wall time → instant, memoized: commands name the same few days and times again and again. */
const instants = new Map<string, number>();

/** The instant of a wall-clock time in the zone; undefined for impossible dates (2月30日, 13/45). */
function at(zone: string, day: Day, clock: Clock): Date | undefined {
  if (day.m < 1 || day.m > 12 || day.d < 1 || clock.h > 23 || clock.mi > 59) return undefined;
  const key = `${zone} ${day.y}-${day.m}-${day.d} ${clock.h}:${clock.mi}`;
  let ms = instants.get(key);
  if (ms === undefined) {
    const t = new TZDate(day.y, day.m - 1, day.d, clock.h, clock.mi, zone);
    ms = Number.isNaN(t.getTime()) || t.getMonth() !== day.m - 1 || t.getDate() !== day.d ? Number.NaN : t.getTime();
    if (instants.size >= 10_000) instants.clear();
    instants.set(key, ms);
  }
  return Number.isNaN(ms) ? undefined : new Date(ms);
}

function defaultClock(opts: WhenOptions): Clock {
  const m = /^(\d{1,2}):(\d{2})$/.exec(opts.defaultDueTime.trim());
  return m ? { h: Number(m[1]), mi: Number(m[2]) } : { h: 18, mi: 0 };
}

// ---------------------------------------------------------------- numbers

const CN_DIGITS: Record<string, number> = { 零: 0, 〇: 0, 一: 1, 二: 2, 两: 2, 三: 3, 四: 4, 五: 5, 六: 6, 七: 7, 八: 8, 九: 9 };
const NUM = '(\\d{1,3}|[零〇一二两三四五六七八九十]{1,3})';

/** "3", "三", "十二", "二十" → number (small numbers only: days, hours, minutes). */
function num(s: string): number | undefined {
  if (/^\d+$/.test(s)) return Number(s);
  const m = /^([一二两三四五六七八九])?(十)?([零〇一二三四五六七八九])?$/.exec(s);
  if (!m || s === '') return undefined;
  if (!m[2]) return m[1] && !m[3] ? CN_DIGITS[m[1]] : m[3] && !m[1] ? CN_DIGITS[m[3]] : undefined;
  return (m[1] ? CN_DIGITS[m[1]]! : 1) * 10 + (m[3] ? CN_DIGITS[m[3]]! : 0);
}

/** "2小时后", "30分钟后" → milliseconds from now. */
function relativeTime(s: string): number | undefined {
  const m = new RegExp(`^${NUM} ?个? ?(小时|钟头|分钟|分) ?以?后$`).exec(s);
  if (!m) return undefined;
  const n = num(m[1]!);
  return n === undefined ? undefined : n * (m[2] === '分钟' || m[2] === '分' ? MINUTE : 60 * MINUTE);
}

// ---------------------------------------------------------------- our rules

/** How a date part was written; decides how "which one?" is answered. */
type DatePart =
  | { kind: 'fixed'; day: Day } // an explicit or relative day
  | { kind: 'monthDay'; m: number; d: number } // next such date
  | { kind: 'weekday'; dow: number; week?: number }; // dow 1..7 (Mon..Sun); week offset when given

const WEEKDAY: Record<string, number> = { 一: 1, 二: 2, 三: 3, 四: 4, 五: 5, 六: 6, 日: 7, 天: 7, '1': 1, '2': 2, '3': 3, '4': 4, '5': 5, '6': 6, '7': 7 };
const DAY_WORD: Record<string, number> = { 今天: 0, 今日: 0, 明天: 1, 明日: 1, 后天: 2, 大后天: 3 };

function datePart(s: string, today: Day, zone: string): { part: DatePart; rest: string } | undefined {
  let m = /^(\d{4}) ?[-/.年] ?(\d{1,2}) ?[-/.月] ?(\d{1,2}) ?[日号]?/.exec(s);
  if (m) return { part: { kind: 'fixed', day: { y: +m[1]!, m: +m[2]!, d: +m[3]! } }, rest: s.slice(m[0].length) };
  m = /^(\d{1,2}) ?(?:[-/]|月) ?(\d{1,2}) ?[日号]?/.exec(s);
  if (m) return { part: { kind: 'monthDay', m: +m[1]!, d: +m[2]! }, rest: s.slice(m[0].length) };
  m = /^(大后天|今天|今日|明天|明日|后天)/.exec(s);
  if (m) return { part: { kind: 'fixed', day: shift(today, zone, DAY_WORD[m[1]!]!) }, rest: s.slice(m[0].length) };
  m = /^(本|这|这个|下下个|下下|下个|下)?(?:周|星期|礼拜)([一二三四五六日天1-7])/.exec(s);
  if (m) {
    const week = m[1] === undefined ? undefined : m[1].startsWith('下下') ? 2 : m[1].startsWith('下') ? 1 : 0;
    return { part: { kind: 'weekday', dow: WEEKDAY[m[2]!]!, week }, rest: s.slice(m[0].length) };
  }
  m = new RegExp(`^${NUM} ?个? ?(天|日|周|星期|礼拜) ?以?后`).exec(s);
  if (m) {
    const n = num(m[1]!);
    if (n === undefined) return undefined;
    const days = m[2] === '天' || m[2] === '日' ? n : n * 7;
    return { part: { kind: 'fixed', day: shift(today, zone, days) }, rest: s.slice(m[0].length) };
  }
  return undefined;
}

const PM = new Set(['下午', '午后', '傍晚', '晚上', '晚', '夜里', 'pm']);

/** "17:00", "17点", "下午3点", "3点半", "10点15分", "3pm" → wall clock. */
function timePart(s: string): Clock | undefined {
  const m = new RegExp(
    `^(上午|早上|早晨|早|中午|下午|午后|傍晚|晚上|晚|夜里|凌晨)? ?${NUM} ?(?:: ?(\\d{2})|[点时] ?(?:(半)|${NUM} ?分?)?)? ?(am|pm)?$`,
  ).exec(s);
  if (!m) return undefined;
  const [, period, hs, colonMin, half, cnMin, ampm] = m;
  // A bare number is not a time ("3" could be anything); it needs ":", "点" or am/pm.
  if (colonMin === undefined && !/[点时]/.test(s) && !ampm) return undefined;
  let h = num(hs!);
  const mi = colonMin !== undefined ? Number(colonMin) : half ? 30 : cnMin !== undefined ? num(cnMin) : 0;
  if (h === undefined || mi === undefined || h > 23 || mi > 59) return undefined;
  if ((PM.has(period ?? '') || ampm === 'pm') && h < 12) h += 12;
  if (period === '中午' && h < 6) h += 12; // 中午1点 = 13:00
  if ((period === '凌晨' || ampm === 'am') && h === 12) h = 0;
  return { h, mi };
}

function byRules(s: string, opts: WhenOptions): Date | undefined {
  const zone = opts.timezone;
  const { today, weekday } = todayIn(opts.now, zone);
  const dp = datePart(s, today, zone);
  if (!dp) {
    const clock = timePart(s);
    if (!clock) return undefined;
    const t = at(zone, today, clock);
    if (!t || opts.timeOnly === 'today' || t > opts.now) return t;
    return at(zone, shift(today, zone, 1), clock);
  }
  const rest = dp.rest.trim().replace(/^的 ?/, '');
  const clock = rest === '' ? defaultClock(opts) : timePart(rest);
  if (!clock) return undefined;
  return resolveDay(dp.part, clock, today, weekday, opts);
}

function resolveDay(part: DatePart, clock: Clock, today: Day, weekday: number, opts: WhenOptions): Date | undefined {
  const zone = opts.timezone;
  switch (part.kind) {
    case 'fixed':
      return at(zone, part.day, clock);
    case 'monthDay': {
      // "Next such date": a month-day earlier than today means next year; today stays today.
      const passed = part.m < today.m || (part.m === today.m && part.d < today.d);
      return at(zone, { y: today.y + (passed ? 1 : 0), m: part.m, d: part.d }, clock);
    }
    case 'weekday': {
      const todayDow = weekday === 0 ? 7 : weekday;
      if (part.week !== undefined) {
        // Weeks start on Monday: 下周一 is the Monday after this week's.
        return at(zone, shift(today, zone, part.week * 7 + part.dow - todayDow), clock);
      }
      const ahead = (part.dow - todayDow + 7) % 7;
      const t = at(zone, shift(today, zone, ahead), clock);
      // The coming one: today counts only while that moment is still ahead.
      return t && t <= opts.now ? at(zone, shift(today, zone, ahead + 7), clock) : t;
    }
  }
}

// ---------------------------------------------------------------- chrono fallback

function byChrono(s: string, opts: WhenOptions): Date | undefined {
  // chrono ignores IANA names, so hand it the zone's offset at "now"; then rebuild the
  // instant from the wall-clock components ourselves so a DST change in between cannot skew it.
  const ref = { instant: opts.now, timezone: tzOffset(opts.timezone, opts.now) };
  for (const parser of [chrono.zh.hans, chrono.en.casual]) {
    const results = parser.parse(s, ref, { forwardDate: true });
    const r = results[0];
    if (results.length !== 1 || !r || r.index !== 0 || r.text.trim() !== s) continue;
    const c = r.start;
    const day = { y: c.get('year')!, m: c.get('month')!, d: c.get('day')! };
    // chrono implies 12:00 for a bare day; keep its implied hour only for a part of day (明天中午).
    const partOfDay = /[早晚午夜]|凌晨|morning|noon|evening|night|tonight/.test(s);
    const clock = c.isCertain('hour') || partOfDay ? { h: c.get('hour')!, mi: c.get('minute') ?? 0 } : defaultClock(opts);
    return at(opts.timezone, day, clock);
  }
  return undefined;
}
