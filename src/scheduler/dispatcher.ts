// The outbox dispatcher: delivers pending outbox rows through their platform, in order per chat,
// retrying retryable failures with exponential backoff and jitter, and marking a row failed after
// too many attempts. A row is marked sent only after the platform accepted it; a crash in between
// resends it with the same idempotency key, which the platforms de-duplicate.

import type { Logger } from 'pino';
import { localMentions, type OutboundBody, type PlatformName } from '../domain/chat.ts';
import type { Clock } from '../domain/clock.ts';
import type { OutboxRow, Repo } from '../db/repo.ts';
import { type OutboxHead, OutboxStore, type StoredOutboxRow } from '../db/outbox.ts';
import { type Platform, PlatformError } from '../platforms/platform.ts';
import { type ChatHead, FairPicker } from './fair.ts';
import { type Rate, RateLimiter } from './rate-limit.ts';
import type { Instances } from '../db/instances.ts';
import type { Metrics } from '../metrics.ts';

export interface DispatcherOptions {
  repo: Repo;
  platforms: ReadonlyMap<PlatformName, Platform>;
  clock: Clock;
  log: Logger;
  maxAttempts?: number;
  /** First retry delay; doubles per attempt (with jitter), capped at maxDelayMs. */
  baseDelayMs?: number;
  maxDelayMs?: number;
  random?: () => number;
  /** Send rates per platform (app per second, chat per minute). */
  rateLimits?: Partial<Record<string, Rate>>;
  /** Monotonic wall time in ms for rate limiting (platform limits are about real time). */
  monotonicNow?: () => number;
  metrics?: Metrics;
  /**
   * The instances sharing the database: a chat's rows are sent by the instance holding its lease
   * (in order, one at a time), and app-wide rates are divided among the live instances.
   */
  instances?: Instances;
}

/**
 * How long a chat's send lease lasts without renewal (each row renews it). An instance that dies
 * holding one delays that chat by at most this; the row it was sending goes again, same key.
 */
export const CHAT_LEASE_MS = 30_000;

/** Budget waits up to this long are waited out inside a drain (a kick still interrupts them). */
const MAX_INLINE_WAIT_MS = 1000;

type Head = ChatHead & OutboxHead;

/**
 * The platform idempotency key of an outbox row (Feishu `uuid` ≤ 50 chars, DingTalk
 * `outTrackId`): stable across retries of the row, and unique across installs and database
 * resets because it carries the row's creation time.
 */
export function idempotencyKey(row: Pick<OutboxRow, 'id' | 'createdAt'>): string {
  return `gf-${row.createdAt.toString(36)}-${row.id}`;
}

const leaseName = (head: Pick<Head, 'platform' | 'chatId'>) => `outbox:${head.platform}:${head.chatId}`;

export class Dispatcher {
  private running: Promise<number> | undefined;
  private again = false;
  private stopping = false;
  private timer: NodeJS.Timeout | undefined;
  private readonly maxAttempts: number;
  private readonly baseDelayMs: number;
  private readonly maxDelayMs: number;
  private readonly random: () => number;
  private readonly picker: FairPicker;
  private readonly monotonicNow: () => number;
  private wakeup: { timer: NodeJS.Timeout; at: number } | undefined;
  /** Ends the drain's current nap early (a kick or stop while it waits for a budget). */
  private interrupt: (() => void) | undefined;
  private readonly outbox: OutboxStore;

  constructor(private readonly o: DispatcherOptions) {
    this.outbox = new OutboxStore(o.repo);
    this.maxAttempts = o.maxAttempts ?? 8;
    this.baseDelayMs = o.baseDelayMs ?? 1000;
    this.maxDelayMs = o.maxDelayMs ?? 5 * 60_000;
    this.random = o.random ?? Math.random;
    const instances = o.instances;
    this.picker = new FairPicker(new RateLimiter(o.rateLimits ?? {}, instances ? () => instances.liveCount(o.clock.now().getTime()) : undefined));
    this.monotonicNow = o.monotonicNow ?? (() => performance.now());
  }

  /** Starts a drain now (or joins the current one, which then looks at new rows at once), without waiting. */
  kick(): void {
    void this.drain().catch((err: unknown) => this.o.log.error({ err }, 'outbox drain failed'));
  }

  /** Polls for rows whose retry time has come. */
  start(intervalMs = 1000): void {
    this.timer ??= setInterval(() => this.kick(), intervalMs);
    this.timer.unref();
  }

  /** Stops polling and waits for the sends in flight; rows not yet started stay pending for the next start. */
  async stop(): Promise<void> {
    if (this.timer) clearInterval(this.timer);
    if (this.wakeup) clearTimeout(this.wakeup.timer);
    this.wakeup = undefined;
    this.timer = undefined;
    this.stopping = true;
    this.interrupt?.();
    try {
      await this.idle();
    } finally {
      this.stopping = false;
    }
  }

  /** Resolves when no drain is running. */
  async idle(): Promise<void> {
    while (this.running) await this.running.catch(() => 0);
  }

  /**
   * Sends every due row the send budgets allow now or within a short wait; returns how many
   * were sent. Concurrent calls join the running drain, which then re-reads the outbox at once
   * (even in the middle of a budget wait). The work starts on the next microtask, not inside the
   * caller (a command or a scheduler tick that kicks it).
   */
  drain(): Promise<number> {
    if (this.running) {
      this.again = true;
      this.interrupt?.();
      return this.running;
    }
    this.running = (async () => {
      let total = 0;
      try {
        await undefined;
        do {
          this.again = false;
          total += await this.drainOnce();
        } while (this.again && !this.stopping);
      } finally {
        this.running = undefined;
      }
      return total;
    })();
    return this.running;
  }

  /**
   * Rounds of the fair pick until nothing is sendable soon. Each round starts the next row of
   * every ready chat that has a slot (at most one row in flight per chat, so a chat's rows go in
   * id order: a card before its update, and a row waits while an older one of its chat is
   * pending); then it waits for a send to finish, for the earliest budget to refill, or for a
   * kick with new rows. A wait longer than MAX_INLINE_WAIT_MS ends the drain and sets a timer.
   */
  private async drainOnce(): Promise<number> {
    let heads = this.readHeads();
    const inFlight = new Map<string, Promise<void>>();
    let sent = 0;
    for (;;) {
      if (this.again) {
        this.again = false;
        heads = this.readHeads();
        for (const id of inFlight.keys()) heads.delete(id); // their next row is read when they finish
      }
      let waitMs: number | undefined;
      if (!this.stopping) {
        const now = this.o.clock.now().getTime();
        const ready = [...heads.values()].filter((h) => h.due <= now && !inFlight.has(h.chatId));
        const pick = this.picker.pick(ready, this.monotonicNow());
        waitMs = pick.waitMs;
        for (const head of pick.send) {
          heads.delete(head.chatId);
          const done = this.sendHead(head).then((outcome) => {
            inFlight.delete(head.chatId);
            // Another instance sends this chat: its rows are left to it (or to whoever takes
            // the lease once it expires, at a later poll).
            if (outcome === 'elsewhere') return;
            if (outcome === 'sent') sent++;
            const next = this.outbox.nextOfChat(head.chatId);
            if (next) heads.set(next.chatId, next);
            else this.o.instances?.release(leaseName(head));
          });
          inFlight.set(head.chatId, done);
        }
      }
      if (inFlight.size === 0) {
        if (this.stopping || waitMs === undefined) break;
        if (waitMs > MAX_INLINE_WAIT_MS) {
          this.wakeAfter(waitMs);
          break;
        }
      }
      await this.nap([...inFlight.values()], waitMs);
    }
    return sent;
  }

  /** The head row of every chat with pending rows, keyed by chat. */
  private readHeads(): Map<string, Head> {
    const rows: Head[] = this.outbox.heads();
    this.picker.keepOnly(new Set(rows.map((h) => h.chatId)));
    return new Map(rows.map((h) => [h.chatId, h]));
  }

  /** Waits for the first of: a send in flight finishing, `ms` passing, a kick or stop. */
  private async nap(inFlight: Array<Promise<void>>, ms: number | undefined): Promise<void> {
    // Stopping: only the sends in flight are waited for (the loop ends once there are none).
    if (this.stopping) return void (await Promise.race(inFlight));
    if (this.again) return;
    let timer: NodeJS.Timeout | undefined;
    const woken = new Promise<void>((resolve) => {
      this.interrupt = resolve;
      if (ms !== undefined) timer = setTimeout(resolve, ms);
    });
    try {
      await Promise.race([woken, ...inFlight]);
    } finally {
      clearTimeout(timer);
      this.interrupt = undefined;
    }
  }

  /**
   * Sends one head row: 'wait' when it waits for a retry (its chat's later rows wait with it),
   * 'elsewhere' when another instance holds the chat's lease.
   */
  private async sendHead(head: Head): Promise<'sent' | 'wait' | 'elsewhere'> {
    if (this.o.instances && !this.o.instances.lease(leaseName(head), this.o.clock.now().getTime(), CHAT_LEASE_MS)) return 'elsewhere';
    // Read again under the lease: the instance that held it may have sent this row meanwhile.
    const row = this.outbox.row(head.id);
    if (!row || row.status !== 'pending') return 'wait';
    return (await this.sendRow(row)) ? 'sent' : 'wait';
  }

  private async sendRow(row: StoredOutboxRow): Promise<boolean> {
    const platform = this.o.platforms.get(row.platform as PlatformName);
    const log = () => this.o.log.child({ outboxId: row.id, platform: row.platform, chatId: row.chatId });
    if (!platform) {
      this.fail(row, 'no_platform', `platform ${row.platform} is not enabled`, false, log());
      return true;
    }
    const body = localMentions(JSON.parse(row.body) as OutboundBody, row.platform as PlatformName);
    const ref = row.cardKey && body.type === 'card' && body.update ? this.o.repo.cardRef(row.cardKey) : undefined;
    try {
      const res = await platform.send(
        { platform: row.platform as PlatformName, chatId: row.chatId, body, replyTo: row.replyTo ?? undefined, urgent: row.urgent === 1 },
        { idempotencyKey: idempotencyKey(row), updateMessageId: ref?.platformMessageId },
      );
      const t = this.o.clock.now().getTime();
      this.o.metrics?.sent.inc({ platform: row.platform });
      const markSent = () => this.outbox.markSent(row.id, t, res.platformMessageId, row.attempts + 1);
      if (row.cardKey && !ref) {
        this.o.repo.tx(() => {
          markSent();
          this.o.repo.saveCardRef(row.cardKey!, row.platform, row.chatId, row.itemId, res.platformMessageId);
        });
      } else {
        markSent();
      }
      return true;
    } catch (err) {
      const pe = err instanceof PlatformError ? err : undefined;
      const retryable = pe ? pe.retryable : true;
      const code = pe?.code ?? 'exception';
      const message = (err as Error).message;
      const final = !retryable || row.attempts + 1 >= this.maxAttempts;
      this.o.metrics?.sendFailures.inc({ platform: row.platform, code, final: String(final) });
      if (final) {
        this.fail(row, code, message, retryable, log());
        return true;
      }
      const delay = Math.max(pe?.retryAfterMs ?? 0, this.backoff(row.attempts));
      log().warn({ code, attempt: row.attempts + 1, retryInMs: delay, err: message }, 'send failed, will retry');
      this.outbox.retryLater(row.id, row.attempts + 1, this.o.clock.now().getTime() + delay, `${code}: ${message}`);
      return false;
    }
  }

  /** Kicks a drain after `ms`, unless one is already set to come sooner. */
  private wakeAfter(ms: number): void {
    const at = this.monotonicNow() + ms;
    if (this.wakeup && this.wakeup.at <= at) return;
    if (this.wakeup) clearTimeout(this.wakeup.timer);
    const timer = setTimeout(() => {
      this.wakeup = undefined;
      this.kick();
    }, ms);
    timer.unref();
    this.wakeup = { timer, at };
  }

  private backoff(attempts: number): number {
    const exp = Math.min(this.maxDelayMs, this.baseDelayMs * 2 ** attempts);
    return Math.round(exp / 2 + (this.random() * exp) / 2);
  }

  private fail(row: StoredOutboxRow, code: string, message: string, retryable: boolean, log: Logger): void {
    log.error({ code, attempts: row.attempts + 1, retryable, err: message }, 'outbound message failed permanently');
    this.outbox.markFailed(row.id, row.attempts + 1, `${code}: ${message}`);
  }
}
