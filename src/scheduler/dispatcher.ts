// The outbox dispatcher: delivers pending outbox rows through their platform, in order per chat,
// retrying retryable failures with exponential backoff and jitter, and marking a row failed after
// too many attempts. A row is marked sent only after the platform accepted it; a crash in between
// resends it with the same idempotency key, which the platforms de-duplicate.

import type { Logger } from 'pino';
import type { OutboundBody, PlatformName } from '../domain/chat.ts';
import type { Clock } from '../domain/clock.ts';
import type { OutboxRow, Repo } from '../db/repo.ts';
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
  random?: () => number;
  /** Send rates per platform (app per second, chat per minute). */
  rateLimits?: Partial<Record<string, Rate>>;
  /** Monotonic wall time in ms for rate limiting (platform limits are about real time). */
  monotonicNow?: () => number;
  metrics?: Metrics;
}

const MAX_INLINE_WAIT_MS = 1000;

/** An outbox row as stored: the body stays JSON text until the row is sent. */
type RawRow = Omit<OutboxRow, 'body' | 'urgent'> & { body: string; urgent: number };
const ROW_COLUMNS = `id, platform, chat_id as chatId, body, reply_to as replyTo, urgent, card_key as cardKey, item_id as itemId, status,
  attempts, next_attempt_at as nextAttemptAt, created_at as createdAt`;
/** The oldest pending row of each chat, with its due time (through the (status, next_attempt_at) index). */
const HEADS = `select min(id) as id, next_attempt_at as due from outbox where status = 'pending' group by chat_id order by id`;
const ROW = `select ${ROW_COLUMNS} from outbox where id = ?`;
/** The oldest pending row of a chat (through the (chat_id, status, id) index). */
const NEXT_OF_CHAT = `select ${ROW_COLUMNS} from outbox where chat_id = ? and status = 'pending' order by id limit 1`;
const MARK_SENT = `update outbox set status = 'sent', sent_at = ?, platform_message_id = ?, attempts = ?, last_error = null where id = ?`;
const RETRY_LATER = `update outbox set attempts = ?, next_attempt_at = ?, last_error = ? where id = ?`;
const MARK_FAILED = `update outbox set status = 'failed', attempts = ?, last_error = ? where id = ?`;

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
  private readonly random: () => number;
  private readonly limiter: RateLimiter;
  private readonly monotonicNow: () => number;
  private wakeup: NodeJS.Timeout | undefined;

  constructor(private readonly o: DispatcherOptions) {
    this.maxAttempts = o.maxAttempts ?? 8;
    this.baseDelayMs = o.baseDelayMs ?? 1000;
    this.maxDelayMs = o.maxDelayMs ?? 5 * 60_000;
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

  /**
   * Sends every due row; returns how many were sent. Concurrent calls coalesce. The work starts
   * on the next microtask, not inside the caller (a command or a scheduler tick that kicks it).
   */
  drain(): Promise<number> {
    if (this.running) {
      this.again = true;
      return this.running;
    }
    this.running = (async () => {
      let total = 0;
      try {
        await undefined;
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

  /**
   * One pass: the oldest pending row of each chat (one grouped read of the pending rows), for
   * the chats whose oldest row is due. Chats are independent; within a chat rows go in id order
   * (a card before its update), and a row waits while an older one of its chat is pending.
   */
  private async drainOnce(): Promise<number> {
    const now = this.o.clock.now().getTime();
    // SQLite returns the other columns of the min(id) row of each group.
    const heads = (this.o.repo.statement(HEADS).all() as Array<{ id: number; due: number }>).filter((h) => h.due <= now);
    if (heads.length === 0) return 0;
    const sent = await Promise.all(heads.map((h) => this.sendChat(h.id, now)));
    return sent.reduce((a, b) => a + b, 0);
  }

  /** Sends a chat's due rows in order, starting with its oldest pending row `id`. */
  private async sendChat(id: number, now: number): Promise<number> {
    let n = 0;
    let row = this.o.repo.statement(ROW).get(id) as RawRow | undefined;
    while (row && row.status === 'pending' && row.nextAttemptAt <= now) {
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
      row = this.o.repo.statement(NEXT_OF_CHAT).get(row.chatId) as RawRow | undefined;
    }
    return n;
  }

  private async sendRow(row: RawRow): Promise<boolean> {
    const platform = this.o.platforms.get(row.platform as PlatformName);
    const log = () => this.o.log.child({ outboxId: row.id, platform: row.platform, chatId: row.chatId });
    if (!platform) {
      this.fail(row, 'no_platform', `platform ${row.platform} is not enabled`, false, log());
      return true;
    }
    const body = JSON.parse(row.body) as OutboundBody;
    const ref = row.cardKey && body.type === 'card' && body.update ? this.o.repo.cardRef(row.cardKey) : undefined;
    try {
      const res = await platform.send(
        { platform: row.platform as PlatformName, chatId: row.chatId, body, replyTo: row.replyTo ?? undefined, urgent: row.urgent === 1 },
        { idempotencyKey: idempotencyKey(row), updateMessageId: ref?.platformMessageId },
      );
      const t = this.o.clock.now().getTime();
      this.o.metrics?.sent.inc({ platform: row.platform });
      const markSent = () => this.o.repo.statement(MARK_SENT).run(t, res.platformMessageId, row.attempts + 1, row.id);
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
      this.o.repo.statement(RETRY_LATER).run(row.attempts + 1, this.o.clock.now().getTime() + delay, `${code}: ${message}`, row.id);
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

  private fail(row: RawRow, code: string, message: string, retryable: boolean, log: Logger): void {
    log.error({ code, attempts: row.attempts + 1, retryable, err: message }, 'outbound message failed permanently');
    this.o.repo.statement(MARK_FAILED).run(row.attempts + 1, `${code}: ${message}`, row.id);
  }
}
