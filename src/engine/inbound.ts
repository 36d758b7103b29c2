// Durable inbound store: a platform event is written here before it is acknowledged, keyed by
// the platform's event id so that retries of the same event act once. Work runs after the
// acknowledgement; on start-up, events stored but not yet processed (a crash) are processed.
//
// Group commit: the events of all requests that arrive in one event-loop turn are inserted in
// one transaction at the end of that turn (setImmediate), together with the status updates of
// events processed since the last one; each request is acknowledged only once that transaction
// has committed. Processing then runs on the event as already parsed, not re-read from the table.

import type { Logger } from 'pino';
import type { Clock } from '../domain/clock.ts';
import { InboundEvents } from '../db/inbound.ts';
import type { Repo } from '../db/repo.ts';
import type { Metrics } from '../metrics.ts';

/**
 * Processes one stored event. `parsed` is what the transport already parsed from `payload`
 * when the event was just received; absent when the payload comes from the table (recovery).
 */
export type InboundHandler = (payload: string, parsed?: unknown) => void | Promise<void>;

/** How long event ids are kept: longer than Feishu's ~7.1 h retry horizon and DingTalk's. */
export const DEDUPE_TTL_MS = 24 * 3600_000;

export interface SubmitOptions {
  /** The payload as already parsed, handed to the handler instead of the stored text. */
  parsed?: unknown;
  /**
   * Further de-duplication keys (e.g. `message:<id>` beside the event id), stored first as
   * 'done' rows: the event is fresh only if none of them, nor its own id, was seen before.
   */
  markers?: string[];
}

interface Entry {
  platform: string;
  eventId: string;
  payload: string;
  parsed: unknown;
  markers: readonly string[];
  resolve: (fresh: boolean) => void;
  reject: (err: unknown) => void;
}

/** Pending events claimed per recovery transaction. */
const RECOVER_BATCH = 200;

/** How long the statuses of processed events may wait for the next commit. */
const STATUS_DELAY_MS = 20;

export class InboundStore {
  private readonly handlers = new Map<string, InboundHandler>();
  private readonly inFlight = new Set<Promise<void>>();
  /** Events waiting for the end-of-turn group commit. */
  private queue: Entry[] = [];
  /** Statuses of processed events, written with the next group commit. */
  private statuses: Array<[status: string, platform: string, eventId: string]> = [];
  private flushing: Promise<void> | undefined;
  private flushToken: object | undefined;
  private flushDelayed = false;
  private readonly events: InboundEvents;
  private sweeper: NodeJS.Timeout | undefined;
  private sweeping: Promise<void> | undefined;

  /**
   * `instance`: this instance's name and whether others share the database. Stored events are
   * claimed by the instance that stored them; on a shared database any instance recovers events
   * whose claim has expired, at start-up and every `sweepMs` after.
   */
  constructor(
    private readonly repo: Repo,
    private readonly clock: Clock,
    private readonly log: Logger,
    private readonly metrics?: Metrics,
    private readonly instance: { id: string; shared: boolean } = { id: 'local', shared: false },
  ) {
    this.events = new InboundEvents(repo, instance.id);
  }

  /** Registers how a platform's stored payloads are processed. */
  on(platform: string, handler: InboundHandler): void {
    this.handlers.set(platform, handler);
  }

  /**
   * Stores the event durably, at once, in its own transaction (or the caller's). Returns false
   * when this event id was seen before (a retry). Does not schedule processing.
   */
  accept(platform: string, eventId: string, payload: string): boolean {
    const fresh = this.insert(platform, eventId, payload, 'pending', this.clock.now().getTime());
    this.count(platform, fresh);
    return fresh;
  }

  /**
   * Stores the event with the other events of this event-loop turn, in one transaction at its
   * end. Resolves once that transaction has committed (acknowledge then, not before): true for a
   * new event, which is then processed after the current tick; false for one seen before.
   * Rejects if it could not be stored (the transport must fail, so that the platform retries).
   */
  submit(platform: string, eventId: string, payload: string, opts: SubmitOptions = {}): Promise<boolean> {
    return new Promise<boolean>((resolve, reject) => {
      this.queue.push({ platform, eventId, payload, parsed: opts.parsed, markers: opts.markers ?? [], resolve, reject });
      this.scheduleFlush();
    });
  }

  /** Stores (synchronously, on its own) and, if new, processes after the current tick. */
  acceptAndSchedule(platform: string, eventId: string, payload: string, parsed?: unknown): boolean {
    const fresh = this.accept(platform, eventId, payload);
    if (fresh) this.later(() => this.run([{ platform, eventId, payload, parsed }]));
    return fresh;
  }

  /** Processes one stored event if it is still pending (recovery; tests). */
  async process(platform: string, eventId: string): Promise<void> {
    const row = this.events.get(platform, eventId);
    if (!row || row.status !== 'pending') return;
    const status = await this.handle(platform, eventId, row.payload, undefined);
    if (status) this.events.setStatus(status, platform, eventId);
  }

  /** Runs `work` after the current tick, tracked so that shutdown can wait for it. */
  later(work: () => Promise<void>): void {
    const p: Promise<void> = new Promise<void>((resolve) => setImmediate(resolve))
      .then(work)
      .catch((err: unknown) => this.log.error({ err }, 'inbound work failed'))
      .finally(() => this.inFlight.delete(p));
    this.inFlight.add(p);
  }

  /** Resolves when no inbound work is queued or running, and every status is written (shutdown). */
  async idle(): Promise<void> {
    for (;;) {
      if (this.flushing) await this.flushing;
      else if (this.inFlight.size) await Promise.all([...this.inFlight]);
      else if (this.queue.length || this.statuses.length) this.flush();
      else return;
    }
  }

  /**
   * Processes events left pending by a crash, oldest first: on SQLite every pending event (one
   * process owns the file), on a shared database those whose instance's claim has expired.
   */
  async recover(): Promise<number> {
    await this.idle();
    const seen = new Set<string>();
    for (;;) {
      const rows = this.repo.tx(() => this.events.claimPending(this.clock.now().getTime(), RECOVER_BATCH, !this.instance.shared));
      // An event its handler left pending comes back in the next batch: once is enough.
      const fresh = rows.filter((r) => !seen.has(`${r.platform}\u0000${r.eventId}`));
      for (const r of fresh) {
        seen.add(`${r.platform}\u0000${r.eventId}`);
        await this.process(r.platform, r.eventId);
      }
      if (rows.length < RECOVER_BATCH || fresh.length === 0) return seen.size;
    }
  }

  /** On a shared database: recovers other instances' expired claims every `everyMs`. */
  startSweeping(everyMs = 10_000): void {
    if (!this.instance.shared || this.sweeper) return;
    this.sweeper = setInterval(() => {
      if (this.sweeping) return;
      this.sweeping = this.recover()
        .then((n) => {
          if (n) this.log.info({ events: n }, 'recovered inbound events another instance had not acted on');
        })
        .catch((err: unknown) => this.log.warn({ err }, 'inbound recovery sweep failed'))
        .finally(() => (this.sweeping = undefined));
    }, everyMs);
    this.sweeper.unref();
  }

  stopSweeping(): void {
    clearInterval(this.sweeper);
    this.sweeper = undefined;
  }

  /** Forgets event ids and exactly-once claims older than the de-duplication horizon. */
  prune(): number {
    const cutoff = this.clock.now().getTime() - DEDUPE_TTL_MS;
    return this.repo.tx(() => this.events.forgetBefore(cutoff));
  }

  // ── group commit ──────────────────────────────────────────────────────────────────────────

  /**
   * Events are stored at the end of this turn. Statuses alone wait a little (STATUS_DELAY_MS) for
   * the next events' commit, so that a steady trickle of events costs one commit each, not two;
   * until written, a crash only means processing again (commands are claimed, so act once).
   */
  private scheduleFlush(): void {
    if (this.flushing && !(this.queue.length && this.flushDelayed)) return;
    const delayed = this.queue.length === 0;
    const token = {};
    this.flushToken = token;
    this.flushDelayed = delayed;
    const p: Promise<void> = new Promise<void>((resolve) => {
      if (!delayed) return setImmediate(resolve);
      setTimeout(resolve, STATUS_DELAY_MS);
    }).then(() => {
      if (this.flushToken !== token) return; // superseded by a sooner flush
      // Cleared first: a write failing below must not leave later events waiting forever.
      this.flushing = undefined;
      this.flushToken = undefined;
      this.flush();
    });
    this.flushing = p;
  }

  /** One transaction: the statuses of processed events, then the queued events. */
  private flush(): void {
    const batch = this.queue;
    const statuses = this.statuses;
    this.queue = [];
    this.statuses = [];
    if (!batch.length && !statuses.length) return;
    const at = this.clock.now().getTime();
    let results: Array<boolean | { err: unknown }>;
    try {
      results = this.repo.tx(() => {
        this.writeStatuses(statuses);
        return batch.map((e) => this.insertEntry(e, at));
      });
    } catch (err) {
      // Something in the batch cannot be written: try each part alone, so it fails by itself.
      if (statuses.length) {
        try {
          this.repo.tx(() => this.writeStatuses(statuses));
        } catch (err2) {
          // Left pending: processed again after a restart (commands are claimed, so act once).
          this.log.error({ err: err2, events: statuses.length }, 'could not mark inbound events processed');
        }
      }
      results = batch.map((e) => {
        if (batch.length === 1) return { err };
        try {
          return this.repo.tx(() => this.insertEntry(e, at));
        } catch (err3) {
          return { err: err3 };
        }
      });
    }
    const fresh: Entry[] = [];
    batch.forEach((e, i) => {
      const r = results[i]!;
      if (typeof r !== 'boolean') return e.reject(r.err);
      this.count(e.platform, r);
      if (r) fresh.push(e);
      e.resolve(r);
    });
    // After the acknowledgements (they go out on the microtasks of this turn).
    if (fresh.length) this.later(() => this.run(fresh));
  }

  private writeStatuses(statuses: Array<[string, string, string]>): void {
    for (const s of statuses) this.events.setStatus(...s);
  }

  /** The markers (as done) then the event (pending); stops at the first id seen before. */
  private insertEntry(e: Entry, at: number): boolean {
    for (const m of e.markers) if (!this.insert(e.platform, m, '', 'done', at)) return false;
    return this.insert(e.platform, e.eventId, e.payload, 'pending', at);
  }

  private insert(platform: string, eventId: string, payload: string, status: string, at: number): boolean {
    return this.events.insert(platform, eventId, at, status, payload);
  }

  private count(platform: string, fresh: boolean): void {
    this.metrics?.inbound.inc({ platform, outcome: fresh ? 'accepted' : 'duplicate' });
  }

  // ── processing ────────────────────────────────────────────────────────────────────────────

  /** Processes fresh events in order; their statuses go out with the next group commit. */
  private async run(events: Array<Pick<Entry, 'platform' | 'eventId' | 'payload' | 'parsed'>>): Promise<void> {
    for (const e of events) {
      const status = await this.handle(e.platform, e.eventId, e.payload, e.parsed);
      if (status) this.statuses.push([status, e.platform, e.eventId]);
    }
    if (this.statuses.length) this.scheduleFlush();
  }

  /** Runs the platform's handler; the status to store, undefined when no handler is registered. */
  private async handle(platform: string, eventId: string, payload: string, parsed: unknown): Promise<string | undefined> {
    const handler = this.handlers.get(platform);
    if (!handler) return undefined;
    try {
      const r = handler(payload, parsed);
      if (r) await r;
      return 'done';
    } catch (err) {
      this.log.error({ err, platform, eventId }, 'inbound event processing failed');
      return 'error';
    }
  }
}
