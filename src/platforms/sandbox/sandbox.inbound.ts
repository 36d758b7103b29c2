// Typed text → the neutral InboundMessage. The sandbox has no mention syntax of its own: people
// type `@名字`, and a name that belongs to a sandbox user becomes a `<@sandbox:id>` token, while
// an @ of the bot is removed and sets `mentionedBot`. Pure: the caller passes the directory.

import { type InboundMessage, type UserRef, defuseTokens, mentionToken } from '../../domain/chat.ts';

/** What people may type to address the bot. Matched case-insensitively for the Latin ones. */
export const BOT_ALIASES: readonly string[] = ['协作助手', 'Groupflow', 'bot'];
export const BOT_NAME = '协作助手';
/** How the bot appears in stored display text (never a real user id). */
export const BOT_ID = 'sandbox:bot';

export interface MappedText {
  /** Text for the engine: bot mention removed, user mentions as `<@id>` tokens. */
  text: string;
  /** Text to show in the page: like `text`, but the bot mention kept as a token. */
  display: string;
  mentions: UserRef[];
  mentionedBot: boolean;
}

/**
 * Replaces `@名字` by mention tokens. At each `@` the longest matching name wins, so "@李四四"
 * prefers a user called 李四四 over 李四, and `@李四@王五` or `@李四，` work without spaces.
 */
export function mapMentions(typed: string, users: readonly UserRef[]): MappedText {
  // A token typed by hand (`<@sandbox:…>`) is text; only names matched here become mentions.
  const raw = defuseTokens(typed);
  const candidates = [
    ...users.map((u) => ({ name: u.name, user: u as UserRef | undefined })),
    ...BOT_ALIASES.map((name) => ({ name, user: undefined })),
  ].sort((a, b) => b.name.length - a.name.length);
  const mentions = new Map<string, UserRef>();
  let mentionedBot = false;
  let text = '';
  let display = '';
  let i = 0;
  while (i < raw.length) {
    const hit = raw[i] === '@' ? candidates.find((c) => matchesAt(raw, i + 1, c.name)) : undefined;
    if (!hit) {
      text += raw[i];
      display += raw[i];
      i++;
      continue;
    }
    i += 1 + hit.name.length;
    if (hit.user) {
      mentions.set(hit.user.id, hit.user);
      text += mentionToken(hit.user.id);
      display += mentionToken(hit.user.id);
    } else {
      mentionedBot = true;
      display += mentionToken(BOT_ID);
      // Drop the space after the bot mention too, so "@协作助手 /帮助" reads as "/帮助".
      while (raw[i] === ' ' || raw[i] === '\u3000') {
        display += raw[i];
        i++;
      }
    }
  }
  return { text: text.trim(), display: display.trim(), mentions: [...mentions.values()], mentionedBot };
}

function matchesAt(s: string, at: number, name: string): boolean {
  if (!name) return false;
  const part = s.slice(at, at + name.length);
  const same = /^[\x20-\x7e]+$/.test(name) ? part.toLowerCase() === name.toLowerCase() : part === name;
  if (!same) return false;
  // A Latin name must end at a word boundary: "@bobby" is not "@bob".
  const next = s[at + name.length];
  return !(next !== undefined && /[A-Za-z0-9_]$/.test(name) && /[A-Za-z0-9_]/.test(next));
}

export interface InboundInput {
  chatId: string;
  chatName?: string;
  sender: UserRef;
  /** The stored row id of the user's message: the sandbox's platform message id. */
  rowId: number;
  mapped: MappedText;
  replyTo?: number;
  receivedAt: Date;
}

export function toInboundMessage(p: InboundInput): InboundMessage {
  return {
    platform: 'sandbox',
    chatId: p.chatId,
    chatName: p.chatName,
    messageId: String(p.rowId),
    sender: p.sender,
    text: p.mapped.text,
    mentions: p.mapped.mentions,
    mentionedBot: p.mapped.mentionedBot,
    replyTo: p.replyTo === undefined ? undefined : String(p.replyTo),
    receivedAt: p.receivedAt,
  };
}
