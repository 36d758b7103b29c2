// Reminder queries (queries only): what the scheduler claims, plans, cancels and moves. When a
// reminder fires and what it says is decided in src/scheduler/ and src/domain/reminders.ts.
//
// Statements are prepared once per store, on first use: a tick runs them thousands of times.

import type { SqlDialect } from './dialect.ts';
import type { SqlStatement as Statement } from './driver/types.ts';
import type { Repo } from './repo.ts';
import type { reminders } from './schema.ts';

export type ReminderRow = typeof reminders.$inferSelect;
/** A reminder being fired: what firing needs of the claimed row. */
export type DueReminder = Pick<ReminderRow, 'id' | 'key' | 'itemId' | 'platform' | 'chatId' | 'rule' | 'round' | 'fireAt' | 'urgent'>;
/** A pending reminder as re-planning compares it with the plan. */
export interface PendingReminder {
  id: number;
  key: string;
  fireAt: number;
}
/** A reminder to plan (status 'pending'). */
export interface NewReminder {
  key: string;
  itemId: number | null;
  platform: string;
  chatId: string;
  rule: string;
  round: number;
  fireAt: number;
  urgent: boolean;
}
/** A planning marker row: its status, and in its chat_id how far planning got. */
export interface PlanningMarker {
  status: string;
  cursor: string;
}
export interface ChatOfPlatform {
  chatId: string;
  platform: string;
}

/** SQLite stores booleans as 0/1. */
type Stored<T> = Omit<T, 'urgent'> & { urgent: number };

/** When a task last had a progress update (from its data), else when it was created. */
const lastUpdateAt = (d: SqlDialect) => `coalesce(${d.jsonInt('data', 'lastUpdateAt')}, created_at)`;

/** Item states that are finished (a group with only these gets no digest). */
const CLOSED = `'closed', 'cancelled', 'done', 'logged', 'confirmed', 'answered'`;

const REMINDER_COLUMNS = `id, key, item_id as itemId, platform, chat_id as chatId, rule, round, fire_at as fireAt, urgent, status,
  created_at as createdAt, fired_at as firedAt`;
/**
 * Claims the oldest due rows in one statement (inside the firing transaction), returning only
 * what firing needs (each value returned costs: a tick claims a thousand rows).
 */
const claimDue = (d: SqlDialect) => `update reminders set status = 'fired', fired_at = ?
  where id in (select id from reminders where status = 'pending' and fire_at <= ? order by fire_at, id limit ?${d.skipLocked()})
  returning id, key, item_id as itemId, platform, chat_id as chatId, rule, round, fire_at as fireAt, urgent`;
const PENDING_IN_KEY_RANGE = `select id, key, fire_at as fireAt from reminders where key >= ? and key < ? and status = 'pending'`;
const CANCEL = `update reminders set status = 'cancelled' where id = ?`;
const cancelMany = (d: SqlDialect) => `update reminders set status = 'cancelled' where id in (${d.jsonInts()})`;
const MOVE = `update reminders set fire_at = ? where id = ?`;
const EXISTS = `select 1 as one from reminders where key = ?`;
const MARKER = `select status, chat_id as cursor from reminders where key = ?`;
const SET_MARKER = `insert into reminders (key, item_id, platform, chat_id, rule, round, fire_at, urgent, status, created_at)
  values (?, null, 'system', ?, 'nudge', 0, 0, 0, ?, ?)
  on conflict (key) do update set status = excluded.status, chat_id = excluded.chat_id`;
/** Items with pending reminders, or with a live clock or deadline. */
const REPLAN_CANDIDATES = `select item_id as id from reminders where status = 'pending' and item_id is not null
  union select id from items where (clock_at is not null or due_at is not null) and state not in (${CLOSED})`;
const NEXT_CHAT_WITH_DOING_TASK = `select chat_id as chatId from items where kind = 'task' and state = 'doing' and chat_id > ? order by chat_id limit 1`;
/** One nudge per task in progress of a chat with no progress update since the day began. */
const planNudges = (d: SqlDialect) => `insert into reminders (key, item_id, platform, chat_id, rule, round, fire_at, urgent, status, created_at)
  select 'n:' || id || ':' || ?, id, platform, chat_id, 'nudge', 0, ?, 0, 'pending', ? from items
  where kind = 'task' and state = 'doing' and chat_id = ? and ${lastUpdateAt(d)} < ?
  order by id
  on conflict (key) do nothing`;
/**
 * Every chat with items, found by skipping through the (chat_id, state) index (one seek per
 * chat, not a read of every item), with the platform of one of its items (`platformOf`).
 */
const chatsSkipScan = (platformOf: string) => `with recursive c(chat) as (
    select min(chat_id) from items
    union all
    select (select min(chat_id) from items where chat_id > c.chat) from c where c.chat is not null
  )
  select chat as chatId, (${platformOf}) as platform from c where chat is not null`;
const CHATS_WITH_OPEN_ITEMS = chatsSkipScan(`select platform from items where chat_id = c.chat and state not in (${CLOSED}) limit 1`);
const CHATS_WITH_ITEMS = chatsSkipScan(`select platform from items where chat_id = c.chat limit 1`);
const UPCOMING = `select ${REMINDER_COLUMNS} from reminders where status = 'pending' order by fire_at limit ?`;
const UPCOMING_OF_CHAT = `select ${REMINDER_COLUMNS} from reminders where status = 'pending' and chat_id = ? order by fire_at limit ?`;

/** Rows per multi-row INSERT: one statement per hundred rows costs about half as much as one per row. */
const INSERT_CHUNK = 100;
const insertSql = (n: number) =>
  `insert into reminders (key, item_id, platform, chat_id, rule, round, fire_at, urgent, status, created_at)
   values ${Array.from({ length: n }, () => "(?, ?, ?, ?, ?, ?, ?, ?, 'pending', ?)").join(', ')} on conflict (key) do nothing`;

/** The first string after every string that starts with `prefix` (its last character raised by one). */
function prefixEnd(prefix: string): string {
  return prefix.slice(0, -1) + String.fromCharCode(prefix.charCodeAt(prefix.length - 1) + 1);
}

export class ReminderStore {
  /** Multi-row inserts by row count. */
  private readonly inserts = new Map<number, Statement>();

  private readonly claimDueSql: string;
  private readonly cancelManySql: string;
  private readonly planNudgesSql: string;

  constructor(private readonly repo: Repo) {
    const d = repo.db.sql;
    this.claimDueSql = claimDue(d);
    this.cancelManySql = cancelMany(d);
    this.planNudgesSql = planNudges(d);
  }

  /** Compiled once per SQL text by the repo, which keeps them. */
  private st(sql: string): Statement {
    return this.repo.statement(sql);
  }

  /** Marks the oldest `limit` pending reminders due at `now` fired and returns them (in no particular order). */
  claimDue(now: number, limit: number): DueReminder[] {
    const rows = this.st(this.claimDueSql).all(now, now, limit) as Array<Stored<DueReminder>>;
    // Built field by field, not spread: a tick claims thousands of rows.
    return rows.map((r) => ({ id: r.id, key: r.key, itemId: r.itemId, platform: r.platform, chatId: r.chatId, rule: r.rule, round: r.round, fireAt: r.fireAt, urgent: r.urgent === 1 }));
  }

  /** Pending reminders whose key starts with `prefix`, read as a range of the unique key index. */
  pendingByKeyPrefix(prefix: string): PendingReminder[] {
    return this.st(PENDING_IN_KEY_RANGE).all(prefix, prefixEnd(prefix)) as PendingReminder[];
  }

  cancel(id: number): void {
    this.st(CANCEL).run(id);
  }

  cancelMany(ids: readonly number[]): void {
    if (ids.length) this.st(this.cancelManySql).run(JSON.stringify(ids));
  }

  move(id: number, fireAt: number): void {
    this.st(MOVE).run(fireAt, id);
  }

  /** Inserts pending reminders; a key already planned or fired is skipped. */
  insert(rows: readonly NewReminder[], createdAt: number): void {
    const args: unknown[] = [];
    for (let start = 0; start < rows.length; start += INSERT_CHUNK) {
      const chunk = rows.slice(start, start + INSERT_CHUNK);
      args.length = 0;
      for (const r of chunk) args.push(r.key, r.itemId, r.platform, r.chatId, r.rule, r.round, r.fireAt, r.urgent ? 1 : 0, createdAt);
      let s = this.inserts.get(chunk.length);
      if (!s) {
        s = this.repo.statement(insertSql(chunk.length));
        this.inserts.set(chunk.length, s);
      }
      s.run(args);
    }
  }

  /** Whether a reminder or marker with this key exists (in any status). */
  exists(key: string): boolean {
    return this.st(EXISTS).get(key) !== undefined;
  }

  marker(key: string): PlanningMarker | undefined {
    return this.st(MARKER).get(key) as PlanningMarker | undefined;
  }

  /** Writes a planning marker: it never fires (its status is not 'pending'). */
  setMarker(key: string, status: string, cursor: string, at: number): void {
    this.st(SET_MARKER).run(key, cursor, status, at);
  }

  /** Ids of the items with pending reminders or a live clock or deadline. */
  replanCandidates(): number[] {
    return (this.st(REPLAN_CANDIDATES).all() as Array<{ id: number }>).map((r) => r.id);
  }

  /** The first chat after `after` (in chat id order) with a task in progress. */
  nextChatWithDoingTask(after: string): string | undefined {
    return (this.st(NEXT_CHAT_WITH_DOING_TASK).get(after) as { chatId: string } | undefined)?.chatId;
  }

  /**
   * Plans the day's nudge (key `n:<item>:<day>`, firing at `fireAt`) of each task in progress in
   * `chatId` not updated since `since`; returns how many were planned.
   */
  planNudges(chatId: string, day: string, fireAt: number, createdAt: number, since: number): number {
    return this.st(this.planNudgesSql).run(day, fireAt, createdAt, chatId, since).changes;
  }

  /** Every chat with an item not finished, with that item's platform. */
  chatsWithOpenItems(): ChatOfPlatform[] {
    return (this.st(CHATS_WITH_OPEN_ITEMS).all() as Array<{ chatId: string; platform: string | null }>).filter(
      (c): c is ChatOfPlatform => c.platform !== null,
    );
  }

  /** Every chat that has items, with its platform. */
  chatsWithItems(): ChatOfPlatform[] {
    return this.st(CHATS_WITH_ITEMS).all() as ChatOfPlatform[];
  }

  /** Pending reminders in firing order (of one chat, or all). */
  upcoming(chatId: string | undefined, limit: number): ReminderRow[] {
    const rows = (chatId === undefined ? this.st(UPCOMING).all(limit) : this.st(UPCOMING_OF_CHAT).all(chatId, limit)) as Array<Stored<ReminderRow>>;
    return rows.map((r) => ({ ...r, urgent: r.urgent === 1 }));
  }
}
