// Formatting helpers for user-facing text (times in the configured zone, mentions, ids).

import { mentionToken } from '../domain/chat.ts';
import { wallClock } from '../domain/wall-clock.ts';
import type { ItemRow } from '../db/repo.ts';

const WEEKDAY = ['日', '一', '二', '三', '四', '五', '六'];

/** "2026-11-27 18:00 周五" in the given zone. */
export function fmtTime(t: Date | number | null | undefined, tz: string): string {
  if (t === null || t === undefined) return '未设置';
  const w = wallClock(t, tz);
  return `${w.year}-${w.month}-${w.day} ${w.hour}:${w.minute} 周${WEEKDAY[w.weekday] ?? ''}`;
}

/**
 * A span of time as a reminder says it, in the clock's own time: "2 个工作小时", "30 分钟（工作时间）"
 * for working time, "1.5 小时", "30 分钟" for wall time.
 */
export function fmtSpan(kind: 'wall' | 'work', ms: number): string {
  const minutes = Math.max(0, Math.round(ms / 60_000));
  if (minutes < 60) return kind === 'work' ? `${minutes} 分钟（工作时间）` : `${minutes} 分钟`;
  const hours = String(Math.round(minutes / 6) / 10);
  return kind === 'work' ? `${hours} 个工作小时` : `${hours} 小时`;
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

/** "所属需求" as a card shows it. */
export function requestField(item: Pick<ItemRow, 'parentId'>): Array<{ label: string; value: string }> {
  return item.parentId === null ? [] : [{ label: '所属需求', value: itemRef(item.parentId) }];
}
