// Queries. The engine decides and authorizes; this file only reads and writes rows.
// All functions are synchronous (better-sqlite3) so they compose inside one transaction.
//
// The hot path runs on cached prepared statements: building a query with drizzle costs about
// 0.2 ms per call, several times the cost of the SQLite work itself (see bench/README.md).
// The drizzle schema stays the source of truth for tables and migrations; rows come back in
// the same shapes drizzle infers from it.

import { LinkStore } from './links.ts';
import type { SqlStatement as Statement } from './driver/types.ts';
import type { Card } from '../domain/card.ts';
import { type Outbound, splitMentions } from '../domain/chat.ts';
import type { Db } from './connection.ts';
import type { audit, cardRefs, chats, itemPeople, items, outbox } from './schema.ts';

export type ItemRow = typeof items.$inferSelect;
export type NewItem = typeof items.$inferInsert;
export type PersonRow = typeof itemPeople.$inferSelect;
/** What reminders read of an item: the scheduler's tick reads only these columns. */
export type ItemBrief = Pick<
  ItemRow,
  'id' | 'kind' | 'chatId' | 'title' | 'state' | 'initiatorId' | 'ownerId' | 'urgent' | 'dueAt' | 'clockAt' | 'parentId' | 'seqNo' | 'stage' | 'stageDueAt'
>;
/** What reminders read of an item's people. */
export type PersonBrief = Pick<PersonRow, 'itemId' | 'userId' | 'role' | 'status'>;
export type AuditRow = typeof audit.$inferSelect;
export type OutboxRow = typeof outbox.$inferSelect;
export type ChatRow = typeof chats.$inferSelect;
type CardRefRow = typeof cardRefs.$inferSelect;

const ITEM_COLUMNS: Record<keyof ItemRow, string> = {
  id: 'id',
  kind: 'kind',
  platform: 'platform',
  chatId: 'chat_id',
  title: 'title',
  state: 'state',
  initiatorId: 'initiator_id',
  ownerId: 'owner_id',
  priority: 'priority',
  urgent: 'urgent',
  dueAt: 'due_at',
  clockAt: 'clock_at',
  parentId: 'parent_id',
  seqNo: 'seq_no',
  process: 'process',
  stage: 'stage',
  stageDueAt: 'stage_due_at',
  data: 'data',
  version: 'version',
  createdAt: 'created_at',
  updatedAt: 'updated_at',
};
const AUDIT_SELECT = `select id, item_id as itemId, at, actor_id as actorId, action, from_state as fromState, to_state as toState, detail from audit`;
const CHAT_SELECT = `select id, platform, name, project, dept, leader_id as leaderId, created_at as createdAt from chats`;

type Raw = Record<string, unknown>;

/**
 * Items are read under camelCase aliases (quoted: PostgreSQL folds bare aliases to lower case)
 * and built here by name, with booleans and JSON decoded.
 */
const ITEM_NAMED_COLUMNS = Object.entries(ITEM_COLUMNS)
  .map(([key, col]) => (key === col ? col : `${col} as "${key}"`))
  .join(', ');
const ITEM_SELECT = `select ${ITEM_NAMED_COLUMNS} from items`;

function itemOf(r: Raw): ItemRow {
  return {
    id: r.id as number,
    kind: r.kind as string,
    platform: r.platform as string,
    chatId: r.chatId as string,
    title: r.title as string,
    state: r.state as string,
    initiatorId: r.initiatorId as string,
    ownerId: r.ownerId as string | null,
    priority: r.priority as string | null,
    urgent: r.urgent === 1,
    dueAt: r.dueAt as number | null,
    clockAt: r.clockAt as number | null,
    parentId: r.parentId as number | null,
    seqNo: r.seqNo as string | null,
    process: r.process as string | null,
    stage: r.stage as string | null,
    stageDueAt: r.stageDueAt as number | null,
    data: JSON.parse((r.data as string) || '{}') as Record<string, unknown>,
    version: r.version as number,
    createdAt: r.createdAt as number,
    updatedAt: r.updatedAt as number,
  };
}

const PEOPLE_SELECT = 'select id, item_id as "itemId", user_id as "userId", role, status, duty, note, updated_at as "updatedAt" from item_people';

function personOf(r: Raw): PersonRow {
  return {
    id: r.id as number,
    itemId: r.itemId as number,
    userId: r.userId as string,
    role: r.role as string,
    status: r.status as string,
    duty: r.duty as string | null,
    note: r.note as string | null,
    updatedAt: r.updatedAt as number,
  };
}

/** Values as SQLite stores them: booleans as 0/1, objects as JSON text. */
function toSql(v: unknown): unknown {
  if (v === undefined) return null;
  if (typeof v === 'boolean') return v ? 1 : 0;
  if (v !== null && typeof v === 'object') return JSON.stringify(v);
  return v;
}

export class Repo {
  /** Items inserted or updated since the last `takeTouched()` (so reminders can be re-planned). */
  private readonly touched = new Set<number>();
  private readonly statements = new Map<string, Statement>();
  /**
   * Write-through caches of rows every command touches (users' names, known chats), so that a
   * command does not re-read or re-write them. Only this Repo writes these rows while the bot
   * runs; a rolled-back transaction clears the caches, as its writes never happened.
   */
  private readonly names = new Map<string, string>();
  private readonly knownChats = new Map<string, string | null>();
  private static readonly CACHE_MAX = 50_000;
  /** One transaction wrapper, reused (better-sqlite3 builds five functions per `transaction()`). */
  private readonly runTx: { immediate: (fn: () => unknown) => unknown };

  private depth = 0;

  /** Linked groups, link codes and group membership. */
  readonly links: LinkStore = new LinkStore(this);

  constructor(readonly db: Db) {
    this.runTx = db.$client.transaction((fn: () => unknown) => fn());
  }

  /** A prepared statement, compiled once per SQL text (for hot queries outside this file too). */
  statement(sql: string): Statement {
    return this.st(sql);
  }

  private st(sql: string): Statement {
    let s = this.statements.get(sql);
    if (!s) {
      s = this.db.$client.prepare(sql);
      this.statements.set(sql, s);
    }
    return s;
  }

  takeTouched(): number[] {
    const ids = [...this.touched];
    this.touched.clear();
    return ids;
  }

  /** Runs `fn` in one SQLite transaction (BEGIN IMMEDIATE: writers never deadlock on upgrade). */
  tx<T>(fn: () => T): T {
    this.depth++;
    try {
      return this.runTx.immediate(fn) as T;
    } catch (err) {
      this.names.clear();
      this.knownChats.clear();
      this.links.forget();
      throw err;
    } finally {
      if (--this.depth === 0) this.links.endTransaction();
    }
  }

  /** Inside `tx` (what is read there cannot change under it: writers take turns). */
  get inTransaction(): boolean {
    return this.depth > 0;
  }

  // ── items ────────────────────────────────────────────────────────────────────────────────
  insertItem(row: NewItem): ItemRow {
    const entries = Object.entries(row).filter(([, v]) => v !== undefined) as Array<[keyof ItemRow, unknown]>;
    const cols = entries.map(([k]) => ITEM_COLUMNS[k]);
    const item = itemOf(
      this.st(`insert into items (${cols.join(', ')}) values (${cols.map(() => '?').join(', ')}) returning ${ITEM_NAMED_COLUMNS}`).get(
        ...entries.map(([, v]) => toSql(v)),
      ) as Raw,
    );
    this.touched.add(item.id);
    return item;
  }

  getItem(id: number): ItemRow | undefined {
    const r = this.st(`${ITEM_SELECT} where id = ?`).get(id) as Raw | undefined;
    return r ? itemOf(r) : undefined;
  }

  /**
   * Compare-and-swap on the version column: applies `patch` only if nobody changed the item
   * since it was read. Returns false when another action won the race.
   */
  updateItem(id: number, version: number, patch: Partial<NewItem>, at: number): boolean {
    const entries = Object.entries(patch).filter(([k, v]) => v !== undefined && k !== 'version' && k !== 'updatedAt') as Array<[keyof ItemRow, unknown]>;
    const sets = [...entries.map(([k]) => `${ITEM_COLUMNS[k]} = ?`), 'version = ?', 'updated_at = ?'];
    const r = this.st(`update items set ${sets.join(', ')} where id = ? and version = ?`).run(
      ...entries.map(([, v]) => toSql(v)),
      version + 1,
      at,
      id,
      version,
    );
    if (r.changes === 1) this.touched.add(id);
    return r.changes === 1;
  }

  /** Items of one kind in these states in these chats (through the (kind, state, chat) index), by id. */
  itemsInStates(chatIds: readonly string[], kind: string, states: readonly string[]): ItemRow[] {
    const texts = this.db.sql.jsonTexts();
    return (
      this.st(`${ITEM_SELECT} where kind = ? and state in (${texts}) and chat_id in (${texts}) order by id`).all(kind, JSON.stringify(states), JSON.stringify(chatIds)) as Raw[]
    ).map(itemOf);
  }

  listItems(chatId: string): ItemRow[] {
    return (this.st(`${ITEM_SELECT} where chat_id = ? order by id`).all(chatId) as Raw[]).map(itemOf);
  }

  /** The items of several groups (a collaboration of linked groups), oldest first. */
  listItemsIn(chatIds: readonly string[]): ItemRow[] {
    if (chatIds.length === 1) return this.listItems(chatIds[0]!);
    return (this.st(`${ITEM_SELECT} where chat_id in (${this.db.sql.jsonTexts()}) order by id`).all(JSON.stringify(chatIds)) as Raw[]).map(itemOf);
  }

  childItems(parentId: number): ItemRow[] {
    return (this.st(`${ITEM_SELECT} where parent_id = ? order by id`).all(parentId) as Raw[]).map(itemOf);
  }

  // ── people ───────────────────────────────────────────────────────────────────────────────
  people(itemId: number): PersonRow[] {
    return (this.st(`${PEOPLE_SELECT} where item_id = ? order by id`).all(itemId) as Raw[]).map(personOf);
  }

  addPerson(itemId: number, userId: string, role: string, at: number, duty?: string, status = 'pending'): void {
    this.st(
      `insert into item_people (item_id, user_id, role, status, duty, updated_at) values (?, ?, ?, ?, ?, ?)
       on conflict (item_id, user_id, role) do update set duty = coalesce(excluded.duty, item_people.duty), updated_at = excluded.updated_at`,
    ).run(itemId, userId, role, status, duty ?? null, at);
  }

  setPersonStatus(itemId: number, userId: string, role: string, status: string, at: number, note?: string): void {
    this.st(`update item_people set status = ?, note = ?, updated_at = ? where item_id = ? and user_id = ? and role = ?`).run(
      status,
      note ?? null,
      at,
      itemId,
      userId,
      role,
    );
  }

  removePerson(itemId: number, userId: string, role: string): void {
    this.st('delete from item_people where item_id = ? and user_id = ? and role = ?').run(itemId, userId, role);
  }

  /**
   * Marks a platform message as handled, inside the transaction that acts on it; false when it
   * was handled before (a crash between acting and marking the stored event done must not run
   * the command twice on recovery). The inbound prune forgets these markers with the events.
   */
  /** Whether a platform message (or callback) was claimed by claimMessage before. */
  isClaimed(platform: string, messageId: string): boolean {
    return this.st('select 1 from handled where key = ?').get(`${platform}:${messageId}`) !== undefined;
  }

  claimMessage(platform: string, messageId: string, at: number): boolean {
    return (
      this.st(
        `insert into handled (key, at) values (?, ?) on conflict do nothing`,
      ).run(`${platform}:${messageId}`, at).changes === 1
    );
  }

  // ── users and chats ──────────────────────────────────────────────────────────────────────
  upsertUser(id: string, name: string, at: number): void {
    if (this.names.get(id) === name) return;
    this.st(
      `insert into users (id, name, updated_at) values (?, ?, ?)
       on conflict (id) do update set name = excluded.name, updated_at = excluded.updated_at where users.name is distinct from excluded.name`,
    ).run(id, name, at);
    this.cache(this.names, id, name);
  }

  /** Display names of these users (cached; the others in one query); unknown ids are absent. */
  userNames(ids: readonly string[]): Map<string, string> {
    const out = new Map<string, string>();
    const missing: string[] = [];
    for (const id of new Set(ids)) {
      const name = this.names.get(id);
      if (name !== undefined) out.set(id, name);
      else missing.push(id);
    }
    if (missing.length === 0) return out;
    const rows =
      missing.length === 1
        ? (this.st('select id, name from users where id = ?').all(missing[0]) as Array<{ id: string; name: string }>)
        : (this.st(`select id, name from users where id in (${this.db.sql.jsonTexts()})`).all(JSON.stringify(missing)) as Array<{ id: string; name: string }>);
    for (const r of rows) {
      out.set(r.id, r.name);
      this.cache(this.names, r.id, r.name);
    }
    return out;
  }

  private cache<V>(m: Map<string, V>, k: string, v: V): void {
    if (m.size >= Repo.CACHE_MAX) m.clear();
    m.set(k, v);
  }

  findUserByName(name: string, platform: string): { id: string; name: string } | undefined {
    return this.st(`select id, name from users where name = ? and id like ? limit 1`).get(name, `${platform}:%`) as
      | { id: string; name: string }
      | undefined;
  }

  ensureChat(id: string, platform: string, name: string | undefined): void {
    const known = this.knownChats.get(id);
    if (known !== undefined && (name === undefined || known === name)) return;
    this.st(
      `insert into chats (id, platform, name) values (?, ?, ?)
       on conflict (id) do update set name = coalesce(excluded.name, chats.name) where excluded.name is not null and chats.name is distinct from excluded.name`,
    ).run(id, platform, name ?? null);
    this.cache(this.knownChats, id, name ?? known ?? null);
  }

  getChat(id: string): ChatRow | undefined {
    return this.st(`${CHAT_SELECT} where id = ?`).get(id) as ChatRow | undefined;
  }

  bindChat(id: string, project: string, dept: string): void {
    this.st('update chats set project = ?, dept = ? where id = ?').run(project, dept, id);
  }

  /** Names the group's leader (null: none). */
  setChatLeader(id: string, leaderId: string | null): void {
    this.st('update chats set leader_id = ? where id = ?').run(leaderId, id);
  }

  nextCounter(key: string): number {
    return (
      this.st('insert into counters (key, value) values (?, 1) on conflict (key) do update set value = counters.value + 1 returning value').get(key) as {
        value: number;
      }
    ).value;
  }

  // ── audit ────────────────────────────────────────────────────────────────────────────────
  addAudit(row: typeof audit.$inferInsert): void {
    this.st('insert into audit (item_id, at, actor_id, action, from_state, to_state, detail) values (?, ?, ?, ?, ?, ?, ?)').run(
      row.itemId,
      row.at,
      row.actorId,
      row.action,
      row.fromState ?? null,
      row.toState ?? null,
      JSON.stringify(row.detail ?? {}),
    );
  }

  history(itemId: number): AuditRow[] {
    return (this.st(`${AUDIT_SELECT} where item_id = ? order by id`).all(itemId) as Raw[]).map((r) => ({
      ...(r as unknown as AuditRow),
      detail: JSON.parse(r.detail as string) as Record<string, unknown>,
    }));
  }

  // ── outbox ───────────────────────────────────────────────────────────────────────────────
  /** Outbox rows written through this Repo so far (compare before and after some work). */
  get outboxWrites(): number {
    return this.enqueued;
  }
  private enqueued = 0;

  enqueue(msg: Outbound, at: number, itemId?: number, notBefore = at): number {
    this.enqueued++;
    const cardKey = msg.body.type === 'card' ? msg.body.cardKey : null;
    const body = msg.body.type === 'card' ? { ...msg.body, card: this.withMentionNames(msg.body.card) } : msg.body;
    return (
      this.st(
        `insert into outbox (platform, chat_id, body, reply_to, urgent, card_key, item_id, status, next_attempt_at, created_at)
         values (?, ?, ?, ?, ?, ?, ?, 'pending', ?, ?) returning id`,
      ).get(msg.platform, msg.chatId, JSON.stringify(body), msg.replyTo ?? null, msg.urgent ? 1 : 0, cardKey, itemId ?? null, notBefore, at) as {
        id: number;
      }
    ).id;
  }

  /** Lists every user mentioned anywhere in the card, with display names, for renderers. */
  private withMentionNames(card: Card): Card {
    const texts = [card.header.title, ...card.fields.map((f) => f.value), ...card.markdown];
    const ids = new Set(card.mentions.map((m) => m.id));
    for (const t of texts) for (const s of splitMentions(t)) if ('userId' in s) ids.add(s.userId);
    const names = this.userNames([...ids]);
    return { ...card, mentions: [...ids].map((id) => ({ id, name: names.get(id) ?? id })) };
  }

  cardRef(cardKey: string): CardRefRow | undefined {
    return this.st(
      'select card_key as cardKey, platform, chat_id as chatId, item_id as itemId, platform_message_id as platformMessageId from card_refs where card_key = ?',
    ).get(cardKey) as CardRefRow | undefined;
  }

  /** The item a bot message (card) belongs to, for threaded replies. */
  itemOfMessage(platform: string, platformMessageId: string): number | undefined {
    const r = this.st('select item_id as itemId from card_refs where platform = ? and platform_message_id = ?').get(platform, platformMessageId) as
      | { itemId: number | null }
      | undefined;
    return r?.itemId ?? undefined;
  }

  /** The stable key of the card a platform message shows, if it is one of ours. */
  cardKeyOfMessage(platform: string, platformMessageId: string): string | undefined {
    const r = this.st('select card_key as key from card_refs where platform = ? and platform_message_id = ?').get(platform, platformMessageId) as
      | { key: string }
      | undefined;
    return r?.key;
  }

  /** The newest version of a card queued after outbox row `afterId` (the card as it now looks). */
  queuedCard(cardKey: string, afterId: number): Card | undefined {
    const row = this.st('select body from outbox where card_key = ? and id > ? order by id desc limit 1').get(cardKey, afterId) as
      | { body: string }
      | undefined;
    const body = row ? (JSON.parse(row.body) as { type?: string; card?: Card }) : undefined;
    return body?.type === 'card' ? body.card : undefined;
  }

  lastOutboxId(): number {
    return (this.st('select coalesce(max(id), 0) as n from outbox').get() as { n: number }).n;
  }

  saveCardRef(cardKey: string, platform: string, chatId: string, itemId: number | null, platformMessageId: string): void {
    this.st(
      `insert into card_refs (card_key, platform, chat_id, item_id, platform_message_id) values (?, ?, ?, ?, ?)
       on conflict (card_key) do update set platform_message_id = excluded.platform_message_id`,
    ).run(cardKey, platform, chatId, itemId, platformMessageId);
  }

  // ── batch reads (scheduler tick) ───────────────────────────────────────────────────────────
  /**
   * The items with these ids, only the columns reminders read (one query, packed as JSON; ids
   * not found are absent): a tick reads a thousand rows at a time.
   */
  itemBriefs(ids: readonly number[]): Map<number, ItemBrief> {
    const out = new Map<number, ItemBrief>();
    if (ids.length === 0) return out;
    const rows = this.jsonRows(
      `select ${this.db.sql.jsonAgg(`'id', id, 'kind', kind, 'chatId', chat_id, 'title', title, 'state', state, 'initiatorId', initiator_id,
         'ownerId', owner_id, 'urgent', urgent, 'dueAt', due_at, 'clockAt', clock_at, 'parentId', parent_id, 'seqNo', seq_no, 'stage', stage,
         'stageDueAt', stage_due_at`)}
       from items where id in (${this.db.sql.jsonInts()})`,
      ids,
    );
    for (const r of rows) {
      out.set(r.id as number, {
        id: r.id as number,
        kind: r.kind as string,
        chatId: r.chatId as string,
        title: r.title as string,
        state: r.state as string,
        initiatorId: r.initiatorId as string,
        ownerId: r.ownerId as string | null,
        urgent: r.urgent === 1,
        dueAt: r.dueAt as number | null,
        clockAt: r.clockAt as number | null,
        parentId: r.parentId as number | null,
        seqNo: r.seqNo as string | null,
        stage: r.stage as string | null,
        stageDueAt: r.stageDueAt as number | null,
      });
    }
    return out;
  }

  /**
   * Rows of a batch read packed by SQLite into one JSON array of objects (keyed by field name)
   * and unpacked by one `JSON.parse`: cheaper than better-sqlite3 handing over each value for a
   * tick's thousand items. The query takes the ids as a JSON array.
   */
  private jsonRows(sql: string, ids: readonly number[]): Raw[] {
    return JSON.parse(this.st(sql).pluck().get(JSON.stringify(ids)) as string) as Raw[];
  }

  /** The people of these items (one query), each item's in `people()` order; every id gets a list. */
  peopleBriefs(ids: readonly number[]): Map<number, PersonBrief[]> {
    const out = new Map<number, PersonBrief[]>(ids.map((id) => [id, []]));
    if (ids.length === 0) return out;
    const rows = this.jsonRows(
      `select ${this.db.sql.jsonAgg(`'itemId', item_id, 'userId', user_id, 'role', role, 'status', status`, 'item_id, id')}
       from item_people where item_id in (${this.db.sql.jsonInts()})`,
      ids,
    );
    for (const r of rows) {
      const itemId = r.itemId as number;
      out.get(itemId)?.push({ itemId, userId: r.userId as string, role: r.role as string, status: r.status as string });
    }
    return out;
  }
}
