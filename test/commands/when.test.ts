import { describe, expect, it } from 'vitest';
import { parseDuration, parseWhen, type WhenOptions } from '../../src/domain/when.ts';

// 2026-11-23 is a Monday; 10:00 in Shanghai is 02:00 UTC (the process runs in UTC).
const MONDAY_10: WhenOptions = { now: new Date('2026-11-23T10:00:00+08:00'), timezone: 'Asia/Shanghai', defaultDueTime: '18:00' };

const iso = (d: Date | undefined) => d?.toISOString();

describe('parseWhen, now = Monday 2026-11-23 10:00 Asia/Shanghai', () => {
  it.each([
    // explicit dates (no time → 18:00 Shanghai = 10:00Z)
    ['2026-12-01', '2026-12-01T10:00:00.000Z'],
    ['2026/12/01', '2026-12-01T10:00:00.000Z'],
    ['2026年12月1日', '2026-12-01T10:00:00.000Z'],
    ['12-01', '2026-12-01T10:00:00.000Z'],
    ['12/1', '2026-12-01T10:00:00.000Z'],
    ['12/1 17:00', '2026-12-01T09:00:00.000Z'],
    ['12月1日', '2026-12-01T10:00:00.000Z'],
    ['12月1号', '2026-12-01T10:00:00.000Z'],
    ['12月1日 15:00', '2026-12-01T07:00:00.000Z'],
    ['１２／１ １７：００', '2026-12-01T09:00:00.000Z'], // full-width digits and colon
    ['10-01', '2027-10-01T10:00:00.000Z'], // already passed this year → next year
    ['11-23', '2026-11-23T10:00:00.000Z'], // today's date stays this year
    // relative days
    ['今天', '2026-11-23T10:00:00.000Z'],
    ['明天', '2026-11-24T10:00:00.000Z'],
    ['后天', '2026-11-25T10:00:00.000Z'],
    ['大后天', '2026-11-26T10:00:00.000Z'],
    ['3天后', '2026-11-26T10:00:00.000Z'],
    ['三天后', '2026-11-26T10:00:00.000Z'],
    ['明天下午3点', '2026-11-24T07:00:00.000Z'],
    ['明天 15:30', '2026-11-24T07:30:00.000Z'],
    // weekdays
    ['周五', '2026-11-27T10:00:00.000Z'],
    ['星期五', '2026-11-27T10:00:00.000Z'],
    ['礼拜五', '2026-11-27T10:00:00.000Z'],
    ['周一', '2026-11-23T10:00:00.000Z'], // today, and 18:00 is still ahead
    ['周日', '2026-11-29T10:00:00.000Z'],
    ['下周一 10点', '2026-11-30T02:00:00.000Z'],
    ['下周一10点', '2026-11-30T02:00:00.000Z'],
    ['下周三', '2026-12-02T10:00:00.000Z'],
    ['下周日', '2026-12-06T10:00:00.000Z'],
    ['下下周一', '2026-12-07T10:00:00.000Z'],
    ['本周五 9点', '2026-11-27T01:00:00.000Z'],
    // durations are exact
    ['+2d', '2026-11-25T02:00:00.000Z'],
    ['+4h', '2026-11-23T06:00:00.000Z'],
    ['+30m', '2026-11-23T02:30:00.000Z'],
    ['2小时后', '2026-11-23T04:00:00.000Z'],
    // a time alone: today, or tomorrow when already past
    ['18:00', '2026-11-23T10:00:00.000Z'],
    ['17点', '2026-11-23T09:00:00.000Z'],
    ['9点', '2026-11-24T01:00:00.000Z'],
    ['下午3点半', '2026-11-23T07:30:00.000Z'],
    ['10点15分', '2026-11-23T02:15:00.000Z'],
    // the long tail goes to chrono
    ['今晚8点', '2026-11-23T12:00:00.000Z'],
    ['明天中午', '2026-11-24T04:00:00.000Z'],
    ['tomorrow 3pm', '2026-11-24T07:00:00.000Z'],
  ])('%s → %s', (text, expected) => {
    expect(iso(parseWhen(text, MONDAY_10))).toBe(expected);
  });

  it.each(['2月30日', '13/45', '2026-02-30', '下下下周八', '', '   ', 'abc', '25:00', '3', '周八', '12/1 25:00', '下个世纪'])(
    'rejects %j',
    (text) => {
      expect(parseWhen(text, MONDAY_10)).toBeUndefined();
    },
  );

  it('a weekday that is today but already past its time means next week', () => {
    const evening = { ...MONDAY_10, now: new Date('2026-11-23T19:00:00+08:00') };
    expect(iso(parseWhen('周一', evening))).toBe('2026-11-30T10:00:00.000Z');
    expect(iso(parseWhen('周一 20:00', evening))).toBe('2026-11-23T12:00:00.000Z');
  });

  it('timeOnly "today" keeps a past time of day on today (minutes written afterwards)', () => {
    expect(iso(parseWhen('9点', { ...MONDAY_10, timeOnly: 'today' }))).toBe('2026-11-23T01:00:00.000Z');
  });
});

describe('parseWhen resolves in the configured zone, not the process zone', () => {
  // 16:30Z on Monday is already 00:30 on Tuesday in Shanghai.
  const AFTER_MIDNIGHT: WhenOptions = { ...MONDAY_10, now: new Date('2026-11-23T16:30:00Z') };

  it.each([
    ['今天', '2026-11-24T10:00:00.000Z'],
    ['明天', '2026-11-25T10:00:00.000Z'],
    ['周二', '2026-11-24T10:00:00.000Z'],
    ['18:00', '2026-11-24T10:00:00.000Z'],
    ['下周一', '2026-11-30T10:00:00.000Z'],
  ])('just after midnight in Shanghai: %s → %s', (text, expected) => {
    expect(iso(parseWhen(text, AFTER_MIDNIGHT))).toBe(expected);
  });

  it('applies defaultDueTime to a bare date', () => {
    const o = { ...MONDAY_10, defaultDueTime: '17:30' };
    expect(iso(parseWhen('明天', o))).toBe('2026-11-24T09:30:00.000Z');
    expect(iso(parseWhen('12-01', o))).toBe('2026-12-01T09:30:00.000Z');
    expect(iso(parseWhen('周五', o))).toBe('2026-11-27T09:30:00.000Z');
  });

  it('works in another zone', () => {
    const ny: WhenOptions = { now: new Date('2026-11-23T15:00:00Z'), timezone: 'America/New_York', defaultDueTime: '18:00' };
    expect(iso(parseWhen('明天', ny))).toBe('2026-11-24T23:00:00.000Z');
  });

  it('crosses the year end', () => {
    const dec30: WhenOptions = { ...MONDAY_10, now: new Date('2026-12-30T10:00:00+08:00') }; // a Wednesday
    expect(iso(parseWhen('1月5日', dec30))).toBe('2027-01-05T10:00:00.000Z');
    expect(iso(parseWhen('下周一', dec30))).toBe('2027-01-04T10:00:00.000Z');
    expect(iso(parseWhen('3天后', dec30))).toBe('2027-01-02T10:00:00.000Z');
  });
});

describe('parseDuration', () => {
  it.each([
    ['24h', 86_400_000],
    ['2h', 7_200_000],
    ['30m', 1_800_000],
    ['1d', 86_400_000],
    ['+2d', 172_800_000],
    ['+4h', 14_400_000],
    ['1.5h', 5_400_000],
  ])('%s → %d ms', (text, ms) => {
    expect(parseDuration(text)).toBe(ms);
  });

  it.each(['', 'h', '2x', '-2h', '2 days', '明天'])('rejects %j', (text) => {
    expect(parseDuration(text)).toBeUndefined();
  });
});
