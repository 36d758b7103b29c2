// Inbound events as stored before they are acknowledged (keyed by platform and event id, so that
// a retry is seen as one), and the forgetting of them and of the exactly-once claims (`handled`).
// The group commit and processing around them live in src/engine/inbound.ts.

import type { Repo } from './repo.ts';
import { prepared } from './prepared.ts';

export interface StoredEvent {
  status: string;
  payload: string;
}

export class InboundEvents {
  private readonly add;
  private readonly mark;
  private readonly read;
  private readonly waiting;
  private readonly dropEvents;
  private readonly dropClaims;
  private readonly claim;
  private readonly claimAll;

  /** `owner` claims the events this instance stores, until `claimMs` after their arrival. */
  constructor(
    repo: Repo,
    private readonly owner = 'local',
    private readonly claimMs = 30_000,
  ) {
    const db = repo.db;
    this.add = prepared(
      db,
      'insert into inbound_events (platform, event_id, received_at, status, payload, claimed_by, claimed_until) values (?, ?, ?, ?, ?, ?, ?) on conflict do nothing',
    );
    this.mark = prepared(db, 'update inbound_events set status = ? where platform = ? and event_id = ?');
    this.read = prepared(db, 'select status as status, payload as payload from inbound_events where platform = ? and event_id = ?');
    this.waiting = prepared(db, `select platform as platform, event_id as eventId from inbound_events where status = 'pending' order by received_at`);
    this.dropEvents = prepared(db, 'delete from inbound_events where received_at < ?');
    this.dropClaims = prepared(db, 'delete from handled where at < ?');
    const claimWhere = (expiredOnly: boolean) => `update inbound_events set claimed_by = ?, claimed_until = ?
      where (platform, event_id) in (
        select platform, event_id from inbound_events
        where status = 'pending'${expiredOnly ? ' and (claimed_until is null or claimed_until < ? or claimed_by = ?)' : ''}
        order by received_at limit ?${db.sql.skipLocked()})
      returning platform as platform, event_id as eventId, received_at as receivedAt`;
    this.claim = prepared(db, claimWhere(true));
    this.claimAll = prepared(db, claimWhere(false));
  }

  /** Stores the event; false when this platform's event id is already stored. */
  insert(platform: string, eventId: string, receivedAt: number, status: string, payload: string): boolean {
    const claimed = status === 'pending';
    return this.add().run(platform, eventId, receivedAt, status, payload, claimed ? this.owner : null, claimed ? receivedAt + this.claimMs : null).changes === 1;
  }

  setStatus(status: string, platform: string, eventId: string): void {
    this.mark().run(status, platform, eventId);
  }

  get(platform: string, eventId: string): StoredEvent | undefined {
    return this.read().get(platform, eventId) as StoredEvent | undefined;
  }

  /** Events stored but not processed yet, oldest first. */
  pending(): Array<{ platform: string; eventId: string }> {
    return this.waiting().all() as Array<{ platform: string; eventId: string }>;
  }

  /**
   * Claims up to `limit` pending events for this instance, oldest first, and returns them: those
   * whose claim has expired (their instance died before acting) or is this instance's own — or,
   * with `all`, every pending one (one process owns a SQLite file: whoever claimed them is gone).
   */
  claimPending(now: number, limit: number, all = false): Array<{ platform: string; eventId: string }> {
    const rows = (all ? this.claimAll().all(this.owner, now + this.claimMs, limit) : this.claim().all(this.owner, now + this.claimMs, now, this.owner, limit)) as Array<{
      platform: string;
      eventId: string;
      receivedAt: number;
    }>;
    return rows.sort((a, b) => a.receivedAt - b.receivedAt).map(({ platform, eventId }) => ({ platform, eventId }));
  }

  /** Deletes events and claims older than `cutoff` (call inside a transaction); how many rows went. */
  forgetBefore(cutoff: number): number {
    return this.dropEvents().run(cutoff).changes + this.dropClaims().run(cutoff).changes;
  }
}
