// `/对接` on a request's sides (see domain/sides.ts): add a side with its 总对接人, replace a
// side's 总对接人 (`role:总`), and change an outside side's contact (客户/供应商/合作方对接人; the
// customer's needs a reason). Sub-contacts are in sub-contacts.ts.

import { roleFull } from '../commands/limits.ts';
import type { Command } from '../commands/types.ts';
import type { Card } from '../domain/card.ts';
import { MAIN_ROLES, mains, pickSide, subLinks } from '../domain/sides.ts';
import type { ItemRow } from '../db/repo.ts';
import { confirmCardKey } from './cards.ts';
import { type Ctx, nowMs, postCard, record, reply, say } from './context.ts';
import { at, ats, itemRef } from './format.ts';
import { roleKey } from './processes.ts';
import { clockPatch, sideRefusal } from './side-common.ts';
import { holderText } from './stage-cards.ts';
import { refreshSubCards } from './sub-contacts.ts';

type ContactCmd = Extract<Command, { name: 'contact' }>;

const WAITING = new Set(['pending', 'objected']);

/** No role given: C becomes the 总对接人 of a side of their own (or only their duty changes). */
export function addSide(ctx: Ctx, item: ItemRow, cmd: ContactCmd): void {
  const people = ctx.repo.people(item.id);
  const t = nowMs(ctx);
  const waiting = WAITING.has(item.state);
  const inRole = people.filter((p) => p.role === 'contact');
  if (people.some((p) => p.role === 'sub' && p.userId === cmd.user.id)) {
    return reply(ctx, `❌ ${at(cmd.user.id)} 已是子对接人。升任该方总对接人请发送 /对接 #${item.id} ${at(cmd.user.id)} role:总`, item.id);
  }
  const full = inRole.some((p) => p.userId === cmd.user.id) ? undefined : roleFull(inRole.length, ctx.config.limits, '对接人', 'contacts');
  if (full) return reply(ctx, `❌ ${full}`, item.id);
  // A main contact joining while confirmations are open must confirm too; later ones are informed.
  ctx.repo.addPerson(item.id, cmd.user.id, 'contact', t, cmd.duty, waiting ? 'pending' : 'confirmed');
  if (!ctx.repo.updateItem(item.id, item.version, {}, t)) return reply(ctx, '已处理：请重试。', item.id);
  const saved = ctx.repo.getItem(item.id)!;
  record(ctx, saved, 'contact', item.state, item.state, { user: cmd.user.id, role: 'contact', duty: cmd.duty });
  say(ctx, `👥 需求 ${itemRef(item.id)} 新增总对接人 ${at(cmd.user.id)}${cmd.duty ? `，职责：${cmd.duty}` : ''}。`, item.id);
}

/** `role:总`: C replaces the 总对接人 of one side; the one replaced leaves the side. */
export function replaceMain(ctx: Ctx, item: ItemRow, cmd: ContactCmd): void {
  const people = ctx.repo.people(item.id);
  const links = subLinks(item.data);
  const user = cmd.user.id;
  const pick = pickSide(people, links, { named: cmd.side?.id, user, actor: ctx.actor.id });
  if (!pick.ok) return reply(ctx, sideRefusal(item, people, pick, `/对接 #${item.id} ${at(user)} role:总 方:${at(mains(people)[0]!)}`), item.id);
  if (pick.main === null || pick.main === user) return addSide(ctx, item, cmd);
  if (people.some((p) => p.role !== 'contact' && p.role !== 'sub' && MAIN_ROLES.has(p.role) && p.userId === user)) {
    return reply(ctx, `❌ ${at(user)} 已是外部一方的对接人，不能同时担任内部一方的总对接人。`, item.id);
  }
  const old = pick.main;
  const before = people.find((p) => p.role === 'contact' && p.userId === old)!;
  const t = nowMs(ctx);
  const waiting = WAITING.has(item.state);
  const duty = cmd.duty ?? before.duty ?? undefined;
  ctx.repo.removePerson(item.id, old, 'contact');
  ctx.repo.removePerson(item.id, user, 'sub');
  ctx.repo.addPerson(item.id, user, 'contact', t, duty, waiting ? 'pending' : 'confirmed');
  // The side's sub-contacts now report to its new 总对接人.
  delete links[user];
  for (const [id, l] of Object.entries(links)) if (l.side === old) links[id] = { ...l, side: user };
  const data = { ...item.data, subs: links };
  if (!ctx.repo.updateItem(item.id, item.version, { data, ...clockPatch(ctx, item, data) }, t)) return reply(ctx, '已处理：请重试。', item.id);
  const saved = ctx.repo.getItem(item.id)!;
  record(ctx, saved, 'contact', item.state, item.state, { user, role: 'contact', replaced: old, duty, reason: cmd.reason });
  postCard(ctx, saved, confirmCardKey(item.id, old), replacedCard(saved, old, user), true);
  refreshSubCards(ctx, saved, user);
  say(
    ctx,
    `🔁 需求 ${itemRef(item.id)} 总对接人由 ${at(old)} 更换为 ${at(user)}${duty ? `，职责：${duty}` : ''}${cmd.reason ? `，原因：${cmd.reason}` : ''}。` +
      `${at(old)} 不再担任总对接人（如仍需参与，可发送 /对接 #${item.id} ${at(old)} role:子 duty:<职责>）。` +
      (waiting ? `请 ${at(user)} 在卡片上确认对接。` : `${at(user)} 请知悉。`),
    item.id,
  );
}

/** The card of a 总对接人 who was replaced: nothing left to click. */
function replacedCard(item: ItemRow, old: string, by: string): Card {
  return {
    header: { title: `【需求确认】${itemRef(item.id, item.seqNo)} ${item.title}`, color: 'grey', tag: '已更换' },
    fields: [{ label: '对接人', value: at(old) }],
    markdown: [`总对接人已由 ${at(by)} 接任，本卡片无需再操作。`],
    buttons: [],
    mentions: [],
    summary: `需求 ${itemRef(item.id, item.seqNo)} 总对接人已更换`,
  };
}

export interface OutsideRole {
  id: string;
  label: string;
}

/**
 * An outside side (客户/供应商/合作方) has one contact: naming another replaces them. Changing the
 * customer's contact needs a reason, which the audit keeps, and the group is told who the customer
 * now deals with (the colleagues who stand in for the outsider are @-mentioned).
 */
export function setOutsideContact(ctx: Ctx, item: ItemRow, cmd: ContactCmd, role: OutsideRole): void {
  const key = roleKey(role.id);
  const user = cmd.user.id;
  const people = ctx.repo.people(item.id);
  const others = { ...((item.data.outsiders as Record<string, string> | undefined) ?? {}) };
  const holders = people.filter((p) => p.role === key);
  const prev = holders.find((p) => p.userId !== user)?.userId;
  // Naming the same colleague again without 外部: keeps the outsider they stand in for.
  const sameOutsider = cmd.external === undefined || others[`${role.id}:${user}`] === cmd.external;
  const changes = prev !== undefined || (holders.length > 0 && !sameOutsider);
  const was = prev ?? (changes ? user : undefined);
  const wasText = was ? holderText(item, role.id, was) : '';
  if (changes && role.id === 'customer' && !cmd.reason) {
    return reply(ctx, `❌ 更换客户对接人需要写明原因（当前：${wasText}）：/对接 #${item.id} ${at(user)} role:${role.label}${cmd.external ? ` 外部:${cmd.external}` : ''} 原因:<原因>`, item.id);
  }
  if (people.some((p) => p.role === 'contact' && p.userId === user)) {
    return reply(ctx, `❌ ${at(user)} 已是内部一方的总对接人，不能同时担任${role.label}。`, item.id);
  }
  const t = nowMs(ctx);
  for (const h of holders) {
    if (h.userId === user) continue;
    ctx.repo.removePerson(item.id, h.userId, key);
    delete others[`${role.id}:${h.userId}`];
  }
  ctx.repo.addPerson(item.id, user, key, t, cmd.duty, 'confirmed');
  if (cmd.external) others[`${role.id}:${user}`] = cmd.external;
  const links = subLinks(item.data);
  if (prev) for (const [id, l] of Object.entries(links)) if (l.side === prev) links[id] = { ...l, side: user };
  if (!ctx.repo.updateItem(item.id, item.version, { data: { ...item.data, outsiders: others, subs: links } }, t)) return reply(ctx, '已处理：请重试。', item.id);
  const saved = ctx.repo.getItem(item.id)!;
  if (prev) refreshSubCards(ctx, saved, user);
  const nowText = holderText(saved, role.id, user);
  record(ctx, saved, 'role', item.state, item.state, {
    user,
    role: role.id,
    duty: cmd.duty,
    external: cmd.external,
    ...(changes ? { replaced: was, replacedText: wasText, reason: cmd.reason } : {}),
  });
  if (!changes) return say(ctx, `👥 需求 ${itemRef(item.id)} 指定${role.label} ${nowText}${cmd.duty ? `，职责：${cmd.duty}` : ''}。`, item.id);
  const party = typeof item.data.counterparty === 'string' && item.data.counterparty ? item.data.counterparty : '对方';
  const tell = [...new Set([was!, user])];
  say(
    ctx,
    `🔁 需求 ${itemRef(item.id)} ${role.label}由 ${wasText} 更换为 ${nowText}${cmd.reason ? `，原因：${cmd.reason}` : ''}。` +
      `请 ${ats(tell)} 告知${party}：此后由 ${nowText} 对接。`,
    item.id,
  );
}
