// What both transports (webhook and long connection) do with an authenticated payload:
// - events are stored durably (de-duplicated by event_id and message_id) before the transport
//   acknowledges, and processed after the acknowledgement;
// - card clicks are applied at once, and answered with a toast and the updated card.

import type { Logger } from 'pino';
import type { Core } from '../platform.ts';
import { settingsOf } from '../../db/settings.ts';
import { nativeId, splitMentions, type UserRef } from '../../domain/chat.ts';
import type { FeishuApi } from './feishu.api.ts';
import {
  feishuId,
  type MapContext,
  parseBotMembership,
  toMenuEvent,
  parseCardEvent,
  parseMessageEvent,
  toCardAction,
  toInboundMessage,
  UNSUPPORTED_TEXT,
  welcomeText,
} from './feishu.inbound.ts';
import { callbackResponse, type Names } from './feishu.render.ts';
import { type CardCallbackResponse, type Envelope, EnvelopeSchema, type MessageReceive } from './feishu.types.ts';

export const PLATFORM = 'feishu';
/** A duplicate click (same card, person, button and form) within this window gets the same answer. */
const CLICK_MEMO_MS = 10_000;
/** How long "no name known" is believed for a sender (names are learned from mentions). */
const UNNAMED_MEMO_MS = 1000;
/** After a failed bot-info call, wait this long before asking again. */
const BOT_INFO_RETRY_MS = 60_000;

export type Accepted = 'new' | 'duplicate';

/** What acceptEvent hands to processing: the envelope and, for messages, the message event. */
interface Parsed {
  env: Envelope;
  message: MessageReceive | undefined;
}

export class FeishuReceiver {
  private readonly log: Logger;
  private botOpenId: string | undefined;
  private botInfoPending: Promise<string | undefined> | undefined;
  private botInfoFailedAt = -Infinity;
  private readonly clicks = new Map<string, { at: number; res: CardCallbackResponse }>();
  /** Users found to have no known name, until when (performance.now() ms). */
  private readonly unnamed = new Map<string, number>();

  constructor(
    private readonly core: Core,
    private readonly api: FeishuApi,
  ) {
    this.log = core.log.child({ platform: PLATFORM });
  }

  /** Parses a decrypted body as a v2 envelope (v1 bodies and unknown shapes are undefined). */
  static envelope(body: unknown): Envelope | undefined {
    const r = EnvelopeSchema.safeParse(body);
    return r.success ? r.data : undefined;
  }

  // ── events ──────────────────────────────────────────────────────────────────────────────

  /**
   * Stores the event durably (with the other events of this event-loop turn, in one
   * transaction); resolves once committed with 'duplicate' for one seen before (a platform retry,
   * or the same message under another event_id). Rejects if it could not be stored: the
   * transport must then fail, so that Feishu retries. New events are processed after the
   * acknowledgement, on `env` as parsed here. `payload` is the envelope's JSON text when the
   * transport has it (the decrypted body), so it need not be serialized again.
   */
  async acceptEvent(env: Envelope, payload?: string): Promise<Accepted> {
    const eventId = env.header.event_id;
    const message = env.header.event_type === 'im.message.receive_v1' ? parseMessageEvent(env.event) : undefined;
    const messageId = message?.message.message_id;
    const parsed: Parsed = { env, message };
    // Feishu's receive doc says to de-duplicate messages by message_id, not only event_id: the
    // `message:` marker is stored as done at once (there is nothing to process for it).
    const fresh = await this.core.inbound.submit(PLATFORM, eventId, payload ?? JSON.stringify(env), {
      parsed,
      markers: messageId ? [`message:${messageId}`] : [],
    });
    if (!fresh) {
      this.log.info({ eventId, eventType: env.header.event_type, messageId }, 'duplicate event ignored');
      return 'duplicate';
    }
    return 'new';
  }

  /**
   * Processes one stored payload (registered with core.inbound; also runs on recovery).
   * `parsed` is what acceptEvent parsed, when the event was just received.
   */
  async process(payload: string, parsed?: unknown): Promise<void> {
    const pre = parsed as Parsed | undefined;
    let env = pre?.env;
    if (!env) {
      if (!payload) return; // a de-duplication marker
      env = FeishuReceiver.envelope(JSON.parse(payload));
      if (!env) return;
    }
    const eventId = env.header.event_id;
    switch (env.header.event_type) {
      case 'im.message.receive_v1':
        return this.onMessage(pre?.message ?? parseMessageEvent(env.event), eventId);
      case 'im.chat.member.bot.added_v1':
        return this.onBotAdded(env.event, eventId);
      case 'application.bot.menu_v6': {
        const ev = toMenuEvent(env.event, eventId, this.core.clock.now());
        if (!ev) this.log.warn({ eventId }, 'malformed application.bot.menu_v6 ignored');
        else this.core.engine.handleMenu(ev);
        return;
      }
      case 'im.chat.member.bot.deleted_v1': {
        const ev = parseBotMembership(env.event);
        this.log.info({ eventId, chatId: ev?.chat_id }, 'bot removed from a group');
        return;
      }
      default:
        this.log.debug({ eventId, eventType: env.header.event_type }, 'event type not handled');
    }
  }

  private async onMessage(ev: MessageReceive | undefined, eventId: string): Promise<void> {
    if (!ev) {
      this.log.warn({ eventId }, 'malformed im.message.receive_v1 ignored');
      return;
    }
    const mapped = toInboundMessage(ev, { ...this.mapContext(), botOpenId: this.botOpenId ?? (await this.ensureBotOpenId()) });
    switch (mapped.kind) {
      case 'ignore':
        this.log.debug({ eventId, why: mapped.why }, 'message ignored');
        return;
      case 'unsupported':
        this.log.debug({ eventId, messageType: mapped.messageType, addressed: mapped.addressed }, 'unsupported message');
        if (mapped.addressed) this.post(eventId, mapped.chatId, { text: UNSUPPORTED_TEXT, mentions: [] }, mapped.messageId);
        return;
      case 'message':
        this.core.engine.handleMessage(mapped.msg);
    }
  }

  private onBotAdded(event: unknown, eventId: string): void {
    const ev = parseBotMembership(event);
    if (!ev) return;
    const chatId = feishuId(ev.chat_id);
    this.log.info({ eventId, chatId }, 'bot added to a group');
    const operator = ev.operator_id?.open_id ? feishuId(ev.operator_id.open_id) : undefined;
    this.post(eventId, chatId, welcomeText(operator));
  }

  /**
   * Writes a text message straight to the outbox (for what the engine does not handle), once per
   * event: the claim in the same transaction keeps a recovery after a crash from posting it again.
   */
  private post(eventId: string, chatId: string, body: { text: string; mentions: UserRef[] }, replyTo?: string): void {
    const { repo, clock } = this.core;
    const names = repo.userNames(body.mentions.map((m) => m.id));
    const mentions = body.mentions.map((m) => ({ id: m.id, name: names.get(m.id) ?? m.name }));
    repo.tx(() => {
      if (!repo.claimMessage(PLATFORM, `event:${eventId}`, clock.now().getTime())) return;
      repo.ensureChat(chatId, PLATFORM, undefined);
      repo.enqueue({ platform: PLATFORM, chatId, body: { type: 'text', ...body, mentions }, replyTo }, clock.now().getTime());
    });
    this.core.kick();
  }

  // ── card callbacks ──────────────────────────────────────────────────────────────────────

  /** Applies a click and answers it (synchronously: Feishu waits at most 3 s and never retries). */
  cardAction(env: Envelope): CardCallbackResponse {
    const ev = parseCardEvent(env.event);
    const action = ev && toCardAction(ev, this.mapContext());
    if (!ev || !action) {
      this.log.warn({ eventId: env.header.event_id }, 'card callback not understood');
      return { toast: { type: 'error', content: '无法识别的操作，请刷新卡片后重试。', i18n: { zh_cn: '无法识别的操作，请刷新卡片后重试。' } } };
    }
    const now = this.core.clock.now().getTime();
    // The same click has been seen delivered twice under different event_ids: the second must get
    // the first one's success, not "已处理". Refusals are not kept (a retry may well succeed).
    const key = JSON.stringify([ev.context?.open_message_id, action.actor.id, ev.action.value, ev.action.form_value ?? null]);
    for (const [k, v] of this.clicks) if (now - v.at > CLICK_MEMO_MS) this.clicks.delete(k);
    const seen = this.clicks.get(key);
    if (seen) return seen.res;

    // A callback resent byte for byte (after the memo above let go, or after a restart) has the
    // same event_id: the engine answers it as done instead of acting again.
    // Past this process's memo (the repeat reached another instance, or came later), the engine
    // answers the same person's same click within the window with its success, from the audit.
    const r = this.core.engine.handleCardAction({ ...action, replayKey: `feishu-event:${env.header.event_id}`, repeatWindowMs: CLICK_MEMO_MS });
    this.log.info({ chatId: action.chatId, itemId: action.itemId, action: action.action, ok: r.ok }, 'card action');
    const res = callbackResponse(r, this.names(r.toast, r.card?.mentions ?? []));
    if (r.ok) this.clicks.set(key, { at: now, res });
    return res;
  }

  // ── helpers ─────────────────────────────────────────────────────────────────────────────

  private mapContext(): MapContext {
    return {
      botOpenId: this.botOpenId,
      nameOf: (id) => this.nameOf(id),
      now: this.core.clock.now(),
    };
  }

  /**
   * A user's known display name. Feishu events carry no sender names (they are learned from
   * mentions), so most senders are unknown: that answer is kept for a second, sparing a query
   * per message from the same people.
   */
  private nameOf(id: string): string | undefined {
    const now = performance.now();
    const until = this.unnamed.get(id);
    if (until !== undefined && until > now) return undefined;
    const name = this.core.repo.userNames([id]).get(id);
    if (name === undefined) {
      if (this.unnamed.size >= 10_000) this.unnamed.clear();
      this.unnamed.set(id, now + UNNAMED_MEMO_MS);
    } else if (until !== undefined) this.unnamed.delete(id);
    return name;
  }

  /** Names for the mention tokens in a toast, plus those a card already carries. */
  private names(text: string, extra: { id: string; name: string }[]): Names {
    const ids = splitMentions(text).flatMap((s) => ('userId' in s ? [s.userId] : []));
    const known = this.core.repo.userNames(ids);
    const out = new Map<string, string>(extra.map((m) => [m.id, m.name]));
    for (const id of ids) out.set(id, known.get(id) ?? out.get(id) ?? nativeId(id));
    return out;
  }

  /** The bot's open_id, fetched once (GET /open-apis/bot/v3/info); undefined while unavailable. */
  async ensureBotOpenId(): Promise<string | undefined> {
    if (this.botOpenId) return this.botOpenId;
    // The identity learned before (kept in settings) answers while the OpenAPI does not.
    const key = `feishu:botOpenId:${this.core.config.platforms.feishu.appId}`;
    const settings = settingsOf(this.core.repo.db);
    const saved = settings.get(key);
    const now = this.core.clock.now().getTime();
    // With nothing saved, ask again at once: without it @bot cannot be told from @someone.
    if (saved && now - this.botInfoFailedAt < BOT_INFO_RETRY_MS) return saved;
    this.botInfoPending ??= this.api
      .botInfo()
      .then((b) => {
        this.botOpenId = b.openId;
        settings.set(key, b.openId);
        this.log.info({ botOpenId: b.openId, appName: b.name }, 'bot identity loaded');
        return b.openId;
      })
      .catch((err: unknown) => {
        this.botInfoFailedAt = this.core.clock.now().getTime();
        this.log.warn({ err: (err as Error).message }, 'could not read the bot identity; using the one saved before, else the mention type');
        return saved;
      })
      .finally(() => {
        this.botInfoPending = undefined;
      });
    return this.botInfoPending;
  }
}
