// Long-connection mode: the SDK's WSClient receives events and card callbacks over an outbound
// WebSocket (no public URL). Handlers registered on an EventDispatcher feed the same receiver as
// the webhook; a card handler's return value rides back in the ACK frame as the callback answer.
// https://open.larksuite.com/document/uAjLw4CM/ukTMukTMukTM/event-subscription-guide/callback-subscription/configure-callback-request-address
// Payloads arrive plaintext (auth happens at connect) and are flattened by the SDK:
// {schema, ...header, ...event}, event keys winning (a card's `token` is the c-… update token).

import { EventDispatcher, LoggerLevel, WSClient } from '@larksuiteoapi/node-sdk';
import type { Logger } from 'pino';
import { sdkLogger } from './feishu.api.ts';
import type { FeishuReceiver } from './feishu.receiver.ts';
import { CARD_CALLBACK, type CardCallbackResponse, type Envelope } from './feishu.types.ts';

/** The event types Groupflow handles; each must also be subscribed in the developer console. */
export const EVENT_TYPES = ['im.message.receive_v1', 'im.chat.member.bot.added_v1', 'im.chat.member.bot.deleted_v1'] as const;

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
}

export class FeishuLongConn {
  private client: WSClient | undefined;
  private readonly log: Logger;

  constructor(
    private readonly o: LongConnOptions,
    readonly dispatcher: EventDispatcher,
  ) {
    this.log = o.log.child({ platform: 'feishu', transport: 'longconn' });
  }

  /** Connects; resolves when connected, or after readyTimeoutMs with a warning (the SDK retries). */
  async start(): Promise<void> {
    if (this.client) return;
    if (!LONGCONN_APP_ID.test(this.o.appId)) {
      this.log.error({ appId: this.o.appId }, 'long connection not started: platforms.feishu.appId must look like cli_ followed by 16 hex digits');
      return;
    }
    let ready!: () => void;
    const isReady = new Promise<void>((r) => (ready = r));
    this.client = new WSClient({
      appId: this.o.appId,
      appSecret: this.o.appSecret,
      domain: this.o.domain.replace(/\/+$/, ''),
      logger: sdkLogger(this.log),
      loggerLevel: LoggerLevel.info,
      autoReconnect: true,
      handshakeTimeoutMs: 10_000,
      // A half-dead socket otherwise stays silent until the next ping round-trip fails.
      wsConfig: { pingTimeout: 30 },
      onReady: () => {
        this.log.info('long connection established');
        ready();
      },
      onReconnecting: () => this.log.warn('long connection lost, reconnecting'),
      onReconnected: () => this.log.info('long connection re-established'),
      onError: (err) => {
        this.log.error({ err: err.message }, 'long connection failed');
        ready();
      },
    });
    await this.client.start({ eventDispatcher: this.dispatcher });
    const timeout = this.o.readyTimeoutMs ?? 10_000;
    let timer: NodeJS.Timeout | undefined;
    const timedOut = new Promise<'timeout'>((r) => (timer = setTimeout(() => r('timeout'), timeout)));
    const r = await Promise.race([isReady, timedOut]);
    clearTimeout(timer);
    if (r === 'timeout') this.log.warn({ timeoutMs: timeout }, 'long connection not up yet; still trying in the background');
  }

  async stop(): Promise<void> {
    this.client?.close({ force: true });
    this.client = undefined;
  }
}
