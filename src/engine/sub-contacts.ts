// 子对接人: `/对接 #N @X role:子 duty:<职责> [方:@总对接人]` puts X under one side's 总对接人. X
// confirms the duty on a card of their own (only X's click counts) or objects with a reason;
// until then the request's clock waits on X (the side's response clock: 对接确认, 1 WD).

import { roleFull } from '../commands/limits.ts';
import type { Command } from '../commands/types.ts';
import type { Card, CardButton } from '../domain/card.ts';
import { MAIN_ROLES, type SubLink, mains, pickSide, subLinks } from '../domain/sides.ts';
import type { ItemRow } from '../db/repo.ts';
import type { ActInput, Outcome } from './act.ts';
import { REASON_INPUT } from './cards.ts';
import { clockDeadline } from './clocks.ts';
import { type Ctx, nowMs, postCard, record, reply, say } from './context.ts';
import { at, fmtTime, itemRef } from './format.ts';
import { clockPatch, sideRefusal } from './side-common.ts';

export const SUB_ACTIONS: ReadonlySet<string> = new Set(['sub_confirm', 'sub_object']);

const ENDED = new Set(['closed', 'cancelled']);

export function subCardKey(itemId: number, userId: string): string {
  return `item:${itemId}:sub:${userId}`;
}

export function addSubContact(ctx: Ctx, item: ItemRow, cmd: Extract<Command, { name: 'contact' }>): void {
  const user = cmd.user.id;
  const people = ctx.repo.people(item.id);
  const links = subLinks(item.data);
  if (people.some((p) => MAIN_ROLES.has(p.role) && p.userId === user)) {
    return reply(ctx, `❌ ${at(user)} 已是一方的对接人（总对接人），不能同时是子对接人。`, item.id);
  }
  const pick = pickSide(people, links, { named: cmd.side?.id, user, actor: ctx.actor.id, outside: true });
  if (!pick.ok) return reply(ctx, sideRefusal(item, people, pick, `/对接 #${item.id} ${at(user)} role:子 方:${at(mains(people)[0]!)} duty:<职责>`), item.id);
  if (pick.main === null) return reply(ctx, `❌ 需求 ${itemRef(item.id)} 还没有总对接人：子对接人归属一方，请先发送 /对接 #${item.id} @某人 指定总对接人。`, item.id);
  const existing = people.find((p) => p.role === 'sub' && p.userId === user);
  const duty = cmd.duty ?? existing?.duty ?? undefined;
  if (!duty) return reply(ctx, `❌ 子对接人要写明职责：/对接 #${item.id} ${at(user)} role:子 duty:<职责>`, item.id);
  if (existing && existing.duty === duty && links[user]?.side === pick.main) {
    return reply(ctx, `${at(user)} 已是 ${at(pick.main)} 一方的子对接人，职责「${duty}」未变。`, item.id);
  }
  const subs = people.filter((p) => p.role === 'sub');
  const full = existing ? undefined : roleFull(subs.length, ctx.config.limits, '子对接人', 'sub-contacts');
  if (full) return reply(ctx, `❌ ${full}`, item.id);
  const t = nowMs(ctx);
  // A new or changed duty is confirmed again, on the side's response clock from now.
  ctx.repo.addPerson(item.id, user, 'sub', t, duty, 'pending');
  if (existing) ctx.repo.setPersonStatus(item.id, user, 'sub', 'pending', t);
  links[user] = { side: pick.main, dueAt: clockDeadline(ctx, 'confirm').getTime(), v: item.version + 1 };
  const data = { ...item.data, subs: links };
  if (!ctx.repo.updateItem(item.id, item.version, { data, ...clockPatch(ctx, item, data) }, t)) return reply(ctx, '已处理：请重试。', item.id);
  const saved = ctx.repo.getItem(item.id)!;
  record(ctx, saved, 'contact', item.state, item.state, { user, role: 'sub', side: pick.main, duty });
  postCard(ctx, saved, subCardKey(item.id, user), subCard(ctx, saved, user), true, user);
  const tz = ctx.config.calendar.timezone;
  say(
    ctx,
    `👥 需求 ${itemRef(item.id)} ${existing ? '调整' : '新增'}子对接人 ${at(user)}（${at(pick.main)} 一方），职责：${duty}。请 ${at(user)} 在 ${fmtTime(links[user]!.dueAt, tz)} 前在卡片上确认分工。`,
    item.id,
  );
}

/** The sub-contact's own card: the duty, and 确认分工 / 提出异议 for them alone. */
export function subCard(ctx: Ctx, item: ItemRow, user: string): Card {
  const tz = ctx.config.calendar.timezone;
  const row = ctx.repo.people(item.id).find((p) => p.role === 'sub' && p.userId === user);
  const link: SubLink | undefined = subLinks(item.data)[user];
  const title = `【分工确认】${itemRef(item.id, item.seqNo)} ${item.title}`;
  if (!row || !link) {
    return { header: { title, color: 'grey', tag: '已变更' }, fields: [{ label: '子对接人', value: at(user) }], markdown: [`${at(user)} 已不是本需求的子对接人，本卡片无需再操作。`], buttons: [], mentions: [], summary: title };
  }
  const buttons: CardButton[] = [];
  let md: string;
  const status = row.status;
  if (status === 'confirmed') md = `✅ ${at(user)} 已确认分工。`;
  else {
    md = status === 'objected' ? `⚠️ ${at(user)} 已提出异议：${link.objection ?? ''}\n分工调整后请重新确认。` : `请 ${at(user)} 在 ${fmtTime(link.dueAt, tz)} 前确认分工，或提出异议（需写明原因）。`;
    if (!ENDED.has(item.state)) {
      const base = { itemId: item.id, version: item.version, for: user };
      buttons.push({ label: '确认分工', style: 'primary', action: 'sub_confirm', ...base });
      if (status !== 'objected') buttons.push({ label: '提出异议', style: 'danger', action: 'sub_object', ...base, inputs: [REASON_INPUT] });
    } else md = '该需求已结束。';
  }
  return {
    header: { title, color: status === 'confirmed' ? 'green' : status === 'objected' ? 'red' : 'orange', tag: status === 'confirmed' ? '已确认' : status === 'objected' ? '有异议' : '待确认' },
    fields: [
      { label: '所属方总对接人', value: at(link.side) },
      { label: '子对接人', value: at(user) },
      { label: '职责', value: row.duty ?? '' },
      { label: '确认时限', value: fmtTime(link.dueAt, tz) },
    ],
    markdown: [md],
    buttons,
    mentions: [{ id: user, name: user }],
    summary: `需求 ${itemRef(item.id, item.seqNo)} 子对接人分工待确认`,
  };
}

/** A click on a sub-contact's card: only that person; an objection needs a reason. */
export function subCardAction(ctx: Ctx, item: ItemRow, input: ActInput): Outcome {
  const me = ctx.actor.id;
  if (input.forUser && input.forUser !== me) return { ok: false, message: `⛔ 该按钮仅限 ${at(input.forUser)} 操作，您的点击未生效。` };
  const ref = itemRef(item.id, item.seqNo);
  const links = subLinks(item.data);
  const link = links[me];
  const row = ctx.repo.people(item.id).find((p) => p.role === 'sub' && p.userId === me);
  if (!row || !link) return { ok: false, stale: true, message: `已处理：您已不是需求 ${ref} 的子对接人。` };
  if (ENDED.has(item.state)) return { ok: false, stale: true, message: `需求 ${ref} 已结束，无需再确认分工。` };
  if (input.cardVersion !== undefined && input.cardVersion < link.v) return { ok: false, stale: true, message: `已处理：分工已调整，请按最新的卡片确认。` };
  const confirm = input.action === 'sub_confirm';
  if (confirm && row.status === 'confirmed') return { ok: false, stale: true, message: `已处理：您已确认需求 ${ref} 的分工，无需重复。` };
  const reason = input.reason?.trim();
  if (!confirm && !reason) return { ok: false, message: '提出异议需要说明：请填写原因。' };
  const t = nowMs(ctx);
  ctx.repo.setPersonStatus(item.id, me, 'sub', confirm ? 'confirmed' : 'objected', t, reason);
  links[me] = confirm ? { side: link.side, dueAt: link.dueAt, v: link.v } : { ...link, objection: reason };
  const data = { ...item.data, subs: links };
  if (!ctx.repo.updateItem(item.id, item.version, { data, ...clockPatch(ctx, item, data) }, t)) {
    return { ok: false, stale: true, message: `已处理：需求 ${ref} 刚刚已被他人修改，请重试。` };
  }
  const saved = ctx.repo.getItem(item.id)!;
  record(ctx, saved, input.action, item.state, item.state, { duty: row.duty, side: link.side, reason });
  postCard(ctx, saved, subCardKey(item.id, me), subCard(ctx, saved, me), true, me);
  if (confirm) say(ctx, `✅ ${at(link.side)} 需求 ${ref}：子对接人 ${at(me)} 已确认分工「${row.duty ?? ''}」。`, item.id);
  else {
    say(
      ctx,
      `⚠️ ${at(link.side)} ${at(item.initiatorId)} 需求 ${ref}：子对接人 ${at(me)} 对分工「${row.duty ?? ''}」提出异议：${reason}。调整后请发送 /对接 #${item.id} ${at(me)} role:子 duty:<新的职责>`,
      item.id,
    );
  }
  return { ok: true, item: saved, toast: confirm ? '已确认分工。' : '已提出异议。' };
}

/** The sub-contacts' cards at the request's current version: all, or those of the side of `main`. */
export function refreshSubCards(ctx: Ctx, item: ItemRow, main?: string): void {
  const links = subLinks(item.data);
  for (const p of ctx.repo.people(item.id)) {
    const link = links[p.userId];
    if (p.role === 'sub' && link && (main === undefined || link.side === main)) postCard(ctx, item, subCardKey(item.id, p.userId), subCard(ctx, item, p.userId), true, p.userId);
  }
}
