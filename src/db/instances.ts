// Instances sharing one database, and the leases they take. On SQLite there is one instance (one
// process owns the file): every lease is its own and nothing is written. On PostgreSQL each
// instance writes a heartbeat, and work only one instance may do at a time (sending one chat's
// outbox, in order) is done under a lease that expires if its holder dies.

import { hostname } from 'node:os';
import type { Db } from './connection.ts';
import { prepared } from './prepared.ts';

/** How long a heartbeat counts: an instance silent for longer is taken for dead. */
export const HEARTBEAT_TTL_MS = 15_000;

/** This process's name among the instances: configured, else host name and process id. */
export function instanceName(configured?: string): string {
  return configured ?? `${hostname()}-${process.pid}`;
}

export class Instances {
  /** Several instances may share the database (PostgreSQL). */
  readonly shared: boolean;
  private readonly beat;
  private readonly live;
  private readonly gone;
  private readonly take;
  private readonly drop;
  private liveCache = { at: -Infinity, n: 1 };
  /** Leases this instance holds, and until when (renewed in the database only past half-time). */
  private readonly held = new Map<string, number>();

  constructor(
    db: Db,
    readonly id: string,
  ) {
    this.shared = db.dialect === 'postgres';
    this.beat = prepared(db, 'insert into instances (id, started_at, seen_at) values (?, ?, ?) on conflict (id) do update set seen_at = excluded.seen_at');
    this.live = prepared(db, 'select count(*) as n from instances where seen_at >= ?');
    this.gone = prepared(db, 'delete from instances where id = ? or seen_at < ?');
    // Taken when free, expired, or already ours (then renewed).
    this.take = prepared(
      db,
      `insert into leases (name, owner, until) values (?, ?, ?)
       on conflict (name) do update set owner = excluded.owner, until = excluded.until
       where leases.owner = excluded.owner or leases.until < ?`,
    );
    this.drop = prepared(db, 'delete from leases where name = ? and owner = ?');
  }

  /** Records that this instance is alive (and, first, when it started). */
  heartbeat(now: number, startedAt = now): void {
    if (this.shared) this.beat().run(this.id, startedAt, now);
  }

  /** Instances with a recent heartbeat, at least 1 (this one); read at most once a second. */
  liveCount(now: number): number {
    if (!this.shared) return 1;
    if (now - this.liveCache.at >= 1000) {
      const n = (this.live().get(now - HEARTBEAT_TTL_MS) as { n: number }).n;
      this.liveCache = { at: now, n: Math.max(1, n) };
    }
    return this.liveCache.n;
  }

  /** Removes this instance (a clean stop) and instances long dead. */
  leave(now: number): void {
    if (this.shared) this.gone().run(this.id, now - 10 * HEARTBEAT_TTL_MS);
  }

  /** Takes or renews the lease `name` until `now + ttlMs`; false while another instance holds it. */
  lease(name: string, now: number, ttlMs: number): boolean {
    if (!this.shared) return true;
    // Still ours for more than half its time: nobody else can have taken it (instances' clocks
    // are assumed to agree to well within that margin).
    const until = this.held.get(name);
    if (until !== undefined && until - now > ttlMs / 2) return true;
    const ok = this.take().run(name, this.id, now + ttlMs, now).changes === 1;
    if (ok) this.held.set(name, now + ttlMs);
    else this.held.delete(name);
    return ok;
  }

  /** Gives the lease back (when the work is done), if this instance holds it. */
  release(name: string): void {
    if (!this.shared) return;
    this.held.delete(name);
    this.drop().run(name, this.id);
  }
}
