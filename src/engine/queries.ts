// Read-only commands: /show (an item with its whole history), /list, /report.

import { collabItems, reachable, visibleIn } from './links.ts';
import { attachedSections } from './attached.ts';
import { deadlineOwners, waitingOn } from '../scheduler/lines.ts';
import { nextDeadlinesSection, openProblemsSection, overdueSection } from './weekly-lists.ts';
import { pauseLines } from './pause.ts';
import { delayLines } from './delay.ts';
import { milestoneLines } from './milestone.ts';
import type { ListFilter } from '../commands/types.ts';
import type { Card, CardChart } from '../domain/card.ts';
import type { Config } from '../config/schema.ts';
import type { WorkCalendar } from '../domain/calendar.ts';
import type { ItemRow, Repo } from '../db/repo.ts';
import { ACTION_LABEL, KIND_LABEL, stateLabel } from '../i18n/zh-CN.ts';
import { statusCard } from './cards.ts';
import { type Ctx, nowMs, reply, say } from './context.ts';
import { at, fmtTime, itemRef, rowTitle } from './format.ts';
import { TREND_WEEKS, compliance, complianceLines, slaLabeller, trend, trendChart } from './sla.ts';
import { stageCardParts, typeStageBadge } from './stage.ts';

const DAY = 86_400_000;

export function showItem(ctx: Ctx, id: number): void {
  const item = ctx.repo.getItem(id);
  if (!reachable(ctx, item)) {
    reply(ctx, `找不到事项 #${id}（只能查看本群的事项）。`);
    return;
  }
  const tz = ctx.config.calendar.timezone;
  const lines = ctx.repo.history(id).map((h) => {
    const move = h.fromState !== h.toState && h.toState ? `【${h.fromState ? stateLabel(h.fromState) + ' → ' : ''}${stateLabel(h.toState)}】` : '';
    const d = h.detail as Record<string, unknown>;
    const extra = [
      typeof d.reason === 'string' ? `原因：${d.reason}` : '',
      typeof d.text === 'string' ? `内容：${d.text}` : '',
      typeof d.pct === 'number' ? `进度：${d.pct}%` : '',
      typeof d.risk === 'string' ? `风险：${d.risk}` : '',
      typeof d.evidence === 'string' ? `证据：${d.evidence}` : '',
      typeof d.newDue === 'number' ? `新期限：${fmtTime(d.newDue, tz)}` : '',
      typeof d.to === 'number' ? `改为：${fmtTime(d.to, tz)}` : '',
      typeof d.asked === 'number' ? `申请改为：${fmtTime(d.asked, tz)}` : '',
      typeof d.delayReason === 'string' ? `延期原因：${d.delayReason}` : '',
      typeof d.plan === 'string' ? `计划：${d.plan}` : '',
      // A retrospective's three parts (协作复盘报告).
      typeof d.good === 'string' ? `做得好：${d.good}` : '',
      typeof d.bad === 'string' ? `不足：${d.bad}` : '',
      typeof d.improve === 'string' ? `改进：${d.improve}` : '',
    ]
      .filter(Boolean)
      .join('；');
    return `- ${fmtTime(h.at, tz)} ${at(h.actorId)} ${ACTION_LABEL[h.action] ?? h.action}${move}${extra ? ' ' + extra : ''}`;
  });
  const card = statusCard(item, ctx.repo.people(id), tz, lines);
  const pauses = pauseLines(item, tz);
  if (pauses.length) card.markdown.push('**回复时限暂停**\n' + pauses.join('\n'));
  const delays = delayLines(item, tz);
  if (delays.length) card.markdown.push('**延期说明**\n' + delays.join('\n'));
  const milestones = milestoneLines(ctx, item);
  if (milestones.length) card.markdown.push('**里程碑**\n' + milestones.join('\n'));
  card.header.title = `【${KIND_LABEL[item.kind] ?? item.kind}】${card.header.title}`;
  const stages = stageCardParts(ctx, item);
  card.fields.push(...stages.fields);
  // The records filed under a request come before its (long) history, so a clipped card keeps them.
  if (item.kind === 'request') card.markdown.unshift(...attachedSections(ctx.repo.childItems(id).filter((i) => visibleIn(ctx.repo, ctx.chatId, i)), tz));
  card.markdown.unshift(...stages.markdown);
  ctx.repo.enqueue(
    {
      platform: ctx.platform,
      chatId: ctx.chatId,
      body: { type: 'card', card, cardKey: `show:${id}:${nowMs(ctx)}:${ctx.messageId ?? ''}` },
      replyTo: ctx.messageId,
    },
    nowMs(ctx),
    id,
  );
}

export const OPEN_STATES: ReadonlySet<string> = new Set(['pending', 'objected', 'active', 'review', 'rework', 'todo', 'doing', 'waiting', 'info', 'open', 'working', 'verify']);

export function isOpen(item: ItemRow): boolean {
  return OPEN_STATES.has(item.state);
}

/** Overdue: open and past its deadline, or waiting on someone past the response clock. */
export function isOverdue(item: ItemRow, now: number): boolean {
  return isOpen(item) && ((item.dueAt !== null && item.dueAt < now) || (item.clockAt !== null && item.clockAt < now));
}

function involves(repo: Repo, item: ItemRow, userId: string): boolean {
  return item.initiatorId === userId || item.ownerId === userId || repo.people(item.id).some((p) => p.userId === userId);
}

/** One row of a list: number, kind and state, title, owner, deadline, overdue mark. */
function listLine(config: Config, i: ItemRow, now: number): string {
  const tz = config.calendar.timezone;
  const who = i.ownerId && i.kind !== 'request' ? ` ${at(i.ownerId)}` : '';
  const late = isOverdue(i, now) ? ' ⏰逾期' : '';
  const when = isOpen(i) && (i.dueAt ?? i.clockAt) !== null ? ` 截止 ${fmtTime(i.dueAt ?? i.clockAt, tz)}` : '';
  return `- ${itemRef(i.id, i.seqNo)} 【${KIND_LABEL[i.kind] ?? i.kind}·${stateLabel(i.state)}】${typeStageBadge(config, i)}${rowTitle(i.title)}${who}${when}${late}`;
}

/**
 * A person's open items across their groups (`chatIds`, most recent first), under each group's
 * name — what the bot menu's 我的待办 shows in the private chat.
 */
export function myTodoText(ctx: Pick<Ctx, 'repo' | 'config' | 'now'>, userId: string, chatIds: readonly string[]): string {
  const now = ctx.now.getTime();
  const seen = new Set<number>();
  const sections: string[] = [];
  let total = 0;
  for (const chatId of chatIds) {
    const mine = collabItems({ repo: ctx.repo, chatId }).filter((i) => i.kind !== 'note' && !seen.has(i.id) && isOpen(i) && involves(ctx.repo, i, userId));
    if (!mine.length) continue;
    for (const i of mine) seen.add(i.id);
    total += mine.length;
    const chat = ctx.repo.getChat(chatId);
    sections.push(`**${chat?.project ?? chat?.name ?? chatId}**\n${mine.slice(-LIST_ROWS).map((i) => listLine(ctx.config, i, now)).join('\n')}`);
  }
  return total ? `📋 我的待办（${total}）\n${sections.join('\n')}` : '📋 我的待办：暂无。';
}

/** A list shows the newest rows; all of them are in the export. */
const LIST_ROWS = 50;

export function listItems(ctx: Ctx, filter: ListFilter): void {
  const now = nowMs(ctx);
  const all = collabItems(ctx).filter((i) => i.kind !== 'note');
  const picked = all.filter((i) =>
    filter === 'all' ? true : filter === 'open' ? isOpen(i) : filter === 'overdue' ? isOverdue(i, now) : isOpen(i) && involves(ctx.repo, i, ctx.actor.id),
  );
  const title = { all: '全部事项', open: '未完成事项', overdue: '已逾期事项', mine: '我的待办' }[filter];
  const lines = picked.slice(-LIST_ROWS).map((i) => listLine(ctx.config, i, now));
  if (picked.length > LIST_ROWS) lines.unshift(`…另有 ${picked.length - LIST_ROWS} 项较早的未显示，发送 /归档 导出全部`);
  const text = lines.length ? `📋 ${title}（${picked.length}）\n${lines.join('\n')}` : `📋 ${title}：暂无。`;
  // One's own to-do list is one's own: only the asker sees it where the platform allows.
  if (filter === 'mine') say(ctx, text, undefined, ctx.messageId, false, ctx.actor.id);
  else reply(ctx, text);
}

/** The weekly progress digest of a chat; undefined when the chat has nothing open. */
export function weeklyReportCard(repo: Repo, calendar: WorkCalendar, config: Config, chatId: string, when: Date): Card | undefined {
  const items = repo.listItems(chatId);
  if (!items.some(isOpen)) return undefined;
  return weeklyReport(repo, calendar, config, chatId, when, items);
}

function weeklyReport(repo: Repo, calendar: WorkCalendar, config: Config, chatId: string, when: Date, items: ItemRow[]): Card {
  const tz = config.calendar.timezone;
  const badge = (i: ItemRow) => typeStageBadge(config, i);
  const now = when.getTime();
  const md: string[] = [];
  for (const r of items.filter((i) => i.kind === 'request')) {
    const tasks = items.filter((i) => i.kind === 'task' && i.parentId === r.id);
    const done = tasks.filter((t) => t.state === 'done').length;
    md.push(`**${itemRef(r.id, r.seqNo)} ${rowTitle(r.title)}** 【${stateLabel(r.state)}】${badge(r)} 任务 ${done}/${tasks.length} 完成，截止 ${fmtTime(r.dueAt, tz)}`);
  }
  const problems = items.filter((i) => i.kind === 'issue' && isOpen(i));
  const bySev = (s: string) => problems.filter((p) => (p.data.severity ?? 'normal') === s).length;
  md.push(`**未关闭问题** 紧急 ${bySev('critical')} · 重要 ${bySev('major')} · 一般 ${bySev('normal')}`);
  // Before the long lists, so a card clipped to its size limit still shows it.
  const sla = slaSection(repo, calendar, config, chatId, when);
  md.push(sla.markdown);
  const overdue = items.filter((i) => isOverdue(i, now));
  const lists = [
    overdueSection(overdue, now, tz, { deadline: (i) => deadlineOwners(repo, i), clock: (i) => waitingOn(repo, i) }),
    openProblemsSection(problems, now, tz),
    nextDeadlinesSection(items.filter(isOpen), now, tz),
  ];
  for (const l of lists) if (l) md.push(l);
  const chat = repo.getChat(chatId);
  return {
    ...(sla.chart ? { charts: [sla.chart] } : {}),
    header: { title: `【周报】${chat?.project ?? chat?.name ?? ''} 协作进展`, color: overdue.length ? 'orange' : 'blue', tag: calendar.localDay(when) },
    fields: [
      { label: '需求', value: String(items.filter((i) => i.kind === 'request').length) },
      { label: '进行中任务', value: String(items.filter((i) => i.kind === 'task' && isOpen(i)).length) },
      { label: '未关闭问题', value: String(problems.length) },
      { label: '逾期事项', value: String(overdue.length) },
    ],
    markdown: md,
    buttons: [],
    mentions: [],
    summary: '协作周报',
    more: '/归档',
  };
}

export function postReport(ctx: Ctx): void {
  ctx.repo.enqueue(
    {
      platform: ctx.platform,
      chatId: ctx.chatId,
      body: { type: 'card', card: weeklyReport(ctx.repo, ctx.calendar, ctx.config, ctx.chatId, ctx.now, collabItems(ctx)), cardKey: `report:${ctx.chatId}:${nowMs(ctx)}` }, replyTo: ctx.messageId },
    nowMs(ctx),
  );
}

/** The chat's SLA compliance of the last 7 days, and its weekly trend as a chart. */
function slaSection(repo: Repo, calendar: WorkCalendar, config: Config, chatId: string, when: Date): { markdown: string; chart?: CardChart } {
  const now = when.getTime();
  const week = compliance(repo, config, calendar, new Date(now - 7 * DAY), when, when, chatId);
  const lines = week.total.met + week.total.breached ? complianceLines(week, slaLabeller(repo, config, week), ['total', 'person', 'type']) : ['- 近 7 天没有到期的响应时限'];
  const weeks = compliance(repo, config, calendar, new Date(now - TREND_WEEKS * 7 * DAY), when, when, chatId);
  const points = trend(weeks, calendar, when);
  const chart = points.some((p) => p.met + p.breached > 0) ? trendChart(points) : undefined;
  return { markdown: `**SLA 达标（近 7 天，按各时限自己的计时）**\n${lines.join('\n')}`, ...(chart ? { chart } : {}) };
}
