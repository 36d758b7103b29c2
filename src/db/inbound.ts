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

  constructor(repo: Repo) {
    const db = repo.db;
    this.add = prepared(db, 'insert into inbound_events (platform, event_id, received_at, status, payload) values (?, ?, ?, ?, ?) on conflict do nothing');
    this.mark = prepared(db, 'update inbound_events set status = ? where platform = ? and event_id = ?');
    this.read = prepared(db, 'select status as status, payload as payload from inbound_events where platform = ? and event_id = ?');
    this.waiting = prepared(db, `select platform as platform, event_id as eventId from inbound_events where status = 'pending' order by received_at`);
    this.dropEvents = prepared(db, 'delete from inbound_events where received_at < ?');
    this.dropClaims = prepared(db, 'delete from handled where at < ?');
  }

  /** Stores the event; false when this platform's event id is already stored. */
  insert(platform: string, eventId: string, receivedAt: number, status: string, payload: string): boolean {
    return this.add().run(platform, eventId, receivedAt, status, payload).changes === 1;
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

  /** Deletes events and claims older than `cutoff` (call inside a transaction); how many rows went. */
  forgetBefore(cutoff: number): number {
    return this.dropEvents().run(cutoff).changes + this.dropClaims().run(cutoff).changes;
  }
}
