// The DingTalk platform module: routes (HTTP mode), the Stream connection (stream mode), and
// delivery of outbox rows through the OpenAPI, session webhooks and interactive cards.
// Config: platforms.dingtalk.{enabled, mode, clientId, clientSecret, robotCode, cardTemplateId,
// apiBase, oapiBase}; server.publicUrl for registering the HTTP card callback.

import type { Core, Platform, PlatformModule } from '../platform.ts';
import { DingtalkApi } from './dingtalk.api.ts';
import { type HandlerDeps, PLATFORM, processRobotMessage } from './dingtalk.handlers.ts';
import { CallbackGate, CARD_ROUTE_KEY, createSender, WebhookBook } from './dingtalk.outbound.ts';
import { dingtalkRoutes } from './dingtalk.routes.ts';
// Type-only: the Stream client (dingtalk-stream and its WebSocket stack) is imported in start(),
// in stream mode only.
import type { StreamSupervisor, SupervisorOptions } from './dingtalk.stream.ts';

export interface DingtalkOptions {
  /** Overrides for the Stream supervisor (tests shorten its timers). */
  stream?: Partial<Omit<SupervisorOptions, 'clientId' | 'clientSecret' | 'openGateway' | 'log' | 'register'>>;
}

export interface DingtalkModule extends PlatformModule {
  /** The Stream supervisor once started in stream mode (tests, health reporting). */
  stream: () => StreamSupervisor | undefined;
}

export function createDingtalk(core: Core, opts: DingtalkOptions = {}): DingtalkModule {
  const cfg = core.config.platforms.dingtalk;
  const log = core.log.child({ platform: PLATFORM });
  const apiBase = cfg.apiBase.replace(/\/+$/, '');
  const api = new DingtalkApi({ apiBase, clientId: cfg.clientId, clientSecret: cfg.clientSecret, clock: core.clock, log });
  const webhooks = new WebhookBook(cfg.oapiBase);
  const gate = new CallbackGate();
  const deps: HandlerDeps = { core, webhooks, gate, log };
  const send = createSender({
    api,
    cfg: { mode: cfg.mode, robotCode: cfg.robotCode, cardTemplateId: cfg.cardTemplateId },
    webhooks,
    gate,
    clock: core.clock,
    log,
  });
  core.inbound.on(PLATFORM, (payload, parsed) => processRobotMessage(deps, payload, parsed));

  let supervisor: StreamSupervisor | undefined;
  const platform: Platform = {
    name: 'dingtalk',
    send,
    async start() {
      if (!cfg.cardTemplateId) log.warn('platforms.dingtalk.cardTemplateId is not set: cards go out as markdown without buttons');
      if (cfg.mode === 'stream') {
        const { registerHandlers, StreamSupervisor } = await import('./dingtalk.stream.ts');
        supervisor = new StreamSupervisor({
          clientId: cfg.clientId,
          clientSecret: cfg.clientSecret,
          openGateway: (subscriptions, ua) => api.openGateway(subscriptions, ua),
          log,
          register: registerHandlers(deps),
          ...opts.stream,
        });
        supervisor.start();
        return;
      }
      await registerCardCallback();
    },
    async stop() {
      await supervisor?.stop();
    },
    connections: () => (cfg.mode === 'stream' ? [{ transport: 'stream', state: supervisor?.state ?? 'idle', reconnects: supervisor?.reconnects ?? 0 }] : []),
  };

  /** HTTP mode: tell DingTalk where card clicks go, signed with the AppSecret as apiSecret. */
  async function registerCardCallback(): Promise<void> {
    const base = core.config.server.publicUrl?.replace(/\/+$/, '');
    if (!base) {
      log.warn('server.publicUrl is not set: card callbacks cannot be registered, so card buttons will not reach the bot');
      return;
    }
    try {
      await api.registerCardCallback({ callbackRouteKey: CARD_ROUTE_KEY, callbackUrl: `${base}/dingtalk/card`, apiSecret: cfg.clientSecret });
      log.info({ callbackUrl: `${base}/dingtalk/card` }, 'dingtalk card callback registered');
    } catch (err) {
      log.error({ err }, 'could not register the dingtalk card callback URL');
    }
  }

  return {
    platform,
    routes: dingtalkRoutes({ ...deps, secret: cfg.clientSecret }),
    stream: () => supervisor,
  };
}

export type { StreamState } from './dingtalk.stream.ts';
