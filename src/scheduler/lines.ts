// One reminder line per item: who is pinged (by @mention), about what, and how late.
// `rank` orders rules when several fire for one item in one tick (the most pressing is sent).

import type { WorkCalendar } from '../domain/calendar.ts';
import { type ReminderRules, type Rule, clockKindOf, escalationStep, followUp } from '../domain/reminders.ts';
import { elapsed } from '../domain/working-time.ts';
import type { ItemBrief, PersonBrief } from '../db/repo.ts';
import { fmtSpan, fmtTime, ats, itemRef, rowTitle } from '../engine/format.ts';
import { MINUTES_CONFIRMERS } from '../domain/item.machines.ts';
import { KIND_LABEL } from '../i18n/zh-CN.ts';
import { milestoneLine } from './milestone-lines.ts';
import { escalationText } from './escalation.ts';

/**
 * Where lines read an item's people and its request: the Repo, or the tick's batch (one query
 * for all the items and people of the reminders that fire together).
 */
export interface ItemLookup {
  getItem(id: number): ItemBrief | undefined;
  people(itemId: number): PersonBrief[];
  /** The leader of the item's request, else of its group (escalation's last step). */
  leader(item: ItemBrief): string | undefined;
}

export const RANK: Record<Rule, number> = { digest: 0, monthly: 0, nudge: 1, 'due-soon': 2, milestone: 3, announce: 3, 'due-today': 4, headsup: 5, overdue: 6, ping: 7, stage: 7 };

/** Who owes the response on the item's clock, per kind and state. */
export function waitingOn(repo: Pick<ItemLookup, 'people'>, item: ItemBrief): string[] {
  const people = repo.people(item.id);
  const pick = (role: string, pendingOnly = true) =>
    people.filter((p) => p.role === role && (!pendingOnly || (p.status !== 'confirmed' && p.status !== 'answered'))).map((p) => p.userId);
  switch (`${item.kind}:${item.state}`) {
    case 'request:pending':
    case 'request:objected':
      return [...pick('contact'), ...pick('sub')];
    case 'request:active':
    case 'request:rework':
      return pick('sub');
    case 'minutes:pending':
      return people.filter((p) => MINUTES_CONFIRMERS.has(p.role) && p.status !== 'confirmed').map((p) => p.userId);
    case 'ask:waiting':
      return pick('asked');
    case 'issue:open':
      return item.ownerId ? [item.ownerId] : [];
    default:
      // Reviews and verifications wait on whoever raised or assigned the item.
      return [item.initiatorId];
  }
}

/** Who owns the deadline. */
export function deadlineOwners(repo: Pick<ItemLookup, 'people'>, item: ItemBrief): string[] {
  if (item.kind === 'request') {
    const contacts = repo.people(item.id).filter((p) => p.role === 'contact').map((p) => p.userId);
    return contacts.length ? contacts : [item.initiatorId];
  }
  return item.ownerId ? [item.ownerId] : [item.initiatorId];
}

const OWED: Record<string, string> = {
  'request:pending': '确认对接',
  'request:objected': '确认对接',
  'request:review': '验收',
  'request:active': '确认分工',
  'request:rework': '确认分工',
  'task:review': '验收',
  'ask:waiting': '回复',
  'issue:open': '响应处理',
  'issue:verify': '验证',
  'minutes:pending': '确认纪要',
  'request:closed': '复盘',
};

export function reminderLine(
  repo: ItemLookup,
  item: ItemBrief,
  rule: Rule,
  round: number,
  rules: ReminderRules,
  now: Date,
  tz: string,
  cal: WorkCalendar,
): { rank: number; text: string } | undefined {
  if (item.kind === 'milestone') {
    const text = rule === 'milestone' || rule === 'announce' ? milestoneLine(repo, item, rule, tz) : undefined;
    return text ? { rank: RANK[rule], text } : undefined;
  }
  const what = `${KIND_LABEL[item.kind] ?? item.kind} ${itemRef(item.id, item.seqNo)}「${rowTitle(item.title)}」`;
  const tag = item.urgent ? '【紧急】' : '';
  const owed = OWED[`${item.kind}:${item.state}`] ?? '处理';
  // Time left and lateness are counted the way the item's clock counts (working or wall time).
  const kind = clockKindOf(item, rules);
  const sinceBreach = item.clockAt === null ? 0 : elapsed(cal, kind, new Date(item.clockAt), now);
  let text: string;
  switch (rule) {
    case 'headsup':
      text = `- ⏳ ${ats(waitingOn(repo, item))} ${tag}${what} 还剩 ${fmtSpan(kind, -sinceBreach)}，请在 ${fmtTime(item.clockAt, tz)} 前${owed}`;
      break;
    case 'ping': {
      const late = sinceBreach >= 60_000 ? fmtSpan(kind, sinceBreach) : '';
      const step = escalationStep(rule, round, rules);
      if (step > 0) {
        const who = waitingOn(repo, item);
        const { head, tail } = escalationText(repo, item, { step, asked: who, since: item.clockAt, times: round - 1 }, tz);
        text = `- ${head}${ats(who)} 未${owed} ${tag}${what}（时限 ${fmtTime(item.clockAt, tz)}${late ? `，已超时 ${late}` : ''}），${tail}`;
      } else {
        // A reminder names a time, never a vague "soon": the next ping, or that this is the last one.
        const next = followUp(item, { rule, round, fireAt: now }, cal, rules, now);
        const ask = next ? `请在 ${fmtTime(next.fireAt, tz)} 下次提醒前${owed}` : `这是最后一次提醒，请今天${owed}`;
        text = `- ⏰ ${ats(waitingOn(repo, item))} ${tag}${what} 已超过${owed}时限 ${fmtTime(item.clockAt, tz)}${late ? `（已超时 ${late}）` : ''}，${ask}`;
      }
      break;
    }
    case 'due-soon':
      text = `- 📅 ${ats(deadlineOwners(repo, item))} ${tag}${what} 将于 ${fmtTime(item.dueAt, tz)} 截止（还剩 ${rules.deadlineDaysBefore} 个工作日）`;
      break;
    case 'due-today':
      text = `- 📅 ${ats(deadlineOwners(repo, item))} ${tag}${what} 今天 ${fmtTime(item.dueAt, tz).slice(11, 16)} 截止`;
      break;
    case 'overdue': {
      // A missed deadline climbs the same chain as a missed response clock.
      const step = escalationStep(rule, round, rules);
      const owners = deadlineOwners(repo, item);
      if (step > 0) {
        const { head, tail } = escalationText(repo, item, { step, asked: owners, since: item.dueAt, times: round - 1 }, tz);
        text = `- ${head}${ats(owners)} ${tag}${what} 已逾期（截止 ${fmtTime(item.dueAt, tz)}），${tail}`;
      } else {
        text = `- 🔴 ${ats(owners)} ${tag}${what} 已逾期（截止 ${fmtTime(item.dueAt, tz)}）${round > 1 ? `，第 ${round} 次提醒` : ''}`;
      }
      break;
    }
    case 'milestone': {
      const parent = item.parentId ? repo.getItem(item.parentId) : undefined;
      text = `- 🏁 ${ats(deadlineOwners(repo, item))} ${what} 的阶段成果请今天提交：里程碑 ${parent ? `需求 ${itemRef(parent.id, parent.seqNo)}` : ''} 于 ${fmtTime(parent?.dueAt, tz)} 截止`;
      break;
    }
    case 'nudge':
      text = `- 📝 ${ats(item.ownerId ? [item.ownerId] : [])} ${what} 今天还没有更新进度，请下班前发送 /进度 #${item.id} xx%`;
      break;
    default:
      return undefined;
  }
  return { rank: RANK[rule], text };
}
