// The monthly summary (月报) of one group: the month's requests opened and closed, its SLA
// compliance, the problems still open, next month's deadlines, and the month's archive behind a
// signed link. The scheduler posts it on the month's last working day (see scheduler.ts).

import type { Config } from '../config/schema.ts';
import type { WorkCalendar } from '../domain/calendar.ts';
import type { Card } from '../domain/card.ts';
import { monthSpan, nextMonth } from '../domain/month.ts';
import type { ItemRow, Repo } from '../db/repo.ts';
import { monthStem } from '../export/archive.ts';
import { projectName } from '../export/snapshot.ts';
import { stateLabel } from '../i18n/zh-CN.ts';
import { at, ats, fmtTime, itemRef, rowTitle } from './format.ts';
import { SEVERITY_LABEL } from './issue.ts';
import { groupLeader } from './leaders.ts';
import { isOpen } from './queries.ts';
import { compliance, complianceLines, slaLabeller } from './sla.ts';

const DAY = 86_400_000;
/** The summary's archive link works this many days (the card stays in the group longer than a /归档 reply is read). */
export const MONTHLY_LINK_DAYS = 7;
/** Rows per list on the card; the archive has them all. */
const LIST_ROWS = 20;

export interface MonthlyOptions {
  /** The signed download URL of the month's archive (none: the card says how to get one). */
  archiveUrl?: string;
  /** How long that link works, as the card says it ("7 天"). */
  linkValidFor?: string;
  /**
   * Who the summary is copied to (抄送): the group's leader, from `monthlyMentions(...)`.
   */
  mention: readonly string[];
}

/** Who the month's summary mentions (抄送上级领导): the group's leader set with /设置 负责人:. */
export function monthlyMentions(repo: Repo, chatId: string): string[] {
  const leader = groupLeader(repo, chatId);
  return leader ? [leader] : [];
}

/** The archive file name of a chat's month: 部门-月份-主题 (技术部-2026-11-双十一大促). */
export function monthlyArchiveName(repo: Repo, chatId: string, month: string, format = 'xlsx'): string {
  const chat = repo.getChat(chatId);
  return `${monthStem({ chat, project: projectName(chat) }, month)}.${format}`;
}

/** When a request was closed within [from, to), from its audit trail. */
function closedIn(repo: Repo, r: ItemRow, from: number, to: number): boolean {
  return repo.history(r.id).some((h) => h.toState === 'closed' && h.fromState !== 'closed' && h.at >= from && h.at < to);
}

/**
 * The summary card of `month` ('YYYY-MM') as of `now`; undefined when the group had nothing that
 * month and nothing is open.
 */
export function monthlySummaryCard(repo: Repo, calendar: WorkCalendar, config: Config, chatId: string, month: string, now: Date, opts: MonthlyOptions): Card | undefined {
  const tz = config.calendar.timezone;
  const { from, to } = monthSpan(calendar, month);
  const [f, t, n] = [from.getTime(), to.getTime(), now.getTime()];
  const items = repo.listItems(chatId);
  const requests = items.filter((i) => i.kind === 'request');
  const opened = requests.filter((r) => r.createdAt >= f && r.createdAt < t);
  const closed = requests.filter((r) => closedIn(repo, r, f, t));
  const problems = items.filter((i) => i.kind === 'issue' && isOpen(i));
  const next = monthSpan(calendar, nextMonth(month));
  const deadlines = items
    .filter((i) => isOpen(i) && i.dueAt !== null && i.dueAt >= next.from.getTime() && i.dueAt < next.to.getTime())
    .sort((a, b) => a.dueAt! - b.dueAt! || a.id - b.id);
  const active = items.some((i) => i.createdAt >= f && i.createdAt < t) || closed.length > 0;
  if (!active && !items.some(isOpen)) return undefined;

  const sla = compliance(repo, config, calendar, from, new Date(Math.min(n, t)), now, chatId);
  const list = (rows: ItemRow[], line: (i: ItemRow) => string) => {
    const shown = rows.slice(0, LIST_ROWS).map(line);
    return rows.length > LIST_ROWS ? [...shown, `- …另有 ${rows.length - LIST_ROWS} 项，见本月归档`] : shown;
  };
  const req = (r: ItemRow) => `- ${itemRef(r.id, r.seqNo)} ${rowTitle(r.title)}【${stateLabel(r.state)}】`;
  const md: string[] = [];
  if (opts.mention.length) md.push(`抄送：${ats(opts.mention)}`);
  md.push(`**需求** 本月新建 ${opened.length} · 本月关闭 ${closed.length}`);
  // The archive and the SLA come before the long lists, so a card clipped to its platform's size
  // limit keeps them. The URL is on a line of its own: every platform links a bare URL, and no
  // label hides where it goes.
  const file = monthlyArchiveName(repo, chatId, month);
  md.push(
    opts.archiveUrl
      ? `**本月归档** ${file}（链接 ${opts.linkValidFor ?? '24 小时'}内有效）\n${opts.archiveUrl}`
      : `**本月归档** ${file}：发送 /归档 获取本群归档`,
  );
  const slaLines = sla.total.met + sla.total.breached ? complianceLines(sla, slaLabeller(repo, config, sla), ['total', 'person', 'type']) : ['- 本月没有到期的响应时限'];
  md.push(`**SLA 达标（本月，按各时限自己的计时）**\n${slaLines.join('\n')}`);
  md.push(
    problems.length
      ? '**未关闭问题**\n' +
          list(problems, (p) => {
            const sev = SEVERITY_LABEL[(p.data.severity as keyof typeof SEVERITY_LABEL | undefined) ?? 'normal'] ?? '一般';
            const age = Math.max(0, Math.floor((n - p.createdAt) / DAY));
            return `- ${itemRef(p.id)} ${rowTitle(p.title)}【${sev}】${p.ownerId ? at(p.ownerId) : ''} 已开 ${age} 天${p.dueAt ? `，计划 ${fmtTime(p.dueAt, tz)} 前解决` : ''}`;
          }).join('\n')
      : '**未关闭问题** 无',
  );
  if (deadlines.length) {
    md.push(`**下月截止（${nextMonth(month)}）**\n` + list(deadlines, (i) => `- ${fmtTime(i.dueAt, tz)} ${itemRef(i.id, i.seqNo)} ${rowTitle(i.title)} ${i.ownerId ? at(i.ownerId) : ''}`.trimEnd()).join('\n'));
  } else {
    md.push(`**下月截止（${nextMonth(month)}）** 无`);
  }
  if (opened.length) md.push('**本月新建**\n' + list(opened, req).join('\n'));
  if (closed.length) md.push('**本月关闭**\n' + list(closed, req).join('\n'));
  const chat = repo.getChat(chatId);
  return {
    header: { title: `【月报】${projectName(chat)} ${month} 协作月报`, color: sla.total.breached ? 'orange' : 'blue', tag: month },
    fields: [
      { label: '本月新建需求', value: String(opened.length) },
      { label: '本月关闭需求', value: String(closed.length) },
      { label: 'SLA 按时 / 超时', value: `${sla.total.met} / ${sla.total.breached}` },
      { label: '未关闭问题', value: String(problems.length) },
      { label: '下月截止', value: String(deadlines.length) },
    ],
    markdown: md,
    buttons: [],
    mentions: opts.mention.map((id) => ({ id, name: id })),
    summary: `${month} 协作月报`,
    more: '/归档',
  };
}
