// Durable inbound store: a platform event is written here before it is acknowledged, keyed by
// the platform's event id so that retries of the same event act once. Work runs after the
// acknowledgement; on start-up, events stored but not yet processed (a crash) are processed.

import { and, asc, eq, lt } from 'drizzle-orm';
import type { Logger } from 'pino';
import type { Clock } from '../domain/clock.ts';
import type { Repo } from '../db/repo.ts';
import { inboundEvents } from '../db/schema.ts';
import type { Metrics } from '../metrics.ts';

export type InboundHandler = (payload: string) => void | Promise<void>;

/** How long event ids are kept: longer than Feishu's ~7.1 h retry horizon and DingTalk's. */
export const DEDUPE_TTL_MS = 24 * 3600_000;

export class InboundStore {
  private readonly handlers = new Map<string, InboundHandler>();
  private readonly inFlight = new Set<Promise<void>>();

  constructor(
    private readonly repo: Repo,
    private readonly clock: Clock,
    private readonly log: Logger,
    private readonly metrics?: Metrics,
  ) {}

  /** Registers how a platform's stored payloads are processed. */
  on(platform: string, handler: InboundHandler): void {
    this.handlers.set(platform, handler);
  }

  /** Stores the event durably. Returns false when this event id was seen before (a retry). */
  accept(platform: string, eventId: string, payload: string): boolean {
    // Prepared statements: this runs once per inbound request, before the acknowledgement.
    const r = this.repo
      .statement(`insert into inbound_events (platform, event_id, received_at, status, payload) values (?, ?, ?, 'pending', ?) on conflict do nothing`)
      .run(platform, eventId, this.clock.now().getTime(), payload);
    this.metrics?.inbound.inc({ platform, outcome: r.changes === 1 ? 'accepted' : 'duplicate' });
    return r.changes === 1;
  }

  /** Processes one stored event (call after the acknowledgement was sent). */
  async process(platform: string, eventId: string): Promise<void> {
    const row = this.repo.statement('select status, payload from inbound_events where platform = ? and event_id = ?').get(platform, eventId) as
      | { status: string; payload: string }
      | undefined;
    if (!row || row.status !== 'pending') return;
    const handler = this.handlers.get(platform);
    if (!handler) return;
    let status = 'done';
    try {
      await handler(row.payload);
    } catch (err) {
      status = 'error';
      this.log.error({ err, platform, eventId }, 'inbound event processing failed');
    }
    this.repo.statement('update inbound_events set status = ? where platform = ? and event_id = ?').run(status, platform, eventId);
  }

  /** Stores and, if new, processes after the current tick (so the caller can acknowledge first). */
  acceptAndSchedule(platform: string, eventId: string, payload: string): boolean {
    const fresh = this.accept(platform, eventId, payload);
    if (fresh) this.later(() => this.process(platform, eventId));
    return fresh;
  }

  /** Runs `work` after the current tick, tracked so that shutdown can wait for it. */
  later(work: () => Promise<void>): void {
    const p: Promise<void> = new Promise<void>((resolve) => setImmediate(resolve))
      .then(work)
      .catch((err: unknown) => this.log.error({ err }, 'inbound work failed'))
      .finally(() => this.inFlight.delete(p));
    this.inFlight.add(p);
  }

  /** Resolves when no scheduled inbound work is running (graceful shutdown). */
  async idle(): Promise<void> {
    while (this.inFlight.size) await Promise.all([...this.inFlight]);
  }

  /** Processes events left pending by a crash, oldest first. */
  async recover(): Promise<number> {
    const rows = this.repo.db
      .select({ platform: inboundEvents.platform, eventId: inboundEvents.eventId })
      .from(inboundEvents)
      .where(eq(inboundEvents.status, 'pending'))
      .orderBy(asc(inboundEvents.receivedAt))
      .all();
    for (const r of rows) await this.process(r.platform, r.eventId);
    return rows.length;
  }

  /** Forgets event ids older than the de-duplication horizon. */
  prune(): number {
    const cutoff = this.clock.now().getTime() - DEDUPE_TTL_MS;
    return this.repo.db
      .delete(inboundEvents)
      .where(and(lt(inboundEvents.receivedAt, cutoff)))
      .run().changes;
  }
}
