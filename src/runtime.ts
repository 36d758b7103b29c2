// Wires the parts together from a config: database, calendar, engine, outbox dispatcher, the
// enabled platforms and their routes. main.ts and the tests both build the bot through here.

import type { FastifyInstance } from 'fastify';
import pino, { type Logger } from 'pino';
import { type AppDeps, buildApp } from './app.ts';
import { type Config, sandboxEnabled } from './config/schema.ts';
import { WorkCalendar } from './domain/calendar.ts';
import type { PlatformName } from './domain/chat.ts';
import { type Clock, systemClock } from './domain/clock.ts';
import { type Db, migrationsApplied, openConfigured, runMigrations } from './db/connection.ts';
import { Repo } from './db/repo.ts';
import { closeDatabase } from './db/maintenance.ts';
import { OutboxStore } from './db/outbox.ts';
import { Instances, instanceName } from './db/instances.ts';
import { Engine } from './engine/engine.ts';
import { InboundStore } from './engine/inbound.ts';
import type { Core, Platform, PlatformModule } from './platforms/platform.ts';
import { Dispatcher } from './scheduler/dispatcher.ts';
import { Scheduler } from './scheduler/scheduler.ts';
import { Metrics } from './metrics.ts';
import { type ExportTarget, exportLink, exportRoutes } from './export/routes.ts';

// Re-exported for the callers that build a runtime and name its parts.
export type { Core, PlatformModule } from './platforms/platform.ts';

export interface Runtime extends AppDeps {
  app: FastifyInstance;
  inbound: InboundStore;
  modules: PlatformModule[];
  close: () => Promise<void>;
}

export interface RuntimeOptions {
  clock?: Clock;
  log?: Logger;
  /** Platform modules to use; each replaces the built-in module of its platform (tests). */
  extraModules?: Array<(core: Core) => PlatformModule>;
  /** An open database to use instead of the configured one (tests: a PostgreSQL schema of their own). */
  db?: Db;
}

export function redactPaths(): string[] {
  return [
    'req.headers.authorization',
    '*.appSecret',
    '*.clientSecret',
    '*.encryptKey',
    '*.verificationToken',
    '*.token',
    '*.access_token',
    '*.accessToken',
    '*.tenant_access_token',
  ];
}

/** The chat reply to /归档: a signed 24-hour download link on the bot's own URL. */
/** The bot's own base URL for links it posts: server.publicUrl, else the local listener. */
function baseUrl(config: Config, port?: number): string {
  const { host, publicUrl } = config.server;
  return publicUrl ?? `http://${host === '0.0.0.0' || host === '::' ? '127.0.0.1' : host}:${port ?? config.server.port}`;
}

function exportReply(config: Config, deps: Pick<Core, 'db' | 'clock'>, platform: PlatformName, target: ExportTarget, port?: number): string {
  const { publicUrl } = config.server;
  const url = exportLink(deps, target, baseUrl(config, port));
  const what = target.itemId !== undefined ? `#${target.itemId} 的` : '本群的';
  const warn = !publicUrl && platform !== 'sandbox' ? '\n⚠️ 管理员尚未配置 server.publicUrl，以下链接只能在服务器本机打开。' : '';
  return `📦 ${what}协作归档（${target.format}）已生成，链接 24 小时内有效：\n${url}${warn}`;
}

export function createLogger(config: Config): Logger {
  const pretty = config.log.pretty ?? (process.env.NODE_ENV === 'development' || (process.stdout.isTTY && !process.env.CI));
  return pino({
    level: config.log.level,
    redact: { paths: redactPaths(), censor: '[redacted]' },
    ...(pretty ? { transport: { target: 'pino-pretty', options: { translateTime: 'SYS:HH:MM:ss', ignore: 'pid,hostname' } } } : {}),
  });
}

export async function createRuntime(config: Config, opts: RuntimeOptions = {}): Promise<Runtime> {
  const clock = opts.clock ?? systemClock;
  const log = opts.log ?? createLogger(config);
  const db = opts.db ?? openConfigured(config.database);
  // drizzle's migrator reads and hashes every migration file; on a restart there is nothing to do.
  if (!migrationsApplied(db)) runMigrations(db);
  const repo = new Repo(db);
  const calendar = new WorkCalendar({
    timezone: config.calendar.timezone,
    workStart: config.calendar.workStart,
    workEnd: config.calendar.workEnd,
    quietStart: config.calendar.quietStart,
    extraHolidays: config.calendar.extraHolidays,
    extraWorkdays: config.calendar.extraWorkdays,
    lunch: config.calendar.lunch,
  });
  let dispatcher: Dispatcher | undefined;
  // The port the server actually listens on (known after listen), for links the bot posts.
  let listening: () => number | undefined = () => undefined;
  const kick = () => dispatcher?.kick();
  const metrics = new Metrics({ defaults: true });
  const scheduler = new Scheduler({
    repo,
    config,
    clock,
    calendar,
    log,
    kick,
    metrics,
    monthArchiveLink: (target, ttlMs) => exportLink({ db, clock }, { ...target, format: 'xlsx' }, baseUrl(config, listening()), ttlMs),
  });
  const replanned = scheduler.replanOnce();
  if (replanned) log.info({ items: replanned }, 'reminders re-planned under working-time clocks');
  const engine = new Engine({
    repo,
    config,
    clock,
    calendar,
    log,
    metrics,
    onOutbox: kick,
    replan: (id) => scheduler.replan(id),
    exportLink: (ctx, cmd) => exportReply(config, { db, clock }, ctx.platform, { chatId: ctx.chatId, itemId: cmd.id, format: cmd.format }, listening()),
  });
  const instances = new Instances(db, instanceName(config.database.instanceId));
  const startedAt = clock.now().getTime();
  instances.heartbeat(startedAt, startedAt);
  const inbound = new InboundStore(repo, clock, log, metrics, instances);
  const core: Core = { config, db, repo, engine, clock, calendar, log, inbound, kick, instanceId: instances.id };

  // Modules passed in (tests: a platform built with options) replace the built-in one of the same platform.
  const modules = (opts.extraModules ?? []).map((f) => f(core));
  // A built-in platform's code (and its vendor SDK) is loaded only when that platform is enabled
  // and not replaced: the Lark SDK alone is ~60 MB of heap and most of a second of start-up.
  const builtIn: Array<[PlatformName, boolean, () => Promise<(c: Core) => PlatformModule>]> = [
    ['sandbox', sandboxEnabled(config), async () => (await import('./platforms/sandbox/index.ts')).createSandbox],
    ['feishu', config.platforms.feishu.enabled, async () => (await import('./platforms/feishu/index.ts')).createFeishu],
    ['dingtalk', config.platforms.dingtalk.enabled, async () => (await import('./platforms/dingtalk/index.ts')).createDingtalk],
  ];
  for (const [name, enabled, load] of builtIn) {
    if (enabled && !modules.some((m) => m.platform.name === name)) modules.push((await load())(core));
  }
  const platforms = new Map<PlatformName, Platform>(modules.map((m) => [m.platform.name, m.platform]));
  dispatcher = new Dispatcher({
    repo,
    platforms,
    clock,
    log,
    maxAttempts: config.outbox.maxAttempts,
    baseDelayMs: config.outbox.baseDelayMs,
    maxDelayMs: config.outbox.maxDelayMs,
    rateLimits: config.outbox.rateLimits,
    metrics,
    instances: instances.shared ? instances : undefined,
  });
  const outbox = new OutboxStore(repo);
  metrics.watchOutbox(() => outbox.pendingCount());

  const deps: AppDeps = {
    metrics,
    scheduler,
    config,
    db,
    repo,
    engine,
    dispatcher,
    clock,
    calendar,
    log,
    platforms,
    routes: [...modules.flatMap((m) => (m.routes ? [m.routes] : [])), exportRoutes(core)],
  };
  const app = await buildApp(deps);
  listening = () => {
    const a = app.server.address();
    return a && typeof a === 'object' ? a.port : undefined;
  };
  // Forget inbound event ids past the de-duplication horizon, hourly.
  const pruner = setInterval(() => {
    try {
      inbound.prune();
    } catch (err) {
      log.warn({ err }, 'inbound prune failed');
    }
  }, 3600_000);
  pruner.unref();
  // Instances sharing the database say they are alive; the platforms' app-wide rates are divided
  // among the live ones, and a dead one's leases and inbound claims expire.
  const heartbeat = instances.shared
    ? setInterval(() => {
        try {
          instances.heartbeat(clock.now().getTime(), startedAt);
        } catch (err) {
          log.warn({ err }, 'instance heartbeat failed');
        }
      }, 5000)
    : undefined;
  heartbeat?.unref();
  const close = async () => {
    clearInterval(pruner);
    clearInterval(heartbeat);
    inbound.stopSweeping();
    scheduler.stop();
    await app.close();
    for (const m of modules) await m.platform.stop?.();
    await inbound.idle();
    await dispatcher.stop();
    try {
      instances.leave(clock.now().getTime());
    } catch (err) {
      log.warn({ err }, 'could not remove this instance from the live list');
    }
    closeDatabase(db);
  };
  return { ...deps, app, inbound, modules, close };
}
