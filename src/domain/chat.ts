// The neutral chat model: what every platform adapter turns its wire format into (inbound)
// and renders from (outbound). Nothing here knows Feishu or DingTalk exist.
//
// Ids are platform-qualified strings ("feishu:ou_123", "dingtalk:cid…", "sandbox:alice") so
// that users and chats of different platforms never collide.

import type { Card } from './card.ts';

export type PlatformName = 'sandbox' | 'feishu' | 'dingtalk';

export interface UserRef {
  /** Platform-qualified user id, e.g. "feishu:ou_abc". */
  id: string;
  name: string;
}

/**
 * A group message addressed to the bot.
 * `text` has the bot's own mention removed and every other mention replaced by a `<@userId>`
 * token (see `mentionToken`), so the command parser never sees a platform's mention syntax.
 */
export interface InboundMessage {
  platform: PlatformName;
  /** Platform-qualified chat id. */
  chatId: string;
  chatName?: string;
  /** Platform message id (unqualified), used for replies and thread references. */
  messageId: string;
  sender: UserRef;
  text: string;
  mentions: UserRef[];
  /** Whether the bot itself was @mentioned (group messages without it may be ignored). */
  mentionedBot: boolean;
  /** Platform message id of the message this one replies to (thread parent), if any. */
  replyTo?: string;
  /** Platform message id of the thread root, if any. */
  threadRoot?: string;
  /** The message is not on the platform (a submitted form): replies are new messages. */
  noReply?: boolean;
  receivedAt: Date;
}

/**
 * A click on the bot's menu. `chatId` when it came from a group; a Feishu menu click names no
 * chat, and is answered in the person's private chat with the bot.
 */
export interface MenuEvent {
  platform: PlatformName;
  chatId?: string;
  actor: UserRef;
  /** The menu item's event key as set in the developer console. */
  key: string;
  /** The platform's event id: a redelivered event acts once. */
  eventId: string;
  receivedAt: Date;
}

/** A click on a card button (possibly with form values such as a reason). */
export interface CardAction {
  platform: PlatformName;
  chatId: string;
  actor: UserRef;
  itemId: number;
  action: string;
  /** Item version the card was rendered from; a stale version resolves to "已处理". */
  version?: number;
  /** The user the clicked button was meant for, when the card names one. */
  for?: string;
  form: Record<string, string>;
  /** Platform message id of the card that was clicked. */
  cardMessageId?: string;
  /**
   * What identifies this very callback on its platform (a resent or replayed callback has the
   * same key): once one with this key has acted, the same key is answered as done, not applied.
   */
  replayKey?: string;
  /**
   * A platform that delivers one click more than once under different ids (Feishu) asks for the
   * same person's same click within this many ms of it taking effect to be answered with its
   * success, on whichever instance it lands; otherwise a repeat is "已处理".
   */
  repeatWindowMs?: number;
  receivedAt: Date;
}

/** Text with mentions: the text contains `<@userId>` tokens, each listed in `mentions`. */
export interface TextMessage {
  type: 'text';
  text: string;
  mentions: UserRef[];
  /** The command that shows the full content, should a platform have to clip this text. */
  more?: string;
  /** Shown only to this person where the platform can (Feishu: 仅对你可见); elsewhere to the group. */
  onlyFor?: string;
}

export interface CardMessage {
  type: 'card';
  card: Card;
  /**
   * Stable key of this card ("item:12:confirm"). A later message with the same key and
   * `update: true` replaces the card in place.
   */
  cardKey: string;
  update?: boolean;
  /** Shown only to this person where the platform can; elsewhere to the group. */
  onlyFor?: string;
}

export type OutboundBody = TextMessage | CardMessage;

/** An outbound message as stored in the outbox and handed to a platform. */
export interface Outbound {
  platform: PlatformName;
  chatId: string;
  body: OutboundBody;
  /** Platform message id to reply to (in thread), when answering a specific message. */
  replyTo?: string;
  /** Urgent messages bypass quiet hours and carry 【紧急】. */
  urgent?: boolean;
}

const TOKEN = /<@([^<>\s]+)>/g;

export function mentionToken(userId: string): string {
  return `<@${userId}>`;
}

/**
 * Put between `<` and `@` of what a person typed: it reads the same, but is never a mention
 * token, and the parsers never start an `@name` after it.
 */
export const DEFUSED = '\u200b';

/** Text a person typed, with every `<@…>` broken, before an adapter puts in the real mentions. */
export function defuseTokens(text: string): string {
  return text.replace(/<(?=@)/g, `<${DEFUSED}`);
}

/** Keeps the tokens of people the platform listed as mentioned; any other token becomes text. */
export function trustTokens(text: string, mentions: readonly UserRef[]): string {
  const listed = new Set(mentions.map((m) => m.id));
  return text.replace(TOKEN, (token, id: string) => (listed.has(id) ? token : defuseTokens(token)));
}

/** Splits text into plain segments and mention tokens, for renderers. */
export function splitMentions(text: string): Array<{ text: string } | { userId: string }> {
  const out: Array<{ text: string } | { userId: string }> = [];
  let last = 0;
  for (const m of text.matchAll(TOKEN)) {
    if (m.index > last) out.push({ text: text.slice(last, m.index) });
    out.push({ userId: m[1]! });
    last = m.index + m[0].length;
  }
  if (last < text.length) out.push({ text: text.slice(last) });
  return out;
}

/** Qualifies a platform-native id: ("feishu", "ou_1") → "feishu:ou_1". */
export function qualify(platform: PlatformName, nativeId: string): string {
  return `${platform}:${nativeId}`;
}

/** Strips the platform prefix: "feishu:ou_1" → "ou_1". */
export function nativeId(id: string): string {
  const i = id.indexOf(':');
  return i < 0 ? id : id.slice(i + 1);
}

export function platformOf(id: string): PlatformName {
  const p = id.slice(0, id.indexOf(':'));
  if (p === 'feishu' || p === 'dingtalk' || p === 'sandbox') return p;
  throw new Error(`not a platform-qualified id: ${id}`);
}

/**
 * A message for `platform` with mentions of people on another platform (a linked group's) as
 * plain `@name` text: a platform can only @ its own users, and a foreign id must never be
 * handed to it as one.
 */
export function localMentions(body: OutboundBody, platform: PlatformName): OutboundBody {
  const own = (id: string) => id.startsWith(`${platform}:`);
  const list = body.type === 'text' ? body.mentions : body.card.mentions;
  if (list.every((m) => own(m.id)) && !JSON.stringify(body).match(new RegExp(`<@(?!${platform}:)`))) return body;
  const names = new Map(list.map((m) => [m.id, m.name]));
  const plain = (s: string) => s.replace(TOKEN, (token, id: string) => (own(id) ? token : `@${names.get(id) ?? id.slice(id.indexOf(':') + 1)}`));
  if (body.type === 'text') return { ...body, text: plain(body.text), mentions: body.mentions.filter((m) => own(m.id)) };
  const card = body.card;
  return {
    ...body,
    card: {
      ...card,
      fields: card.fields.map((f) => ({ ...f, value: plain(f.value) })),
      markdown: card.markdown.map(plain),
      mentions: card.mentions.filter((m) => own(m.id)),
    },
  };
}
