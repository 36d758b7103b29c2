// The port between the core and the platform adapters. Adapters implement `Platform` (the engine
// and the outbox dispatcher only talk to it; wire formats stay inside each adapter folder) and
// are built from a `Core`, the parts the runtime wires. Adapters import this module, never the
// runtime, so they do not depend on how they are wired.

import type { FastifyInstance } from 'fastify';
import type { Logger } from 'pino';
import type { Config } from '../config/schema.ts';
import type { WorkCalendar } from '../domain/calendar.ts';
import type { Outbound, PlatformName } from '../domain/chat.ts';
import type { Clock } from '../domain/clock.ts';
import type { Db } from '../db/connection.ts';
import type { Repo } from '../db/repo.ts';
import type { Engine } from '../engine/engine.ts';
import type { InboundStore } from '../engine/inbound.ts';

/** What a platform module gets to build itself. */
export interface Core {
  config: Config;
  db: Db;
  repo: Repo;
  engine: Engine;
  clock: Clock;
  calendar: WorkCalendar;
  log: Logger;
  /** Durable, de-duplicating store for inbound platform events. */
  inbound: InboundStore;
  /** Starts delivery of freshly written outbox rows. */
  kick: () => void;
  /** This instance's name among the instances sharing the database. */
  instanceId: string;
}

/** What a platform module contributes. */
export interface PlatformModule {
  platform: Platform;
  routes?: (app: FastifyInstance) => Promise<void> | void;
}

export interface SendResult {
  /** The platform's id of the message that now exists (used for in-place card updates). */
  platformMessageId: string;
}

export interface SendContext {
  /** Stable key for the platform's idempotency field (Feishu `uuid`, DingTalk outTrackId…). */
  idempotencyKey: string;
  /** For `card` messages with `update: true`: the platform message id of the card to replace. */
  updateMessageId?: string;
}

export interface Platform {
  readonly name: PlatformName;
  /** Delivers one outbox row. Throws `PlatformError` on failure. */
  send(msg: Outbound, ctx: SendContext): Promise<SendResult>;
  /** Starts long-lived connections (long connection / Stream mode), if any. */
  start?(): Promise<void>;
  stop?(): Promise<void>;
  /** The long-lived inbound connections this platform keeps open, for /readyz and /metrics. */
  connections?(): ConnectionStatus[];
}

/** idle: not started · connecting · connected · waiting: to retry after a failure · stopped. */
export type ConnectionState = 'idle' | 'connecting' | 'connected' | 'waiting' | 'stopped';

export interface ConnectionStatus {
  /** How events arrive on it: `longconn` (Feishu), `stream` (DingTalk). */
  transport: string;
  state: ConnectionState;
  /** Connection attempts after the first one (restarts and reconnects), since start. */
  reconnects: number;
}

/** A failed platform call: which platform, the vendor's code and message, and whether to retry. */
export class PlatformError extends Error {
  constructor(
    readonly platform: PlatformName,
    readonly code: string,
    message: string,
    readonly retryable: boolean,
    /** Milliseconds the platform asked us to wait (rate-limit reset), if it said. */
    readonly retryAfterMs?: number,
  ) {
    super(`${platform} ${code}: ${message}`);
    this.name = 'PlatformError';
  }
}
