// The outbox dispatcher: delivers pending outbox rows through their platform, in order per chat,
// retrying retryable failures with exponential backoff and jitter, and marking a row failed after
// too many attempts. A row is marked sent only after the platform accepted it; a crash in between
// resends it with the same idempotency key, which the platforms de-duplicate.

import { and, asc, eq, lte } from 'drizzle-orm';
import type { Logger } from 'pino';
import type { OutboundBody, PlatformName } from '../domain/chat.ts';
import type { Clock } from '../domain/clock.ts';
import type { OutboxRow, Repo } from '../db/repo.ts';
import { outbox } from '../db/schema.ts';
import { type Platform, PlatformError } from '../platforms/platform.ts';
import { type Rate, RateLimiter } from './rate-limit.ts';
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
  batchSize?: number;
  random?: () => number;
  /** Send rates per platform (app per second, chat per minute). */
  rateLimits?: Partial<Record<string, Rate>>;
  /** Monotonic wall time in ms for rate limiting (platform limits are about real time). */
  monotonicNow?: () => number;
  metrics?: Metrics;
}

const MAX_INLINE_WAIT_MS = 1000;

/**
 * The platform idempotency key of an outbox row (Feishu `uuid` ≤ 50 chars, DingTalk
 * `outTrackId`): stable across retries of the row, and unique across installs and database
 * resets because it carries the row's creation time.
 */
export function idempotencyKey(row: Pick<OutboxRow, 'id' | 'createdAt'>): string {
  return `gf-${row.createdAt.toString(36)}-${row.id}`;
}
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

export class Dispatcher {
  private running: Promise<number> | undefined;
  private again = false;
  private timer: NodeJS.Timeout | undefined;
  private readonly maxAttempts: number;
  private readonly baseDelayMs: number;
  private readonly maxDelayMs: number;
  private readonly batchSize: number;
  private readonly random: () => number;
  private readonly limiter: RateLimiter;
  private readonly monotonicNow: () => number;
  private wakeup: NodeJS.Timeout | undefined;

  constructor(private readonly o: DispatcherOptions) {
    this.maxAttempts = o.maxAttempts ?? 8;
    this.baseDelayMs = o.baseDelayMs ?? 1000;
    this.maxDelayMs = o.maxDelayMs ?? 5 * 60_000;
    this.batchSize = o.batchSize ?? 200;
    this.random = o.random ?? Math.random;
    this.limiter = new RateLimiter(o.rateLimits ?? {});
    this.monotonicNow = o.monotonicNow ?? (() => performance.now());
  }

  /** Starts a drain now (or right after the current one), without waiting. */
  kick(): void {
    void this.drain().catch((err: unknown) => this.o.log.error({ err }, 'outbox drain failed'));
  }

  /** Polls for rows whose retry time has come. */
  start(intervalMs = 1000): void {
    this.timer ??= setInterval(() => this.kick(), intervalMs);
    this.timer.unref();
  }

  async stop(): Promise<void> {
    if (this.timer) clearInterval(this.timer);
    if (this.wakeup) clearTimeout(this.wakeup);
    this.wakeup = undefined;
    this.timer = undefined;
    await this.idle();
  }

  /** Resolves when no drain is running. */
  async idle(): Promise<void> {
    while (this.running) await this.running.catch(() => 0);
  }

  /** Sends every due row; returns how many were sent. Concurrent calls coalesce. */
  drain(): Promise<number> {
    if (this.running) {
      this.again = true;
      return this.running;
    }
    this.running = (async () => {
      let total = 0;
      try {
        do {
          this.again = false;
          total += await this.drainOnce();
        } while (this.again);
      } finally {
        this.running = undefined;
      }
      return total;
    })();
    return this.running;
  }

  private async drainOnce(): Promise<number> {
    const now = this.o.clock.now().getTime();
    const rows = this.o.repo.db
      .select()
      .from(outbox)
      .where(and(eq(outbox.status, 'pending'), lte(outbox.nextAttemptAt, now)))
      .orderBy(asc(outbox.id))
      .limit(this.batchSize)
      .all();
    // Chats are independent; within a chat, order matters (a card before its update).
    const byChat = new Map<string, OutboxRow[]>();
    for (const r of rows) byChat.set(r.chatId, [...(byChat.get(r.chatId) ?? []), r]);
    const sent = await Promise.all([...byChat.values()].map((list) => this.sendChat(list)));
    if (rows.length === this.batchSize) this.again = true;
    return sent.reduce((a, b) => a + b, 0);
  }

  private async sendChat(rows: OutboxRow[]): Promise<number> {
    let n = 0;
    for (const row of rows) {
      if (this.blockedByEarlier(row)) break;
      // Pace sends at the platform's rate: a short wait is slept here, a long one (a burst
      // beyond the per-chat budget) ends this pass and wakes the dispatcher when a slot frees.
      let wait = this.limiter.acquire(row.platform, row.chatId, this.monotonicNow());
      while (wait > 0 && wait <= MAX_INLINE_WAIT_MS) {
        await sleep(wait);
        wait = this.limiter.acquire(row.platform, row.chatId, this.monotonicNow());
      }
      if (wait > 0) {
        this.wakeAfter(wait);
        break;
      }
      const ok = await this.sendRow(row);
      if (!ok) break; // keep order: later rows of this chat wait for this one
      n++;
    }
    return n;
  }

  /** A row waits while an older row of the same chat is still pending (kept for retry). */
  private blockedByEarlier(row: OutboxRow): boolean {
    const older = this.o.repo.statement(`select id from outbox where chat_id = ? and status = 'pending' and id < ? limit 1`).get(row.chatId, row.id);
    return older !== undefined;
  }

  private async sendRow(row: OutboxRow): Promise<boolean> {
    const platform = this.o.platforms.get(row.platform as PlatformName);
    const log = this.o.log.child({ outboxId: row.id, platform: row.platform, chatId: row.chatId });
    if (!platform) {
      this.fail(row, 'no_platform', `platform ${row.platform} is not enabled`, false, log);
      return true;
    }
    const body = row.body as OutboundBody;
    const ref = row.cardKey && body.type === 'card' && body.update ? this.o.repo.cardRef(row.cardKey) : undefined;
    try {
      const res = await platform.send(
        { platform: row.platform as PlatformName, chatId: row.chatId, body, replyTo: row.replyTo ?? undefined, urgent: row.urgent },
        { idempotencyKey: idempotencyKey(row), updateMessageId: ref?.platformMessageId },
      );
      const t = this.o.clock.now().getTime();
      this.o.metrics?.sent.inc({ platform: row.platform });
      this.o.repo.tx(() => {
        this.o.repo.db
          .update(outbox)
          .set({ status: 'sent', sentAt: t, platformMessageId: res.platformMessageId, attempts: row.attempts + 1, lastError: null })
          .where(eq(outbox.id, row.id))
          .run();
        if (row.cardKey && !ref) this.o.repo.saveCardRef(row.cardKey, row.platform, row.chatId, row.itemId, res.platformMessageId);
      });
      return true;
    } catch (err) {
      const pe = err instanceof PlatformError ? err : undefined;
      const retryable = pe ? pe.retryable : true;
      const code = pe?.code ?? 'exception';
      const message = (err as Error).message;
      const final = !retryable || row.attempts + 1 >= this.maxAttempts;
      this.o.metrics?.sendFailures.inc({ platform: row.platform, code, final: String(final) });
      if (final) {
        this.fail(row, code, message, retryable, log);
        return true;
      }
      const delay = Math.max(pe?.retryAfterMs ?? 0, this.backoff(row.attempts));
      log.warn({ code, attempt: row.attempts + 1, retryInMs: delay, err: message }, 'send failed, will retry');
      this.o.repo.db
        .update(outbox)
        .set({ attempts: row.attempts + 1, nextAttemptAt: this.o.clock.now().getTime() + delay, lastError: `${code}: ${message}` })
        .where(eq(outbox.id, row.id))
        .run();
      return false;
    }
  }

  private wakeAfter(ms: number): void {
    if (this.wakeup) return;
    this.wakeup = setTimeout(() => {
      this.wakeup = undefined;
      this.kick();
    }, ms);
    this.wakeup.unref();
  }

  private backoff(attempts: number): number {
    const exp = Math.min(this.maxDelayMs, this.baseDelayMs * 2 ** attempts);
    return Math.round(exp / 2 + (this.random() * exp) / 2);
  }

  private fail(row: OutboxRow, code: string, message: string, retryable: boolean, log: Logger): void {
    log.error({ code, attempts: row.attempts + 1, retryable, err: message }, 'outbound message failed permanently');
    this.o.repo.db
      .update(outbox)
      .set({ status: 'failed', attempts: row.attempts + 1, lastError: `${code}: ${message}` })
      .where(eq(outbox.id, row.id))
      .run();
  }
}
