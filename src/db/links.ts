// Linked groups (queries only): which groups form one collaboration, the one-time link codes,
// who has been seen in which group, and the groups' own audit rows. The rules — who may link,
// what an external group may see, where a card goes — live in src/engine/links.ts.

import type { Repo } from './repo.ts';

export interface LinkedChat {
  id: string;
  platform: string;
  name: string | null;
  /** Linked as 外部: sees only what faces the partner. The home group is never external. */
  external: boolean;
  /** Who linked it (undefined for the home group). */
  linkedBy?: string;
}

export type CodeUse = { ok: true; chatId: string; createdBy: string } | { ok: false; why: 'unknown' | 'used' | 'expired' };

export class LinkStore {
  /** Chats whose membership row for a user is known written (the hot path writes only new pairs). */
  private readonly seenPairs = new Set<string>();
  /**
   * Collaborations read in the current transaction. Kept only while it runs (other instances may
   * link groups between transactions): a tick firing a thousand reminders reads each chat's once.
   */
  private readonly groups = new Map<string, LinkedChat[]>();

  constructor(private readonly repo: Repo) {}

  /** The transaction ended: what it read may be out of date for the next one. */
  endTransaction(): void {
    this.groups.clear();
  }

  /** The home group of `chatId`'s collaboration: itself unless it was linked into another. */
  homeOf(chatId: string): string {
    const known = this.groups.get(chatId);
    if (known) return known[0]!.id;
    const row = this.repo.statement(`select home_id as homeId from chat_links where chat_id = ?`).get(chatId) as { homeId: string } | undefined;
    return row?.homeId ?? chatId;
  }

  /** Every group of `chatId`'s collaboration, the home group first; just itself when unlinked. */
  groupOf(chatId: string): LinkedChat[] {
    const known = this.groups.get(chatId);
    if (known) return known;
    const group = this.readGroup(chatId);
    if (this.repo.inTransaction) this.groups.set(chatId, group);
    return group;
  }

  private readGroup(chatId: string): LinkedChat[] {
    const home = this.homeOf(chatId);
    const rows = this.repo
      .statement(
        `select c.id as id, c.platform as platform, c.name as name, coalesce(l.external, 0) as external, l.linked_by as linkedBy
           from chats c left join chat_links l on l.chat_id = c.id
          where c.id = ? or l.home_id = ?
          order by case when c.id = ? then 0 else 1 end, l.linked_at`,
      )
      .all(home, home, home) as Array<{ id: string; platform: string; name: string | null; external: number; linkedBy: string | null }>;
    const out = rows.map((r) => ({ id: r.id, platform: r.platform, name: r.name, external: r.external === 1, ...(r.linkedBy ? { linkedBy: r.linkedBy } : {}) }));
    return out.length ? out : [{ id: chatId, platform: chatId.split(':')[0] ?? '', name: null, external: false }];
  }

  isExternal(chatId: string): boolean {
    const row = this.repo.statement(`select external from chat_links where chat_id = ?`).get(chatId) as { external: number } | undefined;
    return row?.external === 1;
  }

  /** Whether any group is linked to `chatId` as its home. */
  hasLinked(chatId: string): boolean {
    return this.repo.statement(`select 1 from chat_links where home_id = ? limit 1`).get(chatId) !== undefined;
  }

  addCode(code: string, chatId: string, by: string, expiresAt: number): void {
    this.repo.statement(`insert into link_codes (code, chat_id, created_by, expires_at) values (?, ?, ?, ?)`).run(code, chatId, by, expiresAt);
  }

  /** Uses a code once: refused when unknown, already used or past its time. */
  useCode(code: string, now: number, usedIn: string): CodeUse {
    const row = this.repo.statement(`select chat_id as chatId, created_by as createdBy, expires_at as expiresAt, used_at as usedAt from link_codes where code = ?`).get(code) as
      | { chatId: string; createdBy: string; expiresAt: number; usedAt: number | null }
      | undefined;
    if (!row) return { ok: false, why: 'unknown' };
    if (row.usedAt !== null) return { ok: false, why: 'used' };
    if (row.expiresAt <= now) return { ok: false, why: 'expired' };
    this.repo.statement(`update link_codes set used_at = ?, used_in = ? where code = ?`).run(now, usedIn, code);
    return { ok: true, chatId: row.chatId, createdBy: row.createdBy };
  }

  link(chatId: string, homeId: string, external: boolean, by: string, at: number): void {
    this.groups.clear();
    this.repo.statement(`insert into chat_links (chat_id, home_id, external, linked_by, linked_at) values (?, ?, ?, ?, ?)`).run(chatId, homeId, external ? 1 : 0, by, at);
  }

  unlink(chatId: string): void {
    this.groups.clear();
    this.repo.statement(`delete from chat_links where chat_id = ?`).run(chatId);
  }

  audit(chatId: string, at: number, actorId: string, action: string, detail: Record<string, unknown>): void {
    this.repo.statement(`insert into chat_audit (chat_id, at, actor_id, action, detail) values (?, ?, ?, ?, ?)`).run(chatId, at, actorId, action, JSON.stringify(detail));
  }

  auditOf(chatId: string): Array<{ at: number; actorId: string; action: string; detail: Record<string, unknown> }> {
    const rows = this.repo.statement(`select at, actor_id as actorId, action, detail from chat_audit where chat_id = ? order by id`).all(chatId) as Array<{
      at: number;
      actorId: string;
      action: string;
      detail: string;
    }>;
    return rows.map((r) => ({ ...r, detail: JSON.parse(r.detail) as Record<string, unknown> }));
  }

  /** Remembers that `userId` is in `chatId` (a sender or a member the platform mentioned). */
  seen(chatId: string, userId: string, at: number): void {
    const key = `${chatId}\u0000${userId}`;
    if (this.seenPairs.has(key)) return;
    this.repo.statement(`insert into chat_members (chat_id, user_id, seen_at) values (?, ?, ?) on conflict do nothing`).run(chatId, userId, at);
    if (this.seenPairs.size > 100_000) this.seenPairs.clear();
    this.seenPairs.add(key);
  }

  /** Forgets the cache (a rolled-back transaction may have written nothing). */
  forget(): void {
    this.seenPairs.clear();
    this.groups.clear();
  }

  /** The groups among `chatIds` where `userId` has been seen, the most recent first. */
  chatsOf(userId: string, chatIds: readonly string[]): string[] {
    const rows = this.repo
      .statement(`select chat_id as chatId from chat_members where user_id = ? and chat_id in (${this.repo.db.sql.jsonTexts()}) order by seen_at desc`)
      .all(userId, JSON.stringify(chatIds)) as Array<{ chatId: string }>;
    return rows.map((r) => r.chatId);
  }

  /** Every group of `platform` where `userId` has been seen, the most recent first. */
  groupsOf(userId: string, platform: string): string[] {
    const rows = this.repo
      .statement(
        `select m.chat_id as chatId from chat_members m join chats c on c.id = m.chat_id
          where m.user_id = ? and c.platform = ? order by m.seen_at desc, m.chat_id`,
      )
      .all(userId, platform) as Array<{ chatId: string }>;
    return rows.map((r) => r.chatId);
  }

  /** Everyone seen in `chatIds`, with their names and groups. */
  members(chatIds: readonly string[]): Array<{ chatId: string; userId: string; name: string }> {
    return this.repo
      .statement(
        `select m.chat_id as chatId, m.user_id as userId, coalesce(u.name, m.user_id) as name
           from chat_members m left join users u on u.id = m.user_id
          where m.chat_id in (${this.repo.db.sql.jsonTexts()}) order by m.chat_id, u.name`,
      )
      .all(JSON.stringify(chatIds)) as Array<{ chatId: string; userId: string; name: string }>;
  }
}
