// What a command or card handler gets: the repo, the time, who acts, where, and helpers that
// write audit and outbox rows inside the current transaction.

import type { Config } from '../config/schema.ts';
import type { Card } from '../domain/card.ts';
import { type PlatformName, type UserRef, splitMentions } from '../domain/chat.ts';
import type { WorkCalendar } from '../domain/calendar.ts';
import type { ItemRow, Repo } from '../db/repo.ts';
import { showCommand } from './format.ts';
import { chatFor } from './links.ts';
import { VERSION_KEY } from './stale.ts';

export interface Ctx {
  repo: Repo;
  config: Config;
  calendar: WorkCalendar;
  now: Date;
  platform: PlatformName;
  chatId: string;
  actor: UserRef;
  /** Platform message id of the command, for threaded replies. */
  messageId?: string;
}

export function nowMs(ctx: Ctx): number {
  return ctx.now.getTime();
}

/** Replies in the chat (threaded to the command message when there is one). */
export function reply(ctx: Ctx, text: string, itemId?: number): void {
  // Refusals and errors concern the person who typed the command only.
  say(ctx, text, itemId, ctx.messageId, false, REFUSAL.test(text) ? ctx.actor.id : undefined);
}

/** A reply that refuses or corrects: it starts with ❌ or ⛔. */
const REFUSAL = /^[❌⛔]/u;

/** Posts text in the chat; `<@id>` tokens in the text become real mentions. */
export function say(ctx: Ctx, text: string, itemId?: number, replyTo?: string, urgent = false, onlyFor?: string): void {
  const ids = [...new Set(splitMentions(text).flatMap((s) => ('userId' in s ? [s.userId] : [])))];
  const names = ctx.repo.userNames(ids);
  ctx.repo.enqueue(
    {
      platform: ctx.platform,
      chatId: ctx.chatId,
      body: { type: 'text', text, mentions: ids.map((id) => ({ id, name: names.get(id) ?? id })), ...(itemId ? { more: showCommand(itemId) } : {}), ...(onlyFor ? { onlyFor } : {}) },
      replyTo,
      urgent,
    },
    nowMs(ctx),
    itemId,
  );
}

/**
 * Posts (or updates) an item's card. `to`: the person who must act on it — in linked groups the
 * card goes to the group where they are (the same group every time, so updates find it).
 */
export function postCard(ctx: Ctx, item: ItemRow, cardKey: string, card: Card, update = false, to?: string): void {
  const where = to ? chatFor(ctx.repo, item, to) : { platform: item.platform as PlatformName, chatId: item.chatId };
  ctx.repo.enqueue(
    { platform: where.platform, chatId: where.chatId, body: { type: 'card', card, cardKey, update }, urgent: item.urgent },
    nowMs(ctx),
    item.id,
  );
}

export function record(
  ctx: Ctx,
  item: ItemRow,
  action: string,
  from: string | null,
  to: string | null,
  detail: Record<string, unknown> = {},
): void {
  // `item` is the row as this change saved it: its version and clock go with the audit row (stale
  // cards are judged by the version, compliance reports by each clock's deadline).
  const clock = item.clockAt === null ? {} : { clockAt: item.clockAt };
  ctx.repo.addAudit({ itemId: item.id, at: nowMs(ctx), actorId: ctx.actor.id, action, fromState: from, toState: to, detail: { ...detail, ...clock, [VERSION_KEY]: item.version } });
}
