// Neutral outbound messages → the DingTalk path that can carry them:
//
// | message                         | path                                                          |
// |---------------------------------|---------------------------------------------------------------|
// | text, a session webhook valid   | session webhook `text` with at.atUserIds (real @)             |
// | text with @, no valid webhook   | notice card via createAndDeliver with atUserIds (real @)      |
// | text without @, no webhook      | OpenAPI group send `sampleText` (the OpenAPI cannot @)        |
// | card                            | createAndDeliver (STREAM or HTTP callback), @ the button owner |
// | card update                     | PUT /v1.0/card/instances, after the card's callback answered  |
// | any card, no template configured| OpenAPI group send `sampleMarkdown` (no buttons, no @)        |

import type { Logger } from 'pino';
import { type Outbound, nativeId } from '../../domain/chat.ts';
import type { Clock } from '../../domain/clock.ts';
import { PlatformError, type SendContext, type SendResult } from '../platform.ts';
import type { CardInstance, DingtalkApi } from './dingtalk.api.ts';
import type { SessionWebhook } from './dingtalk.inbound.ts';
import { type RenderedCard, cardAsMarkdown, noticeCard, renderCard, renderText } from './dingtalk.render.ts';

/** The route key HTTP card callbacks are registered under (POST /v1.0/card/callbacks/register). */
export const CARD_ROUTE_KEY = 'groupflow';

export interface OutboundConfig {
  mode: 'http' | 'stream';
  robotCode: string;
  cardTemplateId: string;
}

/** Session webhooks of recent messages, per chat. In memory: after a restart the OpenAPI is used. */
export class WebhookBook {
  private readonly byChat = new Map<string, SessionWebhook>();

  constructor(
    private readonly oapiBase: string,
    /** Stop using a webhook this long before DingTalk says it expires. */
    private readonly marginMs = 60_000,
  ) {}

  /** Remembers a webhook if it points at DingTalk (the body is not signed, so a forged one could
   *  otherwise send our messages anywhere). Returns whether it was kept. */
  remember(chatId: string, wh: SessionWebhook, now: number): boolean {
    if (!wh.url.startsWith(`${this.oapiBase.replace(/\/+$/, '')}/robot/sendBySession?`)) return false;
    for (const [k, v] of this.byChat) if (v.expiresAt <= now) this.byChat.delete(k);
    const cur = this.byChat.get(chatId);
    if (!cur || cur.expiresAt <= wh.expiresAt) this.byChat.set(chatId, wh);
    return true;
  }

  valid(chatId: string, now: number): SessionWebhook | undefined {
    const wh = this.byChat.get(chatId);
    return wh && wh.expiresAt - this.marginMs > now ? wh : undefined;
  }

  forget(chatId: string): void {
    this.byChat.delete(chatId);
  }
}

/**
 * DingTalk says not to update a card while its callback is being answered
 * (https://open.dingtalk.com/document/development/event-callback-card): updates of a card wait
 * until the answer to its click has been sent (at most `maxHoldMs`).
 */
export class CallbackGate {
  private readonly held = new Map<string, { done: Promise<void>; release: () => void }>();

  constructor(private readonly maxHoldMs = 2500) {}

  hold(outTrackId: string): () => void {
    let release!: () => void;
    const done = new Promise<void>((r) => (release = r));
    const timer = setTimeout(() => release(), this.maxHoldMs);
    timer.unref();
    const entry = {
      done,
      release: () => {
        clearTimeout(timer);
        if (this.held.get(outTrackId) === entry) this.held.delete(outTrackId);
        release();
      },
    };
    this.held.set(outTrackId, entry);
    return entry.release;
  }

  wait(outTrackId: string): Promise<void> {
    return this.held.get(outTrackId)?.done ?? Promise.resolve();
  }
}

export interface SenderDeps {
  api: DingtalkApi;
  cfg: OutboundConfig;
  webhooks: WebhookBook;
  gate: CallbackGate;
  clock: Clock;
  log: Logger;
}

export function createSender(d: SenderDeps): (msg: Outbound, ctx: SendContext) => Promise<SendResult> {
  const conversation = (chatId: string) => nativeId(chatId);

  async function deliverCard(msg: Outbound, r: RenderedCard, outTrackId: string): Promise<SendResult> {
    const id = conversation(msg.chatId);
    const alert = Object.values(r.notify).map((n) => `@${n}`).join(' ');
    const card: CardInstance = {
      cardTemplateId: d.cfg.cardTemplateId,
      outTrackId,
      cardData: { cardParamMap: r.params },
      // Cards answer clicks over Stream only if created so; the console's mode does not apply.
      callbackType: d.cfg.mode === 'stream' ? 'STREAM' : 'HTTP',
      ...(d.cfg.mode === 'http' ? { callbackRouteKey: CARD_ROUTE_KEY } : {}),
      openSpaceId: `dtv1.card//IM_GROUP.${id}`,
      imGroupOpenSpaceModel: {
        supportForward: false,
        lastMessageI18n: { ZH_CN: r.params.lastMessage ?? '' },
        ...(alert ? { notification: { alertContent: `${alert} ${r.params.lastMessage ?? ''}`.trim(), notificationOff: false } } : {}),
      },
      imGroupOpenDeliverModel: {
        robotCode: d.cfg.robotCode,
        ...(Object.keys(r.notify).length ? { atUserIds: r.notify } : {}),
      },
      ...(r.cardAtUserIds.length ? { cardAtUserIds: r.cardAtUserIds } : {}),
      userIdType: 1,
    };
    if (r.dropped) d.log.warn({ chatId: msg.chatId, dropped: r.dropped }, 'card has more buttons than the template has slots');
    return { platformMessageId: await d.api.createAndDeliver(card) };
  }

  async function groupSend(msg: Outbound, msgKey: string, msgParam: Record<string, string>): Promise<SendResult> {
    const key = await d.api.groupSend({ robotCode: d.cfg.robotCode, openConversationId: conversation(msg.chatId), msgKey, msgParam });
    return { platformMessageId: key };
  }

  async function sendText(msg: Outbound & { body: { type: 'text' } }, ctx: SendContext): Promise<SendResult> {
    const r = renderText(msg.body, msg.urgent);
    const now = d.clock.now().getTime();
    // Only a reply to someone's message uses the reply-only session webhook; proactive messages
    // (reminders, announcements) always go through the OpenAPI.
    const wh = msg.replyTo ? d.webhooks.valid(msg.chatId, now) : undefined;
    if (wh) {
      try {
        await d.api.sessionSend(wh.url, r.webhook);
        return { platformMessageId: `session:${ctx.idempotencyKey}` };
      } catch (err) {
        if (!(err instanceof PlatformError) || err.retryable) throw err;
        // Expired early (300001) or refused: stop using it and take the OpenAPI path below.
        d.log.warn({ chatId: msg.chatId, code: err.code }, 'session webhook refused; falling back to the OpenAPI');
        d.webhooks.forget(msg.chatId);
      }
    }
    if (Object.keys(r.at).length > 0 && d.cfg.cardTemplateId) {
      // The group send cannot @; a card delivered with atUserIds can.
      return deliverCard(msg, noticeCard(msg.body, msg.urgent), ctx.idempotencyKey);
    }
    return groupSend(msg, 'sampleText', { content: r.plain });
  }

  async function sendCard(msg: Outbound & { body: { type: 'card' } }, ctx: SendContext): Promise<SendResult> {
    const { body } = msg;
    if (!d.cfg.cardTemplateId) {
      d.log.warn({ chatId: msg.chatId }, 'platforms.dingtalk.cardTemplateId is not set: card sent as markdown without buttons');
      return groupSend(msg, 'sampleMarkdown', cardAsMarkdown(body.card, msg.urgent));
    }
    const r = renderCard(body.card, msg.urgent);
    if (body.update && ctx.updateMessageId) {
      const outTrackId = ctx.updateMessageId;
      await d.gate.wait(outTrackId);
      // The per-user notice is private data set by callback answers; leave it alone.
      const { notice: _notice, ...params } = r.params;
      await d.api.updateCard({ outTrackId, cardParamMap: params });
      return { platformMessageId: outTrackId };
    }
    return deliverCard(msg, r, ctx.idempotencyKey);
  }

  return (msg, ctx) => {
    const b = msg.body;
    return b.type === 'text' ? sendText({ ...msg, body: b }, ctx) : sendCard({ ...msg, body: b }, ctx);
  };
}
