// Hints between instances sharing a PostgreSQL database, through LISTEN/NOTIFY: an instance that
// changed something others show live (the sandbox page) notifies a channel; every instance
// listens on its own connection and passes on what the others sent. On SQLite there is one
// instance and nothing to pass on.

import pg from 'pg';
import type { Logger } from 'pino';
import type { Db } from './connection.ts';
import { prepared } from './prepared.ts';

/** Waits between attempts to listen again after the connection is lost. */
const RECONNECT_MS = [500, 1000, 2000, 5000];

export class Notifier<T> {
  private client: pg.Client | undefined;
  private stopped = false;
  private attempt = 0;
  private readonly send;

  /** `onMessage` gets what other instances published on `channel` (not this instance's own). */
  constructor(
    private readonly db: Db,
    private readonly url: string | undefined,
    private readonly channel: string,
    private readonly instanceId: string,
    private readonly onMessage: (msg: T) => void,
    private readonly log: Logger,
  ) {
    this.send = prepared(db, 'select pg_notify(?, ?) as sent');
  }

  get enabled(): boolean {
    return this.db.dialect === 'postgres' && !!this.url;
  }

  /** Tells the other instances (delivered when this instance's transaction, if any, commits). */
  publish(msg: T): void {
    if (!this.enabled) return;
    try {
      this.send().get(this.channel, JSON.stringify({ from: this.instanceId, msg }));
    } catch (err) {
      // A live hint lost costs a moment: the page also polls what it shows.
      this.log.warn({ err, channel: this.channel }, 'could not notify other instances');
    }
  }

  start(): void {
    if (!this.enabled || this.client || this.stopped) return;
    const client = new pg.Client({ connectionString: this.url, application_name: `groupflow-listen-${this.instanceId}` });
    this.client = client;
    client.on('notification', (n) => {
      if (n.channel !== this.channel || !n.payload) return;
      try {
        const { from, msg } = JSON.parse(n.payload) as { from: string; msg: T };
        if (from !== this.instanceId) this.onMessage(msg);
      } catch (err) {
        this.log.warn({ err }, 'bad notification payload');
      }
    });
    const retry = (err: unknown) => {
      if (this.client !== client) return;
      this.client = undefined;
      client.end().catch(() => undefined);
      if (this.stopped) return;
      const wait = RECONNECT_MS[Math.min(this.attempt++, RECONNECT_MS.length - 1)]!;
      this.log.warn({ err, retryInMs: wait }, 'listening for other instances failed; trying again');
      setTimeout(() => this.start(), wait).unref();
    };
    client.on('error', retry);
    client
      .connect()
      .then(() => client.query(`listen "${this.channel}"`))
      .then(() => {
        this.attempt = 0;
      })
      .catch(retry);
  }

  async stop(): Promise<void> {
    this.stopped = true;
    const c = this.client;
    this.client = undefined;
    await c?.end().catch(() => undefined);
  }
}
