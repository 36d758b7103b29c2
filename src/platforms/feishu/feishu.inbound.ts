// Feishu payload → neutral event, pure: messages (text and rich-text posts) with their mentions
// and thread references, card clicks, and the bot joining a group.
// Receive: https://open.feishu.cn/document/server-docs/im-v1/message/events/receive

import type { CardAction, InboundMessage, MenuEvent, UserRef } from '../../domain/chat.ts';
import { defuseTokens, mentionToken, qualify } from '../../domain/chat.ts';
import {
  type BotMembership,
  BotMembershipSchema,
  BotMenuSchema,
  type CardActionEvent,
  CardActionEventSchema,
  type Mention,
  type MessageReceive,
  MessageReceiveSchema,
} from './feishu.types.ts';

export const feishuId = (nativeId: string) => qualify('feishu', nativeId);

export interface MapContext {
  /** The bot's own open_id (from /open-apis/bot/v3/info), if known. */
  botOpenId?: string;
  /** Known display names by qualified id (the sender's name is not in the event). */
  nameOf: (id: string) => string | undefined;
  now: Date;
}

export type MessageMapping =
  | { kind: 'message'; msg: InboundMessage }
  /** A kind of message the bot cannot read; `addressed` when it was meant for the bot. */
  | { kind: 'unsupported'; chatId: string; messageId: string; messageType: string; addressed: boolean }
  | { kind: 'ignore'; why: string };

export function parseMessageEvent(event: unknown): MessageReceive | undefined {
  const r = MessageReceiveSchema.safeParse(event);
  return r.success ? r.data : undefined;
}

/** `create_time` is documented in ms; examples also show µs. Parsed by length. */
export function parseCreateTime(v: string | undefined): Date | undefined {
  if (!v || !/^\d+$/.test(v)) return undefined;
  const n = Number(v);
  const ms = v.length <= 11 ? n * 1000 : v.length <= 14 ? n : Math.floor(n / 1000);
  return new Date(ms);
}

function isBot(m: Mention, botOpenId: string | undefined): boolean {
  // Without our own open_id (bot info unavailable), a mention typed as a bot is taken as us.
  return botOpenId ? m.id.open_id === botOpenId : m.mentioned_type === 'bot';
}

interface Resolved {
  text: string;
  mentions: UserRef[];
  mentionedBot: boolean;
}

/**
 * Replaces `@_user_N` placeholders: ours is removed, others become `<@feishu:ou_…>` tokens. What
 * the sender typed that looks like a token is defused first, so every token is one Feishu made.
 */
export function resolveMentions(text: string, mentions: Mention[], botOpenId: string | undefined): Resolved {
  const byKey = new Map(mentions.map((m) => [m.key, m]));
  const users = new Map<string, UserRef>();
  const guessed = botOpenId ? undefined : leadingMentions(text, mentions);
  let mentionedBot = false;
  const out = defuseTokens(text).replace(/@_user_\d+|@_all/g, (key) => {
    const m = byKey.get(key);
    if (!m) return key === '@_all' ? '' : key;
    if (isBot(m, botOpenId) || guessed?.has(key)) {
      mentionedBot = true;
      return '';
    }
    if (!m.id.open_id) return `@${m.name}`;
    const id = feishuId(m.id.open_id);
    users.set(id, { id, name: m.name || id });
    return mentionToken(id);
  });
  return { text: tidy(out), mentions: [...users.values()], mentionedBot };
}

/**
 * While the bot's own open_id is unknown (bot/v3/info failing since start-up) and the payload
 * has the documented shape (no `mentioned_type`), the mentions typed before a leading slash
 * command ("@Groupflow /帮助") are taken as the bot: a group bot is only sent the messages that
 * @ it, and people @ the bot first. Mentions anywhere else stay people.
 */
function leadingMentions(text: string, mentions: Mention[]): Set<string> | undefined {
  if (mentions.some((m) => m.mentioned_type !== undefined)) return undefined;
  const lead = /^(?:\s*@_user_\d+)+\s*(?=[/／])/.exec(text);
  return lead ? new Set(lead[0].match(/@_user_\d+/g)) : undefined;
}

/** Trims what removing a mention leaves behind ("@bot /帮助" → "/帮助"), line by line. */
function tidy(s: string): string {
  return s
    .split('\n')
    .map((l) => l.replace(/[ \t\u00a0]{2,}/g, ' ').trim())
    .join('\n')
    .trim();
}

interface PostElement {
  tag?: string;
  text?: string;
  href?: string;
  user_id?: string;
  user_name?: string;
  language?: string;
}

/**
 * A rich-text post as plain text: paragraphs become lines; links keep their URL; `at` elements
 * carry the same `@_user_N` keys as text messages. Images, media and emoji are dropped; the title
 * is dropped too (commands are in the body).
 */
export function postText(content: unknown): string {
  const c = content as { content?: unknown; zh_cn?: { content?: unknown }; en_us?: { content?: unknown } } | null;
  const paragraphs = c?.content ?? c?.zh_cn?.content ?? c?.en_us?.content;
  if (!Array.isArray(paragraphs)) return '';
  return paragraphs
    .map((p) =>
      Array.isArray(p)
        ? (p as PostElement[])
            .map((e) => {
              switch (e?.tag) {
                case 'text':
                case 'md':
                case 'code_block':
                  return e.text ?? '';
                case 'a':
                  return !e.text || e.text === e.href ? (e.href ?? '') : `${e.text} ${e.href ?? ''}`;
                case 'at':
                  return e.user_id?.startsWith('@_') ? e.user_id : `@${e.user_name ?? ''}`;
                default:
                  return '';
              }
            })
            .join('')
        : '',
    )
    .join('\n');
}

function contentText(messageType: string, content: string): string | undefined {
  let parsed: unknown;
  try {
    parsed = JSON.parse(content);
  } catch {
    return undefined;
  }
  if (messageType === 'text') {
    const t = (parsed as { text?: unknown } | null)?.text;
    return typeof t === 'string' ? t : undefined;
  }
  if (messageType === 'post') return postText(parsed);
  return undefined;
}

/** `im.message.receive_v1` → the neutral message the engine handles. */
export function toInboundMessage(ev: MessageReceive, ctx: MapContext): MessageMapping {
  const { message: m, sender } = ev;
  if (sender.sender_type && sender.sender_type !== 'user') return { kind: 'ignore', why: `sender_type ${sender.sender_type}` };
  const senderOpenId = sender.sender_id?.open_id;
  if (!senderOpenId) return { kind: 'ignore', why: 'no sender open_id' };
  const chatId = feishuId(m.chat_id);
  const p2p = m.chat_type === 'p2p';
  const mentions = m.mentions ?? [];
  const text = contentText(m.message_type, m.content);
  if (text === undefined) {
    const addressed = p2p || mentions.some((x) => isBot(x, ctx.botOpenId));
    return { kind: 'unsupported', chatId, messageId: m.message_id, messageType: m.message_type, addressed };
  }
  const r = resolveMentions(text, mentions, ctx.botOpenId);
  const senderId = feishuId(senderOpenId);
  return {
    kind: 'message',
    msg: {
      platform: 'feishu',
      chatId,
      messageId: m.message_id,
      sender: { id: senderId, name: ctx.nameOf(senderId) ?? senderId },
      text: r.text,
      mentions: r.mentions,
      // A direct message is always addressed to the bot.
      mentionedBot: r.mentionedBot || p2p,
      ...(m.parent_id ? { replyTo: m.parent_id } : {}),
      ...(m.root_id ? { threadRoot: m.root_id } : {}),
      receivedAt: parseCreateTime(m.create_time) ?? ctx.now,
    },
  };
}

export function parseCardEvent(event: unknown): CardActionEvent | undefined {
  const r = CardActionEventSchema.safeParse(event);
  return r.success ? r.data : undefined;
}

function formValues(v: Record<string, unknown> | undefined, renamed: Record<string, string> | undefined): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [k, x] of Object.entries(v ?? {})) {
    const key = renamed?.[k] ?? k;
    if (typeof x === 'string') out[key] = x;
    else if (Array.isArray(x)) out[key] = x.map(String).join(',');
    else if (typeof x === 'number' || typeof x === 'boolean') out[key] = String(x);
  }
  return out;
}

/** `card.action.trigger` → neutral card action; undefined when the value is not one of ours. */
export function toCardAction(ev: CardActionEvent, ctx: MapContext): CardAction | undefined {
  const v = ev.action.value as Record<string, unknown> | undefined;
  const openId = ev.operator.open_id;
  const chat = ev.context?.open_chat_id;
  if (!v || typeof v !== 'object' || !openId || !chat) return undefined;
  const itemId = Number(v.itemId);
  const action = v.action;
  // Item 0 is a form that raises a new item.
  if (!Number.isInteger(itemId) || itemId < 0 || (itemId === 0 && !String(action).startsWith('form:')) || typeof action !== 'string' || !action) return undefined;
  const version = v.version === undefined ? undefined : Number(v.version);
  const renamed = typeof v.f === 'object' && v.f !== null ? (v.f as Record<string, string>) : undefined;
  const actorId = feishuId(openId);
  return {
    platform: 'feishu',
    chatId: feishuId(chat),
    actor: { id: actorId, name: ctx.nameOf(actorId) ?? actorId },
    itemId,
    action,
    ...(version !== undefined && Number.isFinite(version) ? { version } : {}),
    ...(typeof v.for === 'string' && v.for ? { for: v.for } : {}),
    form: formValues(ev.action.form_value, renamed),
    ...(ev.context?.open_message_id ? { cardMessageId: ev.context.open_message_id } : {}),
    receivedAt: ctx.now,
  };
}

export function parseBotMembership(event: unknown): BotMembership | undefined {
  const r = BotMembershipSchema.safeParse(event);
  return r.success ? r.data : undefined;
}

/** `application.bot.menu_v6` → the neutral menu event (no chat: Feishu names none). */
export function toMenuEvent(event: unknown, eventId: string, receivedAt: Date): MenuEvent | undefined {
  const r = BotMenuSchema.safeParse(event);
  const openId = r.success ? r.data.operator.operator_id.open_id : undefined;
  if (!r.success || !openId) return undefined;
  const id = feishuId(openId);
  return { platform: 'feishu', actor: { id, name: r.data.operator.operator_name?.trim() || id }, key: r.data.event_key, eventId, receivedAt };
}

/** What the bot says when added to a group (`im.chat.member.bot.added_v1`). */
export function welcomeText(operatorId?: string): { text: string; mentions: UserRef[] } {
  const thanks = operatorId ? `感谢 ${mentionToken(operatorId)} 邀请！` : '';
  const text =
    `👋 大家好，我是协作助手 Groupflow。${thanks}\n` +
    '我负责把群里的协作需求、任务、问题和验收记下来，请对的人确认，并在截止前提醒。\n' +
    '@我 并发送命令即可，例如：/需求 接口联调 协作:@同事 截止:周五 优先级:高\n' +
    '发送 /帮助 查看全部命令和示例。';
  return { text, mentions: operatorId ? [{ id: operatorId, name: operatorId }] : [] };
}

/** What the bot says to a message it cannot read, when the message was meant for it. */
export const UNSUPPORTED_TEXT = '我只能读取文字和富文本消息中的命令。发送 /帮助 查看全部命令和示例。';
