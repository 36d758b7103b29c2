// buildApp(deps): the Fastify app with every route, built from injected dependencies.
// It never listens; server ownership (listen, signals, shutdown) is in main.ts.

import { createServer, type ServerOptions } from 'node:http';
import Fastify, { type FastifyInstance, LogController } from 'fastify';
import type { Logger } from 'pino';
import type { Config } from './config/schema.ts';
import type { PlatformName } from './domain/chat.ts';
import type { Clock } from './domain/clock.ts';
import type { WorkCalendar } from './domain/calendar.ts';
import { type Db, migrationsApplied } from './db/connection.ts';
import { ping } from './db/ping.ts';
import type { Repo } from './db/repo.ts';
import type { Engine } from './engine/engine.ts';
import type { Platform } from './platforms/platform.ts';
import type { Dispatcher } from './scheduler/dispatcher.ts';
import type { Scheduler } from './scheduler/scheduler.ts';
import { type Metrics, outcomeOf } from './metrics.ts';
import { installAbuseGuard } from './server/abuse-guard.ts';
import { statusRoutes } from './server/status-page.ts';

export interface AppDeps {
  config: Config;
  db: Db;
  repo: Repo;
  engine: Engine;
  dispatcher: Dispatcher;
  scheduler: Scheduler;
  metrics: Metrics;
  clock: Clock;
  calendar: WorkCalendar;
  log: Logger;
  platforms: Map<PlatformName, Platform>;
  /** Route plugins contributed by enabled platforms (sandbox page, webhooks). */
  routes: Array<(app: FastifyInstance) => Promise<void> | void>;
}

export async function buildApp(deps: AppDeps): Promise<FastifyInstance> {
  const { trustProxy, timeouts } = deps.config.server;
  const app = Fastify({
    loggerInstance: deps.log,
    bodyLimit: deps.config.server.bodyLimit,
    logController: new LogController({ disableRequestLogging: true }),
    trustProxy,
    // The platforms send small bodies at once: a client dripping its headers or body is cut off
    // (408) instead of holding a connection for minutes.
    requestTimeout: timeouts.requestMs,
    keepAliveTimeout: timeouts.keepAliveMs,
    serverFactory: (handler) => createServer(serverOptions(timeouts), handler),
  }) as unknown as FastifyInstance; // pino's Logger type is wider than FastifyBaseLogger


  // One error handler: log with context, hide 5xx details from callers.
  app.setErrorHandler((err: { statusCode?: number; message: string; code?: string }, req, res) => {
    const status = err.statusCode && err.statusCode >= 400 ? err.statusCode : 500;
    if (status >= 500) {
      req.log.error({ err, url: req.url }, 'request failed');
      return res.status(status).send({ error: 'internal_error', message: '内部错误 / internal error' });
    }
    return res.status(status).send({ error: err.code ?? 'bad_request', message: err.message });
  });

  // Webhook answers that never reach the inbound store (auth failures, bad bodies) are counted
  // here, and an address that keeps sending them is refused for a while (signed requests never are).
  const { limit, windowSeconds } = deps.config.server.webhookFailures;
  installAbuseGuard(app, {
    limit,
    windowSeconds,
    now: () => deps.clock.now().getTime(),
    webhook: (url) => /^\/(feishu|dingtalk)\//.exec(url)?.[1],
    refused: (platform, status) => deps.metrics.inbound.inc({ platform, outcome: outcomeOf(status) }),
  });

  app.get('/healthz', async () => ({ ok: true }));
  app.get('/metrics', async (_req, res) => res.type(deps.metrics.registry.contentType).send(await deps.metrics.registry.metrics()));
  // Long connections are listed but do not make the bot unready: their supervisors reconnect on
  // their own, webhooks and delivery keep working meanwhile, and a restart would not help.
  // Alert on groupflow_longconn_up instead.
  const connections = () =>
    [...deps.platforms.values()].flatMap((p) => (p.connections?.() ?? []).map((c) => ({ platform: p.name, ...c })));
  deps.metrics.watchConnections(connections);
  app.get('/readyz', async (_req, res) => {
    let db = false;
    let migrations = false;
    try {
      db = ping(deps.db);
      migrations = migrationsApplied(deps.db);
    } catch (err) {
      deps.log.warn({ err }, 'readiness check failed');
    }
    const ok = db && migrations;
    return res.status(ok ? 200 : 503).send({ ok, db, migrations, connections: connections() });
  });

  // The sandbox owns `/` (it redirects to its page); without it `/` is a one-line status page.
  const { feishu, dingtalk } = deps.config.platforms;
  statusRoutes(app, {
    root: !deps.platforms.has('sandbox'),
    status: () => ({
      platforms: [feishu.enabled && `飞书 Feishu ${feishu.mode}`, dingtalk.enabled && `钉钉 DingTalk ${dingtalk.mode}`].filter((p): p is string => !!p),
    }),
  });
  for (const r of deps.routes) await app.register(async (scope) => r(scope));
  return app;
}

/**
 * Node checks header and request deadlines on a timer (every 30 s by default), so a 10 s limit
 * could let a connection live 40 s: the check runs a few times per limit instead.
 */
function serverOptions(t: Config['server']['timeouts']): ServerOptions {
  return {
    headersTimeout: t.headersMs,
    requestTimeout: t.requestMs,
    keepAliveTimeout: t.keepAliveMs,
    connectionsCheckingInterval: Math.max(100, Math.min(1000, Math.floor(t.headersMs / 4))),
  };
}
