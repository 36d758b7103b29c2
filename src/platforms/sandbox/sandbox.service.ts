// What the sandbox page can do: pick people and groups, say something as someone, click a card.
// Expected mistakes (unknown user, a group that does not exist) are values with an HTTP status
// and a bilingual message; the routes only translate them.

import type { Core } from '../platform.ts';
import type { UserRef } from '../../domain/chat.ts';
import { BOT_ID, BOT_NAME, mapMentions, toInboundMessage } from './sandbox.inbound.ts';
import type { LiveHub } from './sandbox.live.ts';
import type { CardActionBody, PostMessage } from './sandbox.schemas.ts';
import type { SandboxChat, SandboxMessage, SandboxStore, SandboxUser } from './sandbox.store.ts';

export type Result<T> = { ok: true; value: T } | { ok: false; status: 400 | 404 | 409; message: string };

const ok = <T>(value: T): Result<T> => ({ ok: true, value });
const fail = (status: 400 | 404 | 409, message: string): Result<never> => ({ ok: false, status, message });

export interface SandboxState {
  bot: UserRef;
  users: SandboxUser[];
  chats: SandboxChat[];
  rev: number;
  timezone: string;
}

export class SandboxService {
  constructor(
    private readonly core: Core,
    private readonly store: SandboxStore,
    private readonly live: LiveHub,
  ) {}

  /** Seeds an empty sandbox and makes every sandbox user known to the engine's directory. */
  init(): void {
    if (this.store.seed()) this.core.log.info('sandbox seeded with demo users and group');
    const t = this.core.clock.now().getTime();
    for (const u of this.store.users()) this.core.repo.upsertUser(u.id, u.name, t);
  }

  state(): SandboxState {
    return {
      bot: { id: BOT_ID, name: BOT_NAME },
      users: this.store.users(),
      chats: this.store.chats(),
      rev: this.store.rev(),
      timezone: this.core.config.calendar.timezone,
    };
  }

  addUser(name: string): Result<SandboxUser> {
    if (this.store.userByName(name)) return fail(409, `已有名为「${name}」的用户 / a user with that name exists`);
    const user = this.store.addUser(name);
    this.core.repo.upsertUser(user.id, user.name, this.core.clock.now().getTime());
    this.live.publish({ type: 'state' });
    return ok(user);
  }

  addChat(name: string, look?: 'feishu' | 'dingtalk'): Result<SandboxChat> {
    if (this.store.chatByName(name)) return fail(409, `已有名为「${name}」的群 / a group with that name exists`);
    const chat = this.store.addChat(name, look ?? null);
    this.live.publish({ type: 'state' });
    return ok(chat);
  }

  messages(chatId: string, since = 0): Result<{ messages: SandboxMessage[]; rev: number }> {
    if (!this.store.chat(chatId)) return fail(404, `没有这个群：${chatId} / unknown chat`);
    const rev = this.store.rev();
    return ok({ messages: this.store.messages(chatId, since), rev });
  }

  /** Stores what the user typed, then hands it to the engine (which kicks delivery itself). */
  postMessage(p: PostMessage): Result<SandboxMessage> {
    const chat = this.store.chat(p.chatId);
    if (!chat) return fail(400, `没有这个群：${p.chatId} / unknown chatId`);
    const user = this.store.user(p.userId);
    if (!user) return fail(400, `没有这个用户：${p.userId} / unknown userId`);
    if (p.replyTo !== undefined && this.store.message(p.replyTo)?.chatId !== chat.id) {
      return fail(400, `回复的消息不在本群 / replyTo is not a message of this chat`);
    }
    const mapped = mapMentions(p.text, this.store.users());
    const shown = mapped.mentionedBot ? [...mapped.mentions, { id: BOT_ID, name: BOT_NAME }] : mapped.mentions;
    const receivedAt = this.core.clock.now();
    const row = this.store.addMessage({
      chatId: chat.id,
      senderId: user.id,
      body: { type: 'text', text: mapped.display, mentions: shown },
      replyTo: p.replyTo,
      at: receivedAt.getTime(),
    });
    this.live.publish({ type: 'message', chatId: chat.id, rev: row.rev });
    this.core.engine.handleMessage(
      toInboundMessage({ chatId: chat.id, chatName: chat.name, sender: user, rowId: row.id, mapped, replyTo: p.replyTo, receivedAt }),
    );
    return ok(row);
  }

  /** A click on a card button; the engine decides and authorizes, the toast goes to the clicker. */
  cardAction(b: CardActionBody): Result<{ ok: boolean; toast: string }> {
    const chat = this.store.chat(b.chatId);
    if (!chat) return fail(400, `没有这个群：${b.chatId} / unknown chatId`);
    const user = this.store.user(b.userId);
    if (!user) return fail(400, `没有这个用户：${b.userId} / unknown userId`);
    const msg = this.store.message(b.messageId);
    if (!msg || msg.chatId !== chat.id || msg.body.type !== 'card') {
      return fail(400, `本群没有这张卡片：${b.messageId} / messageId is not a card of this chat`);
    }
    const r = this.core.engine.handleCardAction({
      platform: 'sandbox',
      chatId: chat.id,
      actor: user,
      itemId: b.itemId,
      action: b.action,
      version: b.version,
      for: b.for,
      form: b.form,
      cardMessageId: String(msg.id),
      receivedAt: this.core.clock.now(),
    });
    return ok({ ok: r.ok, toast: r.toast });
  }
}
