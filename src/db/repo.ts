// Queries. The engine decides and authorizes; this file only reads and writes rows.
// All functions are synchronous (better-sqlite3) so they compose inside one transaction.

import { and, asc, eq, inArray, sql } from 'drizzle-orm';
import type { Card } from '../domain/card.ts';
import { type Outbound, splitMentions } from '../domain/chat.ts';
import type { Db } from './connection.ts';
import { audit, cardRefs, chats, counters, itemPeople, items, outbox, users } from './schema.ts';

export type ItemRow = typeof items.$inferSelect;
export type NewItem = typeof items.$inferInsert;
export type PersonRow = typeof itemPeople.$inferSelect;
export type AuditRow = typeof audit.$inferSelect;
export type OutboxRow = typeof outbox.$inferSelect;
export type ChatRow = typeof chats.$inferSelect;

export class Repo {
  /** Items inserted or updated since the last `takeTouched()` (so reminders can be re-planned). */
  private readonly touched = new Set<number>();

  constructor(readonly db: Db) {}

  takeTouched(): number[] {
    const ids = [...this.touched];
    this.touched.clear();
    return ids;
  }

  /** Runs `fn` in one SQLite transaction (BEGIN IMMEDIATE: writers never deadlock on upgrade). */
  tx<T>(fn: () => T): T {
    return this.db.$client.transaction(fn).immediate();
  }

  // ── items ────────────────────────────────────────────────────────────────────────────────
  insertItem(row: NewItem): ItemRow {
    const item = this.db.insert(items).values(row).returning().get();
    this.touched.add(item.id);
    return item;
  }

  getItem(id: number): ItemRow | undefined {
    return this.db.select().from(items).where(eq(items.id, id)).get();
  }

  /**
   * Compare-and-swap on the version column: applies `patch` only if nobody changed the item
   * since it was read. Returns false when another action won the race.
   */
  updateItem(id: number, version: number, patch: Partial<NewItem>, at: number): boolean {
    const r = this.db
      .update(items)
      .set({ ...patch, version: version + 1, updatedAt: at })
      .where(and(eq(items.id, id), eq(items.version, version)))
      .run();
    if (r.changes === 1) this.touched.add(id);
    return r.changes === 1;
  }

  listItems(chatId: string): ItemRow[] {
    return this.db.select().from(items).where(eq(items.chatId, chatId)).orderBy(asc(items.id)).all();
  }

  childItems(parentId: number): ItemRow[] {
    return this.db.select().from(items).where(eq(items.parentId, parentId)).orderBy(asc(items.id)).all();
  }

  // ── people ───────────────────────────────────────────────────────────────────────────────
  people(itemId: number): PersonRow[] {
    return this.db.select().from(itemPeople).where(eq(itemPeople.itemId, itemId)).orderBy(asc(itemPeople.id)).all();
  }

  addPerson(itemId: number, userId: string, role: string, at: number, duty?: string, status = 'pending'): void {
    this.db
      .insert(itemPeople)
      .values({ itemId, userId, role, status, duty, updatedAt: at })
      .onConflictDoUpdate({
        target: [itemPeople.itemId, itemPeople.userId, itemPeople.role],
        set: { duty: duty ?? sql`duty`, updatedAt: at },
      })
      .run();
  }

  setPersonStatus(itemId: number, userId: string, role: string, status: string, at: number, note?: string): void {
    this.db
      .update(itemPeople)
      .set({ status, note: note ?? null, updatedAt: at })
      .where(and(eq(itemPeople.itemId, itemId), eq(itemPeople.userId, userId), eq(itemPeople.role, role)))
      .run();
  }

  resetPeople(itemId: number, role: string, status: string, at: number): void {
    this.db
      .update(itemPeople)
      .set({ status, updatedAt: at })
      .where(and(eq(itemPeople.itemId, itemId), eq(itemPeople.role, role)))
      .run();
  }

  // ── users and chats ──────────────────────────────────────────────────────────────────────
  upsertUser(id: string, name: string, at: number): void {
    this.db
      .insert(users)
      .values({ id, name, updatedAt: at })
      .onConflictDoUpdate({ target: users.id, set: { name, updatedAt: at } })
      .run();
  }

  userNames(ids: string[]): Map<string, string> {
    if (ids.length === 0) return new Map();
    const rows = this.db.select().from(users).where(inArray(users.id, ids)).all();
    return new Map(rows.map((r) => [r.id, r.name]));
  }

  findUserByName(name: string, platform: string): { id: string; name: string } | undefined {
    return this.db
      .select({ id: users.id, name: users.name })
      .from(users)
      .where(and(eq(users.name, name), sql`${users.id} like ${platform + ':%'}`))
      .get();
  }

  ensureChat(id: string, platform: string, name: string | undefined): ChatRow {
    this.db.insert(chats).values({ id, platform, name }).onConflictDoNothing().run();
    if (name) this.db.update(chats).set({ name }).where(and(eq(chats.id, id), sql`${chats.name} is not ${name}`)).run();
    return this.db.select().from(chats).where(eq(chats.id, id)).get()!;
  }

  getChat(id: string): ChatRow | undefined {
    return this.db.select().from(chats).where(eq(chats.id, id)).get();
  }

  bindChat(id: string, project: string, dept: string): void {
    this.db.update(chats).set({ project, dept }).where(eq(chats.id, id)).run();
  }

  nextCounter(key: string): number {
    return this.db
      .insert(counters)
      .values({ key, value: 1 })
      .onConflictDoUpdate({ target: counters.key, set: { value: sql`${counters.value} + 1` } })
      .returning()
      .get().value;
  }

  // ── audit ────────────────────────────────────────────────────────────────────────────────
  addAudit(row: typeof audit.$inferInsert): void {
    this.db.insert(audit).values(row).run();
  }

  history(itemId: number): AuditRow[] {
    return this.db.select().from(audit).where(eq(audit.itemId, itemId)).orderBy(asc(audit.id)).all();
  }

  // ── outbox ───────────────────────────────────────────────────────────────────────────────
  enqueue(msg: Outbound, at: number, itemId?: number, notBefore = at): number {
    const cardKey = msg.body.type === 'card' ? msg.body.cardKey : null;
    if (msg.body.type === 'card') msg = { ...msg, body: { ...msg.body, card: this.withMentionNames(msg.body.card) } };
    return this.db
      .insert(outbox)
      .values({
        platform: msg.platform,
        chatId: msg.chatId,
        body: msg.body,
        replyTo: msg.replyTo ?? null,
        urgent: msg.urgent ?? false,
        cardKey,
        itemId: itemId ?? null,
        status: 'pending',
        nextAttemptAt: notBefore,
        createdAt: at,
      })
      .returning({ id: outbox.id })
      .get().id;
  }

  /** Lists every user mentioned anywhere in the card, with display names, for renderers. */
  private withMentionNames(card: Card): Card {
    const texts = [card.header.title, ...card.fields.map((f) => f.value), ...card.markdown];
    const ids = new Set(card.mentions.map((m) => m.id));
    for (const t of texts) for (const s of splitMentions(t)) if ('userId' in s) ids.add(s.userId);
    const names = this.userNames([...ids]);
    return { ...card, mentions: [...ids].map((id) => ({ id, name: names.get(id) ?? id })) };
  }

  cardRef(cardKey: string): typeof cardRefs.$inferSelect | undefined {
    return this.db.select().from(cardRefs).where(eq(cardRefs.cardKey, cardKey)).get();
  }

  /** The item a bot message (card) belongs to, for threaded replies. */
  itemOfMessage(platform: string, platformMessageId: string): number | undefined {
    return (
      this.db
        .select({ itemId: cardRefs.itemId })
        .from(cardRefs)
        .where(and(eq(cardRefs.platform, platform), eq(cardRefs.platformMessageId, platformMessageId)))
        .get()?.itemId ?? undefined
    );
  }

  /** The stable key of the card a platform message shows, if it is one of ours. */
  cardKeyOfMessage(platform: string, platformMessageId: string): string | undefined {
    return this.db
      .select({ key: cardRefs.cardKey })
      .from(cardRefs)
      .where(and(eq(cardRefs.platform, platform), eq(cardRefs.platformMessageId, platformMessageId)))
      .get()?.key;
  }

  /** The newest version of a card queued after outbox row `afterId` (the card as it now looks). */
  queuedCard(cardKey: string, afterId: number): Card | undefined {
    const row = this.db
      .select({ body: outbox.body })
      .from(outbox)
      .where(and(eq(outbox.cardKey, cardKey), sql`${outbox.id} > ${afterId}`))
      .orderBy(sql`${outbox.id} desc`)
      .limit(1)
      .get();
    const body = row?.body as { type?: string; card?: Card } | undefined;
    return body?.type === 'card' ? body.card : undefined;
  }

  lastOutboxId(): number {
    return (this.db.$client.prepare('select coalesce(max(id), 0) as n from outbox').get() as { n: number }).n;
  }

  saveCardRef(cardKey: string, platform: string, chatId: string, itemId: number | null, platformMessageId: string): void {
    this.db
      .insert(cardRefs)
      .values({ cardKey, platform, chatId, itemId, platformMessageId })
      .onConflictDoUpdate({ target: cardRefs.cardKey, set: { platformMessageId } })
      .run();
  }
}
