// Small key-value settings the bot generates or learns for itself (the download-link signing
// key, the bot's own identity on a platform).

import type { Db } from './connection.ts';
import { perConnection, prepared } from './prepared.ts';

export class SettingsStore {
  private readonly read;
  private readonly write;
  private readonly add;

  constructor(db: Db) {
    this.read = prepared(db, 'select value as value from settings where key = ?');
    this.write = prepared(db, 'insert into settings (key, value) values (?, ?) on conflict (key) do update set value = excluded.value');
    this.add = prepared(db, 'insert into settings (key, value) values (?, ?) on conflict (key) do nothing');
  }

  get(key: string): string | undefined {
    return (this.read().get(key) as { value: string } | undefined)?.value;
  }

  set(key: string, value: string): void {
    this.write().run(key, value);
  }

  /** Writes `value` unless the key already has one; true when this call wrote it. */
  setIfAbsent(key: string, value: string): boolean {
    return this.add().run(key, value).changes === 1;
  }
}

/** The settings of this connection. */
export const settingsOf = perConnection((db) => new SettingsStore(db));
