// Formatting helpers for user-facing text (times in the configured zone, mentions, ids).

import { mentionToken } from '../domain/chat.ts';
import { wallClock } from '../domain/wall-clock.ts';

const WEEKDAY = ['日', '一', '二', '三', '四', '五', '六'];

/** "2026-11-27 18:00 周五" in the given zone. */
export function fmtTime(t: Date | number | null | undefined, tz: string): string {
  if (t === null || t === undefined) return '未设置';
  const w = wallClock(t, tz);
  return `${w.year}-${w.month}-${w.day} ${w.hour}:${w.minute} 周${WEEKDAY[w.weekday] ?? ''}`;
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

/** The command that shows an item in full, for messages a platform has to clip. */
export function showCommand(id: number): string {
  return `/查看 #${id}`;
}

/** A title as one row of a list or digest: an overview, so a long title is cut by characters. */
export function rowTitle(title: string, maxChars = 80): string {
  const chars = [...title];
  return chars.length <= maxChars ? title : `${chars.slice(0, maxChars - 1).join('')}…`;
}
