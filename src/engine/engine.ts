// The engine: applies an inbound message or card action in one SQLite transaction
// (load → decide → save + audit + outbox), then tells the outbox dispatcher to deliver.

import type { Logger } from 'pino';
import { parseCommand } from '../commands/parser.ts';
import { helpText } from '../commands/help.ts';
import type { Command } from '../commands/types.ts';
import type { Config } from '../config/schema.ts';
import type { Card } from '../domain/card.ts';
import type { CardAction, InboundMessage, UserRef } from '../domain/chat.ts';
import type { Clock } from '../domain/clock.ts';
import type { WorkCalendar } from '../domain/calendar.ts';
import { isRequestState, type RequestAction } from '../domain/request.machine.ts';
import type { ItemRow, Repo } from '../db/repo.ts';
import { type Ctx, reply } from './context.ts';
import { actOnRequest, createRequest, type Outcome } from './request.ts';
import { showItem } from './queries.ts';

export interface EngineDeps {
  repo: Repo;
  config: Config;
  clock: Clock;
  calendar: WorkCalendar;
  log: Logger;
  /** Called after a commit that wrote outbox rows, so delivery starts at once. */
  onOutbox?: () => void;
}

export interface ActionResult {
  ok: boolean;
  /** Short text for the clicker (a toast), the refusal when ok is false. */
  toast: string;
  /** The clicked card as it should now look, when it changed. */
  card?: Card;
  cardKey?: string;
}

const CARD_ACTIONS: ReadonlySet<string> = new Set<RequestAction>(['confirm', 'object', 'accept', 'reject', 'close', 'cancel']);

export class Engine {
  constructor(private readonly d: EngineDeps) {}

  /** Handles one group message. Never throws: failures are logged and answered. */
  handleMessage(msg: InboundMessage): void {
    const ctx = this.ctx(msg.platform, msg.chatId, msg.sender, msg.messageId);
    try {
      this.d.repo.tx(() => {
        this.remember(msg.chatId, msg.platform, msg.chatName, [msg.sender, ...msg.mentions]);
        const parsed = parseCommand(msg.text, {
          now: ctx.now,
          timezone: this.d.config.calendar.timezone,
          defaultDueTime: this.d.config.calendar.defaultDueTime,
          mentions: msg.mentions,
          resolveName: (name) => this.d.repo.findUserByName(name, msg.platform),
        });
        if (parsed === null) {
          if (msg.mentionedBot) reply(ctx, '我没有识别出命令。发送 /帮助 查看全部命令和示例。\n(Unknown command — send /help.)');
          return;
        }
        if (!parsed.ok) {
          reply(ctx, `❌ ${parsed.error}${parsed.usage ? `\n用法：${parsed.usage}` : ''}`);
          return;
        }
        this.run(ctx, parsed.command);
      });
    } catch (err) {
      this.d.log.error({ err, chatId: msg.chatId, messageId: msg.messageId }, 'message handling failed');
      this.safeReply(ctx, '⚠️ 处理命令时出现内部错误，请稍后重试。(Internal error.)');
    }
    this.d.onOutbox?.();
  }

  /** Handles one card click; the result is shown to the clicker at once. */
  handleCardAction(a: CardAction): ActionResult {
    const ctx = this.ctx(a.platform, a.chatId, a.actor);
    let result: ActionResult;
    try {
      result = this.d.repo.tx(() => {
        this.remember(a.chatId, a.platform, undefined, [a.actor]);
        const item = this.d.repo.getItem(a.itemId);
        if (!item || item.chatId !== a.chatId) return { ok: false, toast: `找不到事项 #${a.itemId}。` };
        if (!CARD_ACTIONS.has(a.action)) return { ok: false, toast: `未知操作：${a.action}` };
        return this.cardOnRequest(ctx, item, a);
      });
    } catch (err) {
      this.d.log.error({ err, chatId: a.chatId, itemId: a.itemId, action: a.action }, 'card action failed');
      result = { ok: false, toast: '⚠️ 内部错误，请稍后重试。' };
    }
    this.d.onOutbox?.();
    return result;
  }

  private cardOnRequest(ctx: Ctx, item: ItemRow, a: CardAction): ActionResult {
    if (item.kind !== 'request' || !isRequestState(item.state)) return { ok: false, toast: `事项 #${item.id} 不支持该操作。` };
    const out = actOnRequest(ctx, item, {
      action: a.action as RequestAction,
      reason: a.form.reason?.trim() || undefined,
      dueText: a.form.due?.trim() || undefined,
      forUser: a.for,
      cardVersion: a.version,
    });
    return out.ok ? { ok: true, toast: out.toast } : { ok: false, toast: out.message };
  }

  private run(ctx: Ctx, cmd: Command): void {
    switch (cmd.name) {
      case 'help':
        reply(ctx, helpText(cmd.topic) ?? `没有名为「${cmd.topic}」的命令。发送 /帮助 查看全部命令。`);
        return;
      case 'req':
        createRequest(ctx, cmd);
        return;
      case 'show':
        showItem(ctx, cmd.id);
        return;
      case 'submit':
      case 'close':
      case 'cancel':
      case 'reopen': {
        const item = this.d.repo.getItem(cmd.id);
        if (!item || item.chatId !== ctx.chatId) {
          reply(ctx, `找不到事项 #${cmd.id}（只能操作本群的事项）。`);
          return;
        }
        if (item.kind !== 'request') {
          reply(ctx, `#${cmd.id} 不是需求，暂不支持该命令。`);
          return;
        }
        const out: Outcome = actOnRequest(ctx, item, {
          action: cmd.name,
          reason: 'reason' in cmd ? cmd.reason : undefined,
          deliverable: cmd.name === 'submit' ? cmd.deliverable : undefined,
          evidence: cmd.name === 'submit' ? cmd.evidence : undefined,
        });
        reply(ctx, out.ok ? out.toast : out.message, item.id);
        return;
      }
      default:
        reply(ctx, `命令 /${cmd.name} 即将支持。发送 /帮助 查看可用命令。`);
    }
  }

  private ctx(platform: Ctx['platform'], chatId: string, actor: UserRef, messageId?: string): Ctx {
    return {
      repo: this.d.repo,
      config: this.d.config,
      calendar: this.d.calendar,
      now: this.d.clock.now(),
      platform,
      chatId,
      actor,
      messageId,
    };
  }

  private remember(chatId: string, platform: string, chatName: string | undefined, people: UserRef[]): void {
    const t = this.d.clock.now().getTime();
    this.d.repo.ensureChat(chatId, platform, chatName);
    for (const u of people) if (u.name && u.name !== u.id) this.d.repo.upsertUser(u.id, u.name, t);
  }

  private safeReply(ctx: Ctx, text: string): void {
    try {
      this.d.repo.tx(() => reply(ctx, text));
    } catch (err) {
      this.d.log.error({ err }, 'could not even store the error reply');
    }
  }
}
