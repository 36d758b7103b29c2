// The Feishu (Lark) platform: webhook routes and/or the long connection in, the SDK Client out.
// Files by role: feishu.verify (webhook auth, pure) · feishu.routes (HTTP in) · feishu.ws (long
// connection in) · feishu.receiver (store, de-duplicate, dispatch) · feishu.inbound (payload →
// neutral event, pure) · feishu.render (neutral → text / card JSON 2.0, pure) · feishu.api
// (OpenAPI calls) · feishu.types (wire types).

import type { EventDispatcher } from '@larksuiteoapi/node-sdk';
import type { Outbound } from '../../domain/chat.ts';
import type { ConnectionStatus, Core, Platform, PlatformModule, SendContext, SendResult } from '../platform.ts';
import { FeishuApi } from './feishu.api.ts';
import { FeishuReceiver, PLATFORM } from './feishu.receiver.ts';
import { feishuRoutes } from './feishu.routes.ts';
import { createDispatcher, FeishuLongConn, type LongConnOptions } from './feishu.ws.ts';

export class FeishuPlatform implements Platform {
  readonly name = PLATFORM;
  private readonly longConn: FeishuLongConn | undefined;

  constructor(
    readonly api: FeishuApi,
    readonly receiver: FeishuReceiver,
    /** The handlers the long connection invokes (exposed for tests, which call them directly). */
    readonly dispatcher: EventDispatcher,
    longConn: FeishuLongConn | undefined,
  ) {
    this.longConn = longConn;
  }

  send(msg: Outbound, ctx: SendContext): Promise<SendResult> {
    return this.api.send(msg, ctx);
  }

  /** Loads the bot's identity (for @bot detection) and, in longconn mode, connects. */
  async start(): Promise<void> {
    await this.receiver.ensureBotOpenId();
    await this.longConn?.start();
  }

  async stop(): Promise<void> {
    await this.longConn?.stop();
  }

  connections(): ConnectionStatus[] {
    const c = this.longConn;
    return c ? [{ transport: 'longconn', state: c.state, reconnects: c.reconnects }] : [];
  }

  /** The supervised long connection in longconn mode (tests). */
  get longConnection(): FeishuLongConn | undefined {
    return this.longConn;
  }
}

export interface FeishuOptions {
  /** Per-request OpenAPI timeout (default 10 s). */
  timeoutMs?: number;
  /** How long start() waits for the long connection before going on (default 10 s). */
  readyTimeoutMs?: number;
  /** Overrides for the long connection's restart backoff (tests shorten its timers). */
  longConn?: Pick<LongConnOptions, 'baseDelayMs' | 'maxDelayMs' | 'stableMs' | 'checkMs' | 'random'>;
}

/** Builds the Feishu module from `platforms.feishu` (the caller checks `enabled`). */
export function createFeishu(core: Core, opts: FeishuOptions = {}): PlatformModule {
  const cfg = core.config.platforms.feishu;
  const log = core.log.child({ platform: PLATFORM });
  const api = new FeishuApi({ appId: cfg.appId, appSecret: cfg.appSecret, domain: cfg.domain, log, timeoutMs: opts.timeoutMs });
  const receiver = new FeishuReceiver(core, api);
  core.inbound.on(PLATFORM, (payload, parsed) => receiver.process(payload, parsed));
  const dispatcher = createDispatcher(receiver, log);
  const longConn =
    cfg.mode === 'longconn'
      ? new FeishuLongConn({ appId: cfg.appId, appSecret: cfg.appSecret, domain: cfg.domain, log, readyTimeoutMs: opts.readyTimeoutMs, ...opts.longConn }, dispatcher)
      : undefined;
  // Webhook routes exist in webhook mode, and in longconn mode only when credentials to check
  // them are configured (events and callbacks can be set to different modes in the console).
  const withRoutes = cfg.mode === 'webhook' || Boolean(cfg.encryptKey || cfg.verificationToken);
  return {
    platform: new FeishuPlatform(api, receiver, dispatcher, longConn),
    ...(withRoutes
      ? {
          routes: feishuRoutes({
            receiver,
            clock: core.clock,
            secrets: { encryptKey: cfg.encryptKey, verificationToken: cfg.verificationToken, appId: cfg.appId },
          }),
        }
      : {}),
  };
}
