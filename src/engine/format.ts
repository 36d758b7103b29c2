// Formatting helpers for user-facing text (times in the configured zone, mentions, ids).

import { mentionToken } from '../domain/chat.ts';

const WEEKDAY = ['日', '一', '二', '三', '四', '五', '六'];
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
      weekday: 'short',
      hourCycle: 'h23',
    });
    formatters.set(tz, f);
  }
  return f;
}

/** "2026-11-27 18:00 周五" in the given zone. */
export function fmtTime(t: Date | number | null | undefined, tz: string): string {
  if (t === null || t === undefined) return '未设置';
  const parts = Object.fromEntries(formatter(tz).formatToParts(new Date(t)).map((p) => [p.type, p.value]));
  const wd = ['Sun', 'Mon', 'Tue', 'Wed', 'Thu', 'Fri', 'Sat'].indexOf(parts.weekday ?? '');
  return `${parts.year}-${parts.month}-${parts.day} ${parts.hour}:${parts.minute} 周${WEEKDAY[wd] ?? ''}`;
}

export function at(userId: string): string {
  return mentionToken(userId);
}

export function ats(userIds: Iterable<string>): string {
  return [...userIds].map(at).join(' ');
}

export function itemRef(id: number, seqNo?: string | null): string {
  return seqNo ? `#${id}（${seqNo}）` : `#${id}`;
}
