// Long-connection mode: the SDK's WSClient receives events and card callbacks over an outbound
// WebSocket (no public URL). Handlers registered on an EventDispatcher feed the same receiver as
// the webhook; a card handler's return value rides back in the ACK frame as the callback answer.
// https://open.larksuite.com/document/uAjLw4CM/ukTMukTMukTM/event-subscription-guide/callback-subscription/configure-callback-request-address
// Payloads arrive plaintext (auth happens at connect) and are flattened by the SDK:
// {schema, ...header, ...event}, event keys winning (a card's `token` is the c-… update token).

import { EventDispatcher, LoggerLevel, WSClient } from '@larksuiteoapi/node-sdk';
import type { Logger } from 'pino';
import type { ConnectionState } from '../platform.ts';
import { sdkLogger } from './feishu.api.ts';
import type { FeishuReceiver } from './feishu.receiver.ts';
import { CARD_CALLBACK, type CardCallbackResponse, type Envelope } from './feishu.types.ts';

/** The event types Groupflow handles; each must also be subscribed in the developer console. */
export const EVENT_TYPES = ['im.message.receive_v1', 'im.chat.member.bot.added_v1', 'im.chat.member.bot.deleted_v1', 'application.bot.menu_v6'] as const;

const HEADER_KEYS = ['event_id', 'event_type', 'create_time', 'app_id', 'tenant_key'] as const;
/** The SDK's WSClient silently refuses to start for any other App ID. */
export const LONGCONN_APP_ID = /^cli_[0-9a-fA-F]{16}$/;

/** Undoes the SDK's flattening: the v2 envelope the receiver (and the webhook) works with. */
export function unflatten(data: Record<string, unknown>, eventType: string): Envelope {
  const header: Record<string, unknown> = { event_type: eventType };
  const event: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(data)) {
    if ((HEADER_KEYS as readonly string[]).includes(k)) header[k] = v;
    else if (k !== 'schema' && !(k === 'token' && eventType !== CARD_CALLBACK)) event[k] = v;
  }
  header.event_type = eventType;
  return { schema: '2.0', header: header as Envelope['header'], event };
}

/**
 * The dispatcher the WSClient invokes. Event handlers only store the event (the ACK must go out
 * within 3 s, and a throw makes Feishu push again); the card handler answers the click.
 */
export function createDispatcher(receiver: FeishuReceiver, log: Logger): EventDispatcher {
  const d = new EventDispatcher({ logger: sdkLogger(log), loggerLevel: LoggerLevel.debug });
  const handlers: Record<string, (data: Record<string, unknown>) => Promise<CardCallbackResponse | undefined>> = {};
  for (const type of EVENT_TYPES) {
    handlers[type] = async (data) => {
      await receiver.acceptEvent(unflatten(data, type));
      return undefined;
    };
  }
  handlers[CARD_CALLBACK] = async (data) => receiver.cardAction(unflatten(data, CARD_CALLBACK));
  // `card.action.trigger` is missing from the SDK's generated handler typings (#98, #156).
  return d.register(handlers as Parameters<EventDispatcher['register']>[0]);
}

export interface LongConnOptions {
  appId: string;
  appSecret: string;
  domain: string;
  log: Logger;
  /** How long start() waits for the first connection before returning (it keeps trying). */
  readyTimeoutMs?: number;
  /** Restart backoff after a fatal error: base doubling per failure up to max, with jitter. */
  baseDelayMs?: number;
  maxDelayMs?: number;
  /** A connection up this long resets the backoff. */
  stableMs?: number;
  /** How often the client's own status is checked (a client can stop without telling). */
  checkMs?: number;
  random?: () => number;
}

/**
 * The long connection, supervised. The SDK's WSClient reconnects by itself after a dropped
 * socket, but treats some endpoint answers as fatal and then stops for good: `{code: 1, msg:
 * "system busy"}` (any non-zero code but its one "internal error"), or running out of its
 * server-given reconnect count. Such a client is thrown away and a new one started after a
 * backoff with jitter, as the DingTalk Stream supervisor does, for as long as the bot runs.
 */
export class FeishuLongConn {
  private client: WSClient | undefined;
  private readonly log: Logger;
  private stateNow: ConnectionState = 'idle';
  private attempts = 0;
  private opened = 0;
  private sdkReconnects = 0;
  private connectedAt = 0;
  private retryTimer: NodeJS.Timeout | undefined;
  private checkTimer: NodeJS.Timeout | undefined;
  private firstOutcome: (() => void) | undefined;
  private readonly listeners = new Set<(s: ConnectionState) => void>();
  private readonly t: Required<Pick<LongConnOptions, 'baseDelayMs' | 'maxDelayMs' | 'stableMs' | 'checkMs' | 'random'>>;

  constructor(
    private readonly o: LongConnOptions,
    readonly dispatcher: EventDispatcher,
  ) {
    this.log = o.log.child({ platform: 'feishu', transport: 'longconn' });
    this.t = {
      baseDelayMs: o.baseDelayMs ?? 1000,
      maxDelayMs: o.maxDelayMs ?? 60_000,
      stableMs: o.stableMs ?? 60_000,
      checkMs: o.checkMs ?? 30_000,
      random: o.random ?? Math.random,
    };
  }

  get state(): ConnectionState {
    return this.stateNow;
  }

  /** Connection attempts after the first: our restarts plus the SDK's own reconnects. */
  get reconnects(): number {
    return Math.max(0, this.opened - 1) + this.sdkReconnects;
  }

  /** Calls `fn` on every state change (tests). */
  onState(fn: (s: ConnectionState) => void): () => void {
    this.listeners.add(fn);
    return () => this.listeners.delete(fn);
  }

  /**
   * Starts the supervised connection; resolves once the first attempt connected or failed, or
   * after readyTimeoutMs with a warning. Failures are retried in the background, never thrown.
   */
  async start(): Promise<void> {
    if (this.stateNow !== 'idle') return;
    if (!LONGCONN_APP_ID.test(this.o.appId)) {
      this.log.error({ appId: this.o.appId }, 'long connection not started: platforms.feishu.appId must look like cli_ followed by 16 hex digits');
      return;
    }
    const outcome = new Promise<'done'>((r) => (this.firstOutcome = () => r('done')));
    this.checkTimer = setInterval(() => this.check(), this.t.checkMs);
    this.checkTimer.unref();
    this.open();
    const timeout = this.o.readyTimeoutMs ?? 10_000;
    let timer: NodeJS.Timeout | undefined;
    const timedOut = new Promise<'timeout'>((r) => (timer = setTimeout(() => r('timeout'), timeout)));
    const r = await Promise.race([outcome, timedOut]);
    clearTimeout(timer);
    if (r === 'timeout') this.log.warn({ timeoutMs: timeout }, 'long connection not up yet; still trying in the background');
  }

  async stop(): Promise<void> {
    this.set('stopped');
    clearTimeout(this.retryTimer);
    clearInterval(this.checkTimer);
    this.client?.close({ force: true });
    this.client = undefined;
    this.firstOutcome?.();
  }

  private set(s: ConnectionState, extra: Record<string, unknown> = {}): void {
    if (s === this.stateNow) return;
    const from = this.stateNow;
    this.stateNow = s;
    this.log.info({ from, to: s, ...extra }, 'feishu long connection state');
    for (const fn of this.listeners) fn(s);
  }

  private open(): void {
    if (this.stateNow === 'stopped') return;
    this.opened++;
    this.set('connecting', { attempt: this.attempts + 1 });
    const client: WSClient = new WSClient({
      appId: this.o.appId,
      appSecret: this.o.appSecret,
      domain: this.o.domain.replace(/\/+$/, ''),
      logger: sdkLogger(this.log),
      loggerLevel: LoggerLevel.info,
      // Dropped sockets: the SDK reconnects (its interval and count come from the server).
      autoReconnect: true,
      handshakeTimeoutMs: 10_000,
      // A half-dead socket otherwise stays silent until the next ping round-trip fails.
      wsConfig: { pingTimeout: 30 },
      onReady: () => this.up(client),
      onReconnecting: () => {
        if (client !== this.client) return;
        this.sdkReconnects++;
        this.set('connecting', { by: 'sdk' });
      },
      onReconnected: () => this.up(client),
      onError: (err) => this.fatal(client, err.message),
    });
    this.client = client;
    client.start({ eventDispatcher: this.dispatcher }).catch((err: unknown) => this.fatal(client, (err as Error).message));
  }

  private up(client: WSClient): void {
    if (client !== this.client || this.stateNow === 'stopped') return;
    this.connectedAt = performance.now();
    this.set('connected');
    this.firstOutcome?.();
  }

  /** The client gave up: drop it and start a new one after a backoff. */
  private fatal(client: WSClient, reason: string): void {
    if (client !== this.client || this.stateNow === 'stopped') return;
    this.log.error({ err: reason }, 'long connection failed; restarting the client');
    client.close({ force: true });
    this.client = undefined;
    this.firstOutcome?.();
    if (this.connectedAt && performance.now() - this.connectedAt >= this.t.stableMs) this.attempts = 0;
    this.connectedAt = 0;
    const exp = Math.min(this.t.maxDelayMs, this.t.baseDelayMs * 2 ** this.attempts);
    // Jitter in [exp/2, exp): many bots restarting together do not hit the endpoint at once.
    const delay = Math.round(exp / 2 + (this.t.random() * exp) / 2);
    this.attempts++;
    this.set('waiting', { retryInMs: delay });
    this.retryTimer = setTimeout(() => this.open(), delay);
    this.retryTimer.unref();
  }

  /** A client whose status says it failed, without an onError we heard, is restarted too. */
  private check(): void {
    const client = this.client;
    if (client && client.getConnectionStatus().state === 'failed') this.fatal(client, 'client stopped (status failed)');
  }
}
