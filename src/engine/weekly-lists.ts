// The lists of the weekly digest (/周报): open problems with owner, severity and age; overdue
// items with owner and how late; the next deadlines with owner. Names and dates, not counts.

import type { Severity } from '../commands/types.ts';
import type { ItemRow } from '../db/repo.ts';
import { KIND_LABEL } from '../i18n/zh-CN.ts';
import { at, ats, fmtTime, itemRef, rowTitle } from './format.ts';
import { SEVERITY_LABEL } from './issue.ts';

const HOUR = 3_600_000;
const DAY = 24 * HOUR;
const SEVERITY_RANK: Record<Severity, number> = { critical: 0, major: 1, normal: 2 };
/** When nothing falls due within the week, the digest still names the nearest ones. */
const NEAREST = 3;

/** A span as a digest says it: "3 天", "5 小时", "20 分钟". */
export function span(ms: number): string {
  if (ms >= DAY) return `${Math.floor(ms / DAY)} 天`;
  if (ms >= HOUR) return `${Math.floor(ms / HOUR)} 小时`;
  return `${Math.max(1, Math.floor(ms / 60_000))} 分钟`;
}

function owner(i: ItemRow): string {
  return i.ownerId ? at(i.ownerId) : at(i.initiatorId);
}

function request(i: ItemRow): string {
  return i.parentId !== null ? `（#${i.parentId}）` : '';
}

/** Open problems, the most severe and then the oldest first. */
export function openProblemsSection(problems: readonly ItemRow[], now: number, tz: string): string | undefined {
  if (problems.length === 0) return undefined;
  const sev = (p: ItemRow) => ((p.data.severity as Severity | undefined) ?? 'normal');
  const rows = [...problems].sort((a, b) => SEVERITY_RANK[sev(a)] - SEVERITY_RANK[sev(b)] || a.createdAt - b.createdAt);
  return (
    '**未关闭问题明细**\n' +
    rows
      .map((p) => `- ${itemRef(p.id)} 【${SEVERITY_LABEL[sev(p)]}】${rowTitle(p.title)}${request(p)} 责任人 ${owner(p)}，提出至今 ${span(now - p.createdAt)}，计划解决 ${fmtTime(p.dueAt, tz)}`)
      .join('\n')
  );
}

/** Who is late on an item: the deadline's owners, or whoever owes the answer on its response clock. */
export interface LateParty {
  deadline(i: ItemRow): string[];
  clock(i: ItemRow): string[];
}

/** What is late: past its deadline, or past the response clock of whoever owes the answer. */
export function overdueSection(overdue: readonly ItemRow[], now: number, tz: string, late: LateParty): string | undefined {
  if (overdue.length === 0) return undefined;
  const missed = (i: ItemRow) =>
    i.dueAt !== null && i.dueAt < now ? { at: i.dueAt, what: '截止', who: late.deadline(i) } : { at: i.clockAt!, what: '响应时限', who: late.clock(i) };
  const rows = [...overdue].sort((a, b) => missed(a).at - missed(b).at);
  return (
    '**已逾期**\n' +
    rows
      .map((i) => {
        const m = missed(i);
        return `- ${itemRef(i.id)} ${KIND_LABEL[i.kind] ?? i.kind}「${rowTitle(i.title)}」${request(i)} ${ats(m.who.length ? m.who : [i.initiatorId])} ${m.what} ${fmtTime(m.at, tz)}，已逾期 ${span(now - m.at)}`;
      })
      .join('\n')
  );
}

/** Deadlines of the coming week; when there are none, the nearest few after it. */
export function nextDeadlinesSection(open: readonly ItemRow[], now: number, tz: string): string | undefined {
  const ahead = open.filter((i) => i.dueAt !== null && i.dueAt >= now).sort((a, b) => a.dueAt! - b.dueAt!);
  const week = ahead.filter((i) => i.dueAt! <= now + 7 * DAY);
  const rows = week.length ? week : ahead.slice(0, NEAREST);
  if (rows.length === 0) return undefined;
  return (
    `**${week.length ? '未来 7 天截止' : '接下来的截止'}**\n` +
    rows.map((i) => `- ${fmtTime(i.dueAt, tz)} ${itemRef(i.id)} ${KIND_LABEL[i.kind] ?? i.kind}「${rowTitle(i.title)}」${request(i)} ${owner(i)}`).join('\n')
  );
}
