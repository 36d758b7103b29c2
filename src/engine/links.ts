// One collaboration across linked groups: linking with a one-time code, unlinking, who is in
// which group, what a group may see, and where a card for a person goes. An internal group and
// the partner's group (on the same platform or the other one) share their requests and records;
// a group linked as 外部 sees only what faces the partner, and internal records never reach it.

import { randomInt } from 'node:crypto';
import type { PlatformName, UserRef } from '../domain/chat.ts';
import type { LinkedChat } from '../db/links.ts';
import type { ItemRow, Repo } from '../db/repo.ts';
import { type Ctx, nowMs, reply } from './context.ts';
import { at, fmtTime } from './format.ts';
import { groupLeader } from './leaders.ts';

/** How long a link code works, and its alphabet (no 0/O or 1/I to misread). */
export const LINK_CODE_MS = 30 * 60_000;
const ALPHABET = '23456789ABCDEFGHJKLMNPQRSTUVWXYZ';
const PLATFORM_LABEL: Record<string, string> = { feishu: '飞书', dingtalk: '钉钉', sandbox: '沙盒' };

export function platformLabel(platform: string): string {
  return PLATFORM_LABEL[platform] ?? platform;
}

function chatLabel(c: Pick<LinkedChat, 'name' | 'platform' | 'external'>): string {
  return `「${c.name ?? '未命名群'}」（${platformLabel(c.platform)}${c.external ? '·外部' : ''}）`;
}

/** The ids of every group in the collaboration of `chatId` (just itself when unlinked). */
export function collabChats(repo: Repo, chatId: string): string[] {
  return repo.links.groupOf(chatId).map((c) => c.id);
}

/** Whether `userId` has been seen in the group `chatId`. */
function isMember(repo: Repo, chatId: string, userId: string): boolean {
  return repo.links.chatsOf(userId, [chatId]).length > 0;
}

/**
 * Whether the group `chatId` may see `item`. A group that is not external sees the whole
 * collaboration. An external one sees what faces the partner: the requests (status and stage),
 * what was raised in it, and questions and tasks addressed to its people — never a record marked
 * 内部, and no other problem, note or minutes.
 */
export function visibleIn(repo: Repo, chatId: string, item: ItemRow): boolean {
  if (!repo.links.isExternal(chatId)) return true;
  if (item.data.internal === true) return false;
  if (item.chatId === chatId) return true;
  switch (item.kind) {
    case 'request':
      return true;
    case 'ask':
      return repo.people(item.id).some((p) => p.role === 'asked' && isMember(repo, chatId, p.userId));
    case 'task': {
      // A to-do of an internal note or minutes is internal too.
      const parent = item.parentId === null ? undefined : repo.getItem(item.parentId);
      if (parent && parent.kind !== 'request' && parent.data.internal === true) return false;
      return item.ownerId !== null && isMember(repo, chatId, item.ownerId);
    }
    default:
      return false;
  }
}

/** The item `#id` as the group of `ctx` may see and act on it: in its collaboration and visible there. */
export function reachable(ctx: Pick<Ctx, 'repo' | 'chatId'>, item: ItemRow | undefined): item is ItemRow {
  if (!item) return false;
  if (item.chatId === ctx.chatId) return true;
  return collabChats(ctx.repo, ctx.chatId).includes(item.chatId) && visibleIn(ctx.repo, ctx.chatId, item);
}

/** The items of `kind` in `states` that the collaboration raised and `ctx`'s group may see (not all its items). */
export function collabItemsIn(ctx: Pick<Ctx, 'repo' | 'chatId'>, kind: string, states: Iterable<string>): ItemRow[] {
  const chats = collabChats(ctx.repo, ctx.chatId);
  const found = ctx.repo.itemsInStates(chats, kind, [...states]);
  return chats.length === 1 ? found : found.filter((i) => visibleIn(ctx.repo, ctx.chatId, i));
}

/** The items every group of the collaboration raised that `ctx`'s group may see. */
export function collabItems(ctx: Pick<Ctx, 'repo' | 'chatId'>): ItemRow[] {
  const chats = collabChats(ctx.repo, ctx.chatId);
  const all = ctx.repo.listItemsIn(chats);
  return chats.length === 1 ? all : all.filter((i) => visibleIn(ctx.repo, ctx.chatId, i));
}

/**
 * The group a card or reminder for `userId` about `item` goes to: the item's own group unless
 * the person is only in another group of the collaboration (seen there, else on its platform).
 */
export function chatFor(repo: Repo, item: Pick<ItemRow, 'id' | 'chatId' | 'platform'>, userId: string): { chatId: string; platform: PlatformName } {
  const own = { chatId: item.chatId, platform: item.platform as PlatformName };
  const group = repo.links.groupOf(item.chatId);
  if (group.length === 1) return own;
  const seen = repo.links.chatsOf(userId, group.map((c) => c.id));
  if (seen.includes(item.chatId)) return own;
  const platform = userId.split(':')[0] ?? '';
  const target = group.find((c) => c.id === seen[0]) ?? (platform === item.platform ? undefined : group.find((c) => c.platform === platform));
  if (!target) return own;
  // What an external group may not see never goes there, whoever it is for.
  if (target.external) {
    const full = repo.getItem(item.id);
    if (!full || !visibleIn(repo, target.id, full)) return own;
  }
  return { chatId: target.id, platform: target.platform as PlatformName };
}

function newCode(): string {
  return Array.from({ length: 6 }, () => ALPHABET[randomInt(ALPHABET.length)]).join('');
}

/** `/关联`: a one-time code for another group to link with this one's collaboration. */
export function offerLink(ctx: Ctx): void {
  const t = nowMs(ctx);
  const code = newCode();
  ctx.repo.links.addCode(code, ctx.chatId, ctx.actor.id, t + LINK_CODE_MS);
  const tz = ctx.config.calendar.timezone;
  reply(
    ctx,
    `🔗 关联码：${code}（${fmtTime(t + LINK_CODE_MS, tz)} 前有效，只能用一次）\n` +
      `在要关联的群（飞书或钉钉）里发送：/关联 ${code}\n客户、供应商或合作方的群请发送：/关联 ${code} 外部（对方只看到对外的内容）`,
  );
}

const CODE_REFUSED = { unknown: '关联码不存在，请核对或在对方群里重新发送 /关联', used: '该关联码已被使用（每个关联码只能用一次），请在对方群里重新发送 /关联', expired: '该关联码已过期（30 分钟内有效），请在对方群里重新发送 /关联' } as const;

/** `/关联 <code> [外部]`: links this group into the collaboration of the code's group. */
export function acceptLink(ctx: Ctx, code: string, external: boolean): void {
  const { links } = ctx.repo;
  if (links.homeOf(ctx.chatId) !== ctx.chatId || links.hasLinked(ctx.chatId)) {
    return reply(ctx, '❌ 本群已经关联了其他群：请先发送 /取消关联，再用新的关联码。');
  }
  const t = nowMs(ctx);
  const use = links.useCode(code, t, ctx.chatId);
  if (!use.ok) return reply(ctx, `❌ ${CODE_REFUSED[use.why]}。`);
  const home = links.homeOf(use.chatId);
  if (home === ctx.chatId) return reply(ctx, '❌ 这是本群自己的关联码：请在另一个群里发送 /关联 <关联码>。');
  links.link(ctx.chatId, home, external, ctx.actor.id, t);
  const here = links.groupOf(ctx.chatId).find((c) => c.id === ctx.chatId)!;
  const homeChat = links.groupOf(home)[0]!;
  const detail = { code, home, chat: ctx.chatId, platform: ctx.platform, external, by: ctx.actor.id };
  links.audit(home, t, ctx.actor.id, 'link', detail);
  links.audit(ctx.chatId, t, ctx.actor.id, 'link', detail);
  reply(ctx, `✅ 本群已关联到 ${chatLabel(homeChat)}${external ? '，作为外部群：只看到需求进度、待验收的成果、问本群成员的问题和进度报告' : ''}。#编号 在各群指同一事项；发送 /成员 查看各群成员。`);
  sayIn(ctx, homeChat, `🔗 ${at(ctx.actor.id)} 把 ${chatLabel(here)} 关联到本协作${external ? '（外部群：内部记录、内部问题和内部任务不会出现在那里）' : ''}。`);
}

/** `/取消关联`: this group leaves its collaboration, or (in the home group) every linked group leaves. */
export function removeLink(ctx: Ctx): void {
  const { links } = ctx.repo;
  const group = links.groupOf(ctx.chatId);
  if (group.length === 1) return reply(ctx, '本群没有关联其他群。');
  const home = group[0]!;
  const leaving = home.id === ctx.chatId ? group.slice(1) : group.filter((c) => c.id === ctx.chatId);
  const leader = groupLeader(ctx.repo, ctx.chatId) ?? groupLeader(ctx.repo, home.id);
  const allowed = ctx.actor.id === leader || leaving.every((c) => c.linkedBy === ctx.actor.id);
  if (!allowed) {
    const who = [...new Set([leader, ...leaving.map((c) => c.linkedBy)].filter((x): x is string => Boolean(x)))];
    return reply(ctx, `⛔ 无权操作：只有本群负责人或发起关联的人（${who.map(at).join(' ')}）可以取消关联。`);
  }
  const t = nowMs(ctx);
  for (const c of leaving) {
    links.unlink(c.id);
    const detail = { home: home.id, chat: c.id, platform: c.platform, by: ctx.actor.id };
    links.audit(home.id, t, ctx.actor.id, 'unlink', detail);
    links.audit(c.id, t, ctx.actor.id, 'unlink', detail);
    if (c.id !== ctx.chatId) sayIn(ctx, c, `🔗 ${at(ctx.actor.id)} 取消了本群与 ${chatLabel(home)} 的关联：之后本群只看到本群的事项。`);
  }
  if (home.id !== ctx.chatId) sayIn(ctx, home, `🔗 ${at(ctx.actor.id)} 取消了 ${chatLabel(leaving[0]!)} 与本协作的关联。`);
  reply(ctx, `✅ 已取消关联：${leaving.map(chatLabel).join('、')}${home.id === ctx.chatId ? '' : ` 与 ${chatLabel(home)}`}。`);
}

/** `/成员`: everyone seen in each group of the collaboration, by group. */
export function listMembers(ctx: Ctx): void {
  const group = ctx.repo.links.groupOf(ctx.chatId);
  const members = ctx.repo.links.members(group.map((c) => c.id));
  const lines = group.map((c) => {
    const names = members.filter((m) => m.chatId === c.id).map((m) => m.name);
    return `${chatLabel(c)}${c.id === ctx.chatId ? '（本群）' : ''}：${names.length ? names.join('、') : '（还没有人发言）'}`;
  });
  reply(ctx, `👥 成员（${group.length} 个群）\n${lines.join('\n')}`);
}

/**
 * Resolves an @name typed as text among the collaboration's members: one person, or the
 * candidates when several share the name (`@名字/群名` or `@名字/钉钉` picks one).
 */
export function resolveTypedName(repo: Repo, chatId: string, platform: string, typed: string): UserRef | { candidates: string[] } | undefined {
  const group = repo.links.groupOf(chatId);
  if (group.length === 1) return repo.findUserByName(typed, platform);
  const slash = typed.lastIndexOf('/');
  const name = slash > 0 ? typed.slice(0, slash) : typed;
  const qualifier = slash > 0 ? typed.slice(slash + 1) : '';
  const members = repo.links.members(group.map((c) => c.id)).filter((m) => m.name === name);
  const byUser = new Map<string, { userId: string; name: string; chats: LinkedChat[] }>();
  for (const m of members) {
    const c = group.find((g) => g.id === m.chatId)!;
    const e = byUser.get(m.userId) ?? { userId: m.userId, name: m.name, chats: [] };
    e.chats.push(c);
    byUser.set(m.userId, e);
  }
  let found = [...byUser.values()];
  if (qualifier) found = found.filter((e) => e.chats.some((c) => platformLabel(c.platform) === qualifier || c.platform === qualifier || (c.name ?? '').includes(qualifier)));
  if (found.length === 1) return { id: found[0]!.userId, name: found[0]!.name };
  if (found.length > 1) return { candidates: found.map((e) => `${e.name}（${e.chats.map(chatLabel).join('、')}）`) };
  return qualifier ? undefined : repo.findUserByName(name, platform);
}

/** Posts a text in another group of the collaboration. */
function sayIn(ctx: Ctx, chat: Pick<LinkedChat, 'id' | 'platform'>, text: string): void {
  const ids = [...new Set([...text.matchAll(/<@([^<>\s]+)>/g)].map((m) => m[1]!))];
  const names = ctx.repo.userNames(ids);
  ctx.repo.enqueue(
    { platform: chat.platform as PlatformName, chatId: chat.id, body: { type: 'text', text, mentions: ids.map((id) => ({ id, name: names.get(id) ?? id })) } },
    nowMs(ctx),
  );
}
