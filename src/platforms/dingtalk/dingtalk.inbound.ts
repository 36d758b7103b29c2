// DingTalk payloads → the neutral chat model. Pure: no I/O, time and name lookups are passed in.

import { type CardAction, DEFUSED, type InboundMessage, type UserRef, defuseTokens, mentionToken, qualify } from '../../domain/chat.ts';
import { z } from 'zod';
import type { CardCallback, CardCallbackContent, RobotMessage } from './dingtalk.types.ts';

export interface SessionWebhook {
  url: string;
  /** Epoch ms after which DingTalk answers errcode 300001. */
  expiresAt: number;
}

export type DecodedMessage =
  | { ok: true; message: InboundMessage; webhook?: SessionWebhook }
  | { ok: false; reason: 'not_group' | 'unsupported_type' | 'empty' };

export interface DecodeOptions {
  receivedAt: Date;
  /** Finds a DingTalk user we already know by display name (to pair `@Nick` text with atUsers). */
  knownName?: (nick: string) => string | undefined;
}

// The fields the decoder reads, with their types: DingTalk sends them well-formed, so a signed
// body with a null @-entry or a numeric id is not the platform's and is refused before the ack
// (rather than acknowledged and then failing in the decoder). Absent and null both mean absent;
// fields we never read are kept as they came.
const optText = z
  .string()
  .nullish()
  .transform((v) => v ?? undefined);
const AtUserSchema = z.looseObject({ dingtalkId: optText, staffId: optText, unionId: optText });
const RobotMessageSchema = z.looseObject({
  msgId: z.string().refine(nonEmpty),
  conversationId: z.string().refine(nonEmpty),
  msgtype: z.string().refine(nonEmpty),
  text: z.looseObject({ content: z.unknown().optional() }).nullish().transform((v) => v ?? undefined),
  content: z
    .looseObject({ richText: z.array(z.looseObject({ text: z.unknown().optional() })).optional() })
    .nullish()
    .transform((v) => v ?? undefined),
  conversationType: optText,
  conversationTitle: optText,
  senderId: optText,
  senderStaffId: optText,
  senderNick: optText,
  chatbotUserId: optText,
  isInAtList: z.boolean().nullish().transform((v) => v ?? undefined),
  atUsers: z.array(AtUserSchema).nullish().transform((v) => v ?? undefined),
  sessionWebhook: optText,
  sessionWebhookExpiredTime: z.number().nullish().transform((v) => v ?? undefined),
});

/** Validates the shape of a robot message; undefined when it is not one. */
export function parseRobotMessage(raw: unknown): RobotMessage | undefined {
  const r = RobotMessageSchema.safeParse(raw);
  return r.success ? (r.data as RobotMessage) : undefined;
}

/** The platform-qualified user id: the org userId (staffId), else the encrypted id DingTalk sent
 *  (staffId is empty for people outside the org and before the app is published). */
export function userIdOf(staffId: string | undefined, fallback: string | undefined): string | undefined {
  const id = staffId?.trim() || fallback?.trim();
  return id ? qualify('dingtalk', id) : undefined;
}

/**
 * A group robot message → InboundMessage. The bot's own @ is already cut from the text by
 * DingTalk (the whitespace stays, so the text is trimmed); every other `@Nick` becomes a
 * `<@dingtalk:staffId>` token, paired with `atUsers` (see pairMentions).
 */
export function decodeRobotMessage(m: RobotMessage, o: DecodeOptions): DecodedMessage {
  if (m.conversationType !== undefined && m.conversationType !== '2') return { ok: false, reason: 'not_group' };
  const raw = contentText(m);
  if (raw === undefined) return { ok: false, reason: 'unsupported_type' };
  const sender = userIdOf(m.senderStaffId, m.senderId);
  if (!sender) return { ok: false, reason: 'empty' };
  const atUsers = (m.atUsers ?? [])
    .filter((u) => !(m.chatbotUserId && u.dingtalkId === m.chatbotUserId))
    .flatMap((u) => {
      const id = userIdOf(u.staffId, u.dingtalkId);
      return id ? [id] : [];
    });
  // What the sender typed that looks like a token is defused, so every token is one DingTalk made.
  const { text, mentions } = pairMentions(defuseTokens(normalizeSpaces(raw)), [...new Set(atUsers)], o.knownName);
  const message: InboundMessage = {
    platform: 'dingtalk',
    chatId: qualify('dingtalk', m.conversationId),
    chatName: m.conversationTitle || undefined,
    messageId: m.msgId,
    sender: { id: sender, name: m.senderNick?.trim() || sender },
    text: text.trim(),
    mentions,
    mentionedBot: m.isInAtList === true,
    receivedAt: o.receivedAt,
  };
  if (!message.text) return { ok: false, reason: 'empty' };
  const webhook =
    m.sessionWebhook && typeof m.sessionWebhookExpiredTime === 'number'
      ? { url: m.sessionWebhook, expiresAt: m.sessionWebhookExpiredTime }
      : undefined;
  return { ok: true, message, webhook };
}

function contentText(m: RobotMessage): string | undefined {
  if (m.msgtype === 'text') return typeof m.text?.content === 'string' ? m.text.content : undefined;
  if (m.msgtype === 'richText') {
    const parts = m.content?.richText;
    if (!Array.isArray(parts)) return undefined;
    return parts.map((p) => (typeof p.text === 'string' ? p.text : '')).join('');
  }
  return undefined;
}

function normalizeSpaces(s: string): string {
  // Clients put U+2005 / NBSP around mentions; the parser splits on ASCII whitespace.
  return s.replace(/[\u00a0\u2002-\u200a\u202f\u205f\u3000]/g, ' ');
}

/** `@Nick` in text: not glued to a preceding ASCII word (e-mail addresses stay text), nor defused. */
const AT_NICK = new RegExp(`(?<![A-Za-z0-9._%+\\-${DEFUSED}])@([^\\s@<>,，、。;；:：()（）]+)`, 'gu');

/**
 * Replaces `@Nick` text with mention tokens. DingTalk lists who was @-ed in `atUsers` but the
 * entries carry ids only, no nicknames, so text and ids are paired: first by names we already
 * know, then the rest in order of appearance (the order DingTalk lists them; community-observed,
 * not documented). Every @-ed user is returned as a mention, with the nickname when paired.
 */
export function pairMentions(
  text: string,
  atUserIds: string[],
  knownName?: (nick: string) => string | undefined,
): { text: string; mentions: UserRef[] } {
  // DingTalk's own @all is `isAtAll`, never an atUsers entry: a typed "@all" is not one of them.
  const found = [...text.matchAll(AT_NICK)]
    .map((m) => ({ index: m.index, length: m[0].length, nick: m[1]! }))
    .filter((c) => !/^(all|所有人)$/i.test(c.nick));
  const byCandidate = new Map<number, string>();
  const used = new Set<string>();
  for (const [i, c] of found.entries()) {
    const id = knownName?.(c.nick);
    if (id && atUserIds.includes(id) && !used.has(id)) {
      byCandidate.set(i, id);
      used.add(id);
    }
  }
  const rest = atUserIds.filter((id) => !used.has(id));
  for (const [i] of found.entries()) {
    if (byCandidate.has(i)) continue;
    const id = rest.shift();
    if (!id) break;
    byCandidate.set(i, id);
    used.add(id);
  }
  const names = new Map<string, string>();
  let out = text;
  for (let i = found.length - 1; i >= 0; i--) {
    const id = byCandidate.get(i);
    if (!id) continue;
    const c = found[i]!;
    names.set(id, c.nick);
    out = out.slice(0, c.index) + mentionToken(id) + out.slice(c.index + c.length);
  }
  return { text: out, mentions: atUserIds.map((id) => ({ id, name: names.get(id) ?? id })) };
}

/** Validates the minimal shape of a card callback; undefined when it is not one. */
export function parseCardCallback(raw: unknown): CardCallback | undefined {
  if (typeof raw !== 'object' || raw === null || Array.isArray(raw)) return undefined;
  const c = raw as Record<string, unknown>;
  if (!nonEmpty(c.outTrackId) || !nonEmpty(c.userId) || typeof c.content !== 'string') return undefined;
  return raw as CardCallback;
}

/** Callback params the shipped template binds on every button (see cards/dingtalk/). */
const RESERVED = new Set(['action', 'itemId', 'version', 'for', 'form', 'current_form', 'slot']);

export interface CardContext {
  /** Chat the card was delivered to (from our card references). */
  chatId: string;
  /** Item the card belongs to, when known from our card references. */
  itemId?: number;
  actorName?: string;
  receivedAt: Date;
}

/**
 * A card callback → CardAction. The button's params carry action, itemId, version and the user
 * the button is for; form inputs arrive under `form` (the card builder's Form component) or as
 * further params. Undefined when the callback says nothing we can act on.
 */
export function decodeCardCallback(cb: CardCallback, ctx: CardContext): CardAction | undefined {
  let content: CardCallbackContent;
  try {
    content = JSON.parse(cb.content) as CardCallbackContent;
  } catch {
    return undefined;
  }
  const priv = typeof content === 'object' && content !== null ? content.cardPrivateData : undefined;
  const params = priv?.params ?? {};
  if (typeof params !== 'object' || params === null || Array.isArray(params)) return undefined;
  const action = str(params.action) ?? str(priv?.actionIds?.[0]);
  const fromParams = int(params.itemId);
  // A card can only act on its own item: the params must agree with where we delivered it.
  if (fromParams !== undefined && ctx.itemId !== undefined && fromParams !== ctx.itemId) return undefined;
  const itemId = fromParams ?? ctx.itemId;
  if (!action || itemId === undefined) return undefined;
  const actor = qualify('dingtalk', cb.userId);
  const form: Record<string, string> = {};
  const f = params.form;
  if (typeof f === 'object' && f !== null && !Array.isArray(f)) {
    for (const [k, v] of Object.entries(f)) {
      const s = formValue(v);
      if (s !== undefined) form[k] = s;
    }
  }
  for (const [k, v] of Object.entries(params)) {
    if (RESERVED.has(k) || k in form) continue;
    if (typeof v === 'string') form[k] = v;
  }
  return {
    platform: 'dingtalk',
    chatId: ctx.chatId,
    actor: { id: actor, name: ctx.actorName ?? actor },
    itemId,
    action,
    version: int(params.version),
    for: str(params.for),
    form,
    cardMessageId: cb.outTrackId,
    receivedAt: ctx.receivedAt,
  };
}

function formValue(v: unknown): string | undefined {
  if (typeof v === 'string') return v;
  if (typeof v === 'number' || typeof v === 'boolean') return String(v);
  if (Array.isArray(v)) return v.map((x) => (typeof x === 'string' ? x : JSON.stringify(x))).join(',');
  // Select fields come back as {index, value}.
  if (typeof v === 'object' && v !== null && 'value' in v) return formValue((v as { value: unknown }).value);
  return undefined;
}

function nonEmpty(v: unknown): v is string {
  return typeof v === 'string' && v.length > 0;
}

function str(v: unknown): string | undefined {
  return typeof v === 'string' && v.trim() ? v.trim() : undefined;
}

function int(v: unknown): number | undefined {
  const n = typeof v === 'number' ? v : typeof v === 'string' && /^\d+$/.test(v.trim()) ? Number(v) : NaN;
  return Number.isSafeInteger(n) ? n : undefined;
}
