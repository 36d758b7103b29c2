// Changes with a record: /due (deadline), /assign (owner), /contact (request contacts),
// /retro (retrospective) and /setup (bind the group to a project). Each writes an audit row
// and tells the people affected.

import type { Command } from '../commands/types.ts';
import type { ItemRow } from '../db/repo.ts';
import { KIND_LABEL } from '../i18n/zh-CN.ts';
import type { KindSpec } from './act.ts';
import { askSpec } from './ask.ts';
import { type Ctx, nowMs, record, reply, say } from './context.ts';
import { at, ats, fmtTime, itemRef } from './format.ts';
import { issueSpec } from './issue.ts';
import { minutesSpec } from './minutes.ts';
import { requestSpec } from './request.ts';
import { taskSpec } from './task.ts';

const SPECS: Record<string, KindSpec> = { request: requestSpec, task: taskSpec, ask: askSpec, issue: issueSpec, minutes: minutesSpec };

/** The item's cards re-rendered at its new version, so their buttons are not refused as stale. */
function refreshCards(ctx: Ctx, id: number): void {
  const saved = ctx.repo.getItem(id);
  if (saved) SPECS[saved.kind]?.refresh(ctx, saved);
}
import { assignRole, refreshRequestCard } from './stage.ts';
import { mayChangeContacts } from './side-common.ts';
import { addSide, replaceMain } from './sides.ts';
import { addSubContact } from './sub-contacts.ts';

type Cmd<N extends Command['name']> = Extract<Command, { name: N }>;

/** Who may change an item's deadline or owner: whoever raised or assigned it. */
function mayManage(ctx: Ctx, item: ItemRow): boolean {
  return item.initiatorId === ctx.actor.id;
}

const TERMINAL = new Set(['closed', 'cancelled', 'done', 'accepted', 'answered', 'confirmed', 'logged']);

/** Everyone a changed date or owner concerns (owner, helpers, contacts, the initiator), but the actor. */
export function affected(ctx: Ctx, item: ItemRow): string[] {
  const ids = new Set<string>([item.initiatorId]);
  if (item.ownerId) ids.add(item.ownerId);
  for (const p of ctx.repo.people(item.id)) ids.add(p.userId);
  ids.delete(ctx.actor.id);
  return [...ids];
}

export function changeDue(ctx: Ctx, item: ItemRow, cmd: Cmd<'due'>): void {
  const name = KIND_LABEL[item.kind] ?? item.kind;
  if (!mayManage(ctx, item)) return reply(ctx, `⛔ 无权操作：只有发起人 ${at(item.initiatorId)} 可以改期${name} ${itemRef(item.id)}。`, item.id);
  if (TERMINAL.has(item.state)) return reply(ctx, `${name} ${itemRef(item.id)} 已结束，不能改期。`, item.id);
  const tz = ctx.config.calendar.timezone;
  const from = item.dueAt;
  if (!ctx.repo.updateItem(item.id, item.version, { dueAt: cmd.due.getTime() }, nowMs(ctx))) {
    return reply(ctx, `已处理：${name} ${itemRef(item.id)} 刚刚已被他人修改，请重试。`, item.id);
  }
  record(ctx, ctx.repo.getItem(item.id)!, 'due', item.state, item.state, { from, to: cmd.due.getTime(), reason: cmd.reason });
  refreshCards(ctx, item.id);
  say(ctx, `📅 ${name} ${itemRef(item.id)} 截止时间由 ${fmtTime(from, tz)} 改为 ${fmtTime(cmd.due, tz)}，原因：${cmd.reason}。${ats(affected(ctx, item))}`, item.id);
}

export function changeOwner(ctx: Ctx, item: ItemRow, cmd: Cmd<'assign'>): void {
  const name = KIND_LABEL[item.kind] ?? item.kind;
  if (!['task', 'issue', 'ask'].includes(item.kind)) return reply(ctx, `${name} 没有单一责任人，请用 /对接 调整对接人。`, item.id);
  if (!mayManage(ctx, item) && item.ownerId !== ctx.actor.id) {
    return reply(ctx, `⛔ 无权操作：只有发起人或当前责任人可以转交${name} ${itemRef(item.id)}。`, item.id);
  }
  if (TERMINAL.has(item.state)) return reply(ctx, `${name} ${itemRef(item.id)} 已结束，不能转交。`, item.id);
  const from = item.ownerId;
  const t = nowMs(ctx);
  if (!ctx.repo.updateItem(item.id, item.version, { ownerId: cmd.to.id }, t)) {
    return reply(ctx, `已处理：${name} ${itemRef(item.id)} 刚刚已被他人修改，请重试。`, item.id);
  }
  const role = item.kind === 'ask' ? 'asked' : 'owner';
  if (from) ctx.repo.removePerson(item.id, from, role);
  ctx.repo.addPerson(item.id, cmd.to.id, role, t, undefined, item.kind === 'ask' ? 'pending' : 'confirmed');
  record(ctx, ctx.repo.getItem(item.id)!, 'assign', item.state, item.state, { from, to: cmd.to.id, reason: cmd.reason });
  refreshCards(ctx, item.id);
  say(ctx, `🔁 ${name} ${itemRef(item.id)} 已由 ${from ? at(from) : '—'} 转交给 ${at(cmd.to.id)}${cmd.reason ? `，原因：${cmd.reason}` : ''}。`, item.id);
}

export function changeContact(ctx: Ctx, item: ItemRow, cmd: Cmd<'contact'>): void {
  if (item.kind !== 'request') return reply(ctx, `#${item.id} 不是需求，只有需求有对接人。`, item.id);
  if (!mayChangeContacts(ctx, item, ctx.repo.people(item.id))) return reply(ctx, `⛔ 无权操作：只有发起人或对接人可以调整对接信息。`, item.id);
  if (TERMINAL.has(item.state)) return reply(ctx, `需求 ${itemRef(item.id)} 已结束，不能调整对接人。`, item.id);
  if (cmd.processRole) assignRole(ctx, item, cmd);
  else if (cmd.role === 'sub') addSubContact(ctx, item, cmd);
  else if (cmd.replace) replaceMain(ctx, item, cmd);
  else addSide(ctx, item, cmd);
  // Every card at the new version, once something changed; a new contact's is sent as a new card.
  const saved = ctx.repo.getItem(item.id);
  if (saved && saved.version !== item.version) {
    refreshCards(ctx, item.id);
    // A role's holder is shown by assignRole itself.
    if (!cmd.processRole) refreshRequestCard(ctx, saved);
  }
}

export function addRetro(ctx: Ctx, item: ItemRow, cmd: Cmd<'retro'>): void {
  if (item.kind !== 'request') return reply(ctx, `#${item.id} 不是需求，复盘针对已完成的需求。`, item.id);
  if (!['accepted', 'closed'].includes(item.state)) return reply(ctx, `需求 ${itemRef(item.id)} 尚未完成（验收后再复盘）。`, item.id);
  const involved = item.initiatorId === ctx.actor.id || ctx.repo.people(item.id).some((p) => p.userId === ctx.actor.id);
  if (!involved) return reply(ctx, '⛔ 无权操作：只有发起人或对接人可以填写复盘。', item.id);
  const retro = { good: cmd.good ?? null, bad: cmd.bad ?? null, improve: cmd.improve ?? null, by: ctx.actor.id, at: nowMs(ctx) };
  const retros = [...((item.data.retros as unknown[] | undefined) ?? []), retro];
  // The retrospective is what a closed request's clock waited for.
  const clock = item.state === 'closed' ? { clockAt: null } : {};
  if (!ctx.repo.updateItem(item.id, item.version, { data: { ...item.data, retro, retros }, ...clock }, nowMs(ctx))) {
    return reply(ctx, '已处理：请重试。', item.id);
  }
  record(ctx, ctx.repo.getItem(item.id)!, 'retro', item.state, item.state, retro);
  refreshCards(ctx, item.id);
  reply(ctx, `📝 已记录需求 ${itemRef(item.id)} 的复盘。做得好：${cmd.good ?? '—'}；不足：${cmd.bad ?? '—'}；改进：${cmd.improve ?? '—'}`, item.id);
}
