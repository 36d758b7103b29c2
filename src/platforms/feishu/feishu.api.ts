// Outbound calls through the official SDK's Client: send into a chat, reply to a message, update
// a card in place, and read the bot's own identity. Every failure becomes a PlatformError with
// the vendor code and whether the outbox should retry.

import {
  type Cache,
  Client,
  defaultHttpInstance,
  type HttpInstance,
  type Logger as LarkLogger,
  LoggerLevel,
} from '@larksuiteoapi/node-sdk';
import type { Logger } from 'pino';
import { type Outbound, nativeId } from '../../domain/chat.ts';
import { PlatformError, type SendContext, type SendResult } from '../platform.ts';
import { ephemeralCard, isPersonChat, renderOutbound } from './feishu.render.ts';

export interface FeishuApiOptions {
  appId: string;
  appSecret: string;
  /** OpenAPI base URL, e.g. https://open.feishu.cn (any other string is used verbatim). */
  domain: string;
  log: Logger;
  /** Per-request timeout; a hung call must not hold a chat's outbox. */
  timeoutMs?: number;
}

/** Feishu codes worth retrying: gateway rate limit, IM rate limit. */
const RETRYABLE_CODES = new Set([99991400, 230020]);
/** The tenant token was refused: drop the cached one and retry once. */
const TOKEN_INVALID = new Set([99991663, 99991668]);
/** A reply target that is gone: post into the chat instead. */
const REPLY_TARGET_GONE = new Set(['230011', '231003', '230110']);

/**
 * The SDK caches tenant tokens in a process-global store keyed by App ID, never invalidated on
 * 99991663. Each FeishuApi gets its own store instead, which it can clear.
 */
export class TokenCache implements Cache {
  private readonly m = new Map<string, { value: unknown; expire?: number }>();
  private key(k: string | symbol | Symbol, ns?: string): string {
    return `${ns ?? ''}\u0000${String(k)}`;
  }
  async set(k: string | Symbol, value: unknown, expire?: number, o?: { namespace?: string }): Promise<boolean> {
    this.m.set(this.key(k, o?.namespace), { value, expire });
    return true;
  }
  async get(k: string | Symbol, o?: { namespace?: string }): Promise<unknown> {
    const e = this.m.get(this.key(k, o?.namespace));
    // The SDK computes `expire` from the real clock, so it is checked against the real clock.
    if (!e || (e.expire !== undefined && e.expire < Date.now())) return undefined;
    return e.value;
  }
  clear(): void {
    this.m.clear();
  }
}

/** The SDK's default axios instance with a timeout on every call. */
function withTimeout(h: HttpInstance, timeout: number): HttpInstance {
  return {
    request: (o) => h.request({ timeout, ...o }),
    get: (url, o) => h.get(url, { timeout, ...o }),
    delete: (url, o) => h.delete(url, { timeout, ...o }),
    head: (url, o) => h.head(url, { timeout, ...o }),
    options: (url, o) => h.options(url, { timeout, ...o }),
    post: (url, data, o) => h.post(url, data, { timeout, ...o }),
    put: (url, data, o) => h.put(url, data, { timeout, ...o }),
    patch: (url, data, o) => h.patch(url, data, { timeout, ...o }),
  };
}

/**
 * Bridges the SDK's logger to pino. The SDK passes whole axios errors (request headers with the
 * bearer token, the token request body with the app secret), so only strings and error messages
 * are kept. Its errors are ours to report, so they are logged at debug; plain strings (the
 * long-connection state) keep a visible level.
 */
export function sdkLogger(log: Logger): LarkLogger {
  const describe = (args: unknown[]): { text: string; hadObject: boolean } => {
    let hadObject = false;
    const parts = args.flat(2).map((a) => {
      if (typeof a === 'string') return a;
      hadObject = true;
      if (a instanceof Error) return a.message;
      if (a && typeof a === 'object' && 'message' in a) return String((a as { message: unknown }).message);
      return '';
    });
    // The long connection's URL carries its access ticket in the query string.
    const text = parts.filter(Boolean).join(' ').replace(/\b((?:wss?|https?):\/\/[^\s?#]+)\?\S*/gi, '$1?[redacted]');
    return { text, hadObject };
  };
  const at = (level: 'warn' | 'info' | 'debug' | 'trace') => (...args: unknown[]) => {
    const { text, hadObject } = describe(args);
    if (!text) return;
    const lvl = hadObject && (level === 'warn' || level === 'info') ? 'debug' : level;
    log[lvl]({ sdk: 'lark' }, text);
  };
  return { error: at('warn'), warn: at('warn'), info: at('debug'), debug: at('trace'), trace: at('trace') };
}

interface Reply {
  code?: number;
  msg?: string;
  data?: { message_id?: string };
}

interface AxiosLike {
  isAxiosError?: boolean;
  code?: string;
  message: string;
  response?: { status: number; data?: unknown; headers?: Record<string, unknown> };
}

/** Seconds to wait from `x-ogw-ratelimit-reset`, as ms. */
function resetMs(headers: Record<string, unknown> | undefined): number | undefined {
  const v = headers?.['x-ogw-ratelimit-reset'];
  const n = Number(Array.isArray(v) ? v[0] : v);
  return Number.isFinite(n) && n >= 0 ? Math.ceil(n * 1000) : undefined;
}

/** Any failure of an SDK call → PlatformError (retryable for rate limits, 5xx and timeouts). */
export function toPlatformError(err: unknown): PlatformError {
  if (err instanceof PlatformError) return err;
  const e = err as AxiosLike;
  if (e?.isAxiosError) {
    const res = e.response;
    if (!res) return new PlatformError('feishu', e.code ?? 'network', e.message, true); // timeout, reset, refused
    const body = (res.data ?? {}) as { code?: unknown; msg?: unknown };
    const code = typeof body.code === 'number' ? body.code : undefined;
    const msg = typeof body.msg === 'string' ? body.msg : e.message;
    const retryable = res.status === 429 || res.status >= 500 || (code !== undefined && RETRYABLE_CODES.has(code));
    return new PlatformError('feishu', String(code ?? `http_${res.status}`), msg, retryable, retryable ? resetMs(res.headers) : undefined);
  }
  // The SDK throws a plain Error when the token endpoint answers a non-zero code (bad secret…).
  return new PlatformError('feishu', 'token', (err as Error)?.message ?? String(err), false);
}

function codeError(r: Reply): PlatformError {
  const code = r.code ?? -1;
  return new PlatformError('feishu', String(code), r.msg ?? 'unknown error', RETRYABLE_CODES.has(code));
}

export class FeishuApi {
  readonly client: Client;
  private readonly tokens = new TokenCache();
  private readonly log: Logger;

  constructor(o: FeishuApiOptions) {
    this.log = o.log.child({ platform: 'feishu' });
    this.client = new Client({
      appId: o.appId,
      appSecret: o.appSecret,
      domain: o.domain.replace(/\/+$/, ''),
      logger: sdkLogger(this.log),
      loggerLevel: LoggerLevel.debug,
      cache: this.tokens,
      // The SDK's response interceptor unwraps axios responses to bodies, which its typing misses.
      httpInstance: withTimeout(defaultHttpInstance as unknown as HttpInstance, o.timeoutMs ?? 10_000),
    });
  }

  /**
   * Runs one call. HTTP 200 with a non-zero code is a failure too. A refused tenant token is
   * dropped and the call retried once with a fresh one.
   */
  private async call<T extends Reply>(op: string, fn: () => Promise<T>): Promise<T> {
    for (let attempt = 0; ; attempt++) {
      let err: PlatformError;
      try {
        const r = await fn();
        if (!r.code) return r;
        err = codeError(r);
      } catch (e) {
        err = toPlatformError(e);
      }
      if (attempt === 0 && TOKEN_INVALID.has(Number(err.code))) {
        this.tokens.clear();
        continue;
      }
      this.log.warn({ op, code: err.code, retryable: err.retryable, retryAfterMs: err.retryAfterMs, err: err.message }, 'feishu call failed');
      throw err;
    }
  }

  /** Delivers one outbox row: a card update in place, a reply to a message, or a new message. */
  async send(msg: Outbound, ctx: SendContext): Promise<SendResult> {
    const only = ephemeralCard(msg);
    if (only) {
      try {
        // https://open.feishu.cn/document/server-docs/im-v1/message-card/send-message-cards-that-are-only-visible-to-certain-people
        const r = await this.call('ephemeral', () =>
          this.client.request<Reply & { data?: { message_id?: string } }>({
            method: 'POST',
            url: '/open-apis/ephemeral/v1/send',
            data: { chat_id: nativeId(msg.chatId), open_id: only.openId, msg_type: 'interactive', card: only.card },
          }),
        );
        return { platformMessageId: r.data?.message_id ?? '' };
      } catch (e) {
        // A group that cannot show it (a topic group, a person who left): the group gets it.
        if (!(e instanceof PlatformError) || e.retryable) throw e;
        this.log.warn({ code: e.code, chatId: msg.chatId }, 'feishu ephemeral send refused; sending to the group');
      }
    }
    const { msgType, content } = renderOutbound(msg);
    if (msg.body.type === 'card' && msg.body.update && ctx.updateMessageId) {
      const message_id = ctx.updateMessageId;
      // https://open.larksuite.com/document/uAjLw4CM/ukTMukTMukTM/reference/im-v1/message/patch
      await this.call('patch', () => this.client.im.message.patch({ path: { message_id }, data: { content } }));
      return { platformMessageId: message_id };
    }
    if (msg.replyTo) {
      const message_id = msg.replyTo;
      try {
        // https://open.larksuite.com/document/uAjLw4CM/ukTMukTMukTM/reference/im-v1/message/reply
        // A quoted reply stays in the main stream where the group sees it; Feishu threads it
        // anyway when the command itself was in a thread.
        const r = await this.call('reply', () =>
          this.client.im.message.reply({ path: { message_id }, data: { content, msg_type: msgType, uuid: ctx.idempotencyKey } }),
        );
        return { platformMessageId: r.data?.message_id ?? '' };
      } catch (e) {
        if (!(e instanceof PlatformError) || !REPLY_TARGET_GONE.has(e.code)) throw e;
      }
    }
    // https://open.feishu.cn/document/server-docs/im-v1/message/create
    const r = await this.call('create', () =>
      this.client.im.message.create({
        // A person's private chat with the bot is addressed by their open_id.
        params: { receive_id_type: isPersonChat(msg.chatId) ? 'open_id' : 'chat_id' },
        data: { receive_id: nativeId(msg.chatId), msg_type: msgType, content, uuid: ctx.idempotencyKey },
      }),
    );
    return { platformMessageId: r.data?.message_id ?? '' };
  }

  /** The bot's own identity. https://open.larkoffice.com/document/ukTMukTMukTM/uAjMxEjLwITMx4CMyETM */
  async botInfo(): Promise<{ openId: string; name?: string }> {
    const r = await this.call('bot_info', () =>
      this.client.request<Reply & { bot?: { open_id?: string; app_name?: string } }>({ method: 'GET', url: '/open-apis/bot/v3/info' }),
    );
    const openId = r.bot?.open_id;
    if (!openId) throw new PlatformError('feishu', 'bot_info', 'bot/v3/info returned no open_id (is the bot capability on?)', false);
    return { openId, name: r.bot?.app_name };
  }

  /**
   * The first page of groups the bot is in (needs im:chat:readonly or im:chat).
   * https://open.feishu.cn/document/server-docs/group/chat/list
   */
  async chats(pageSize = 20): Promise<Array<{ chatId: string; name: string }>> {
    const r = await this.call('chats', () =>
      this.client.request<Reply & { data?: { items?: Array<{ chat_id?: string; name?: string }> } }>({
        method: 'GET',
        url: '/open-apis/im/v1/chats',
        params: { page_size: pageSize },
      }),
    );
    return (r.data?.items ?? []).flatMap((c) => (c.chat_id ? [{ chatId: c.chat_id, name: c.name ?? '' }] : []));
  }
}
