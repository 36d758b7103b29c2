// The sandbox's own rows: its users, groups and the messages its page shows. Queries only; the
// routes decide and the platform delivers. `rev` is one increasing sequence over all messages
// (every insert and every in-place update takes the next value), so a client that remembers the
// highest rev it saw can ask for exactly what changed since, card updates included.

import { randomBytes } from 'node:crypto';
import { and, asc, eq, gt, sql } from 'drizzle-orm';
import type { OutboundBody, UserRef } from '../../domain/chat.ts';
import type { Db } from '../../db/connection.ts';
import { sandboxChats, sandboxMessages, sandboxUsers } from '../../db/schema.ts';

export type SandboxUser = typeof sandboxUsers.$inferSelect;
export type SandboxChat = typeof sandboxChats.$inferSelect;
type MessageRow = typeof sandboxMessages.$inferSelect;

/** A message as the page sees it. */
export interface SandboxMessage {
  id: number;
  chatId: string;
  /** null: the bot. */
  senderId: string | null;
  body: OutboundBody;
  replyTo: number | null;
  createdAt: number;
  updatedAt: number;
  rev: number;
}

export const SEED_USERS: readonly UserRef[] = [
  { id: 'sandbox:zhangsan', name: '张三' },
  { id: 'sandbox:lisi', name: '李四' },
  { id: 'sandbox:wangwu', name: '王五' },
  { id: 'sandbox:zhaoliu', name: '赵六' },
];
export const SEED_CHATS: readonly SandboxChat[] = [{ id: 'sandbox:g1', name: '【技术部】接口联调' }];

export class SandboxStore {
  constructor(private readonly db: Db) {}

  /** Fills empty tables with the demo people and group. Returns whether anything was added. */
  seed(): boolean {
    let added = false;
    if (this.users().length === 0) {
      this.db.insert(sandboxUsers).values([...SEED_USERS]).run();
      added = true;
    }
    if (this.chats().length === 0) {
      this.db.insert(sandboxChats).values([...SEED_CHATS]).run();
      added = true;
    }
    return added;
  }

  users(): SandboxUser[] {
    return this.db.select().from(sandboxUsers).orderBy(sql`rowid`).all();
  }

  user(id: string): SandboxUser | undefined {
    return this.db.select().from(sandboxUsers).where(eq(sandboxUsers.id, id)).get();
  }

  userByName(name: string): SandboxUser | undefined {
    return this.db.select().from(sandboxUsers).where(eq(sandboxUsers.name, name)).get();
  }

  addUser(name: string): SandboxUser {
    const row = { id: this.freeId(sandboxUsers, slug(name) || `u${random()}`), name };
    this.db.insert(sandboxUsers).values(row).run();
    return row;
  }

  chats(): SandboxChat[] {
    return this.db.select().from(sandboxChats).orderBy(sql`rowid`).all();
  }

  chat(id: string): SandboxChat | undefined {
    return this.db.select().from(sandboxChats).where(eq(sandboxChats.id, id)).get();
  }

  chatByName(name: string): SandboxChat | undefined {
    return this.db.select().from(sandboxChats).where(eq(sandboxChats.name, name)).get();
  }

  addChat(name: string): SandboxChat {
    const row = { id: this.freeId(sandboxChats, `g${random()}`), name };
    this.db.insert(sandboxChats).values(row).run();
    return row;
  }

  /** Appends a message; returns it with its row id and rev. */
  addMessage(m: { chatId: string; senderId: string | null; body: OutboundBody; replyTo?: number | null; at: number }): SandboxMessage {
    const row = this.db
      .insert(sandboxMessages)
      .values({
        chatId: m.chatId,
        senderId: m.senderId,
        body: m.body,
        replyTo: m.replyTo ?? null,
        createdAt: m.at,
        updatedAt: m.at,
        rev: this.nextRev(),
      })
      .returning()
      .get();
    return toMessage(row);
  }

  /** Replaces a message's body in place (a card update); undefined when it is not in that chat. */
  updateMessage(id: number, chatId: string, body: OutboundBody, at: number): SandboxMessage | undefined {
    const row = this.db
      .update(sandboxMessages)
      .set({ body, updatedAt: at, rev: this.nextRev() })
      .where(and(eq(sandboxMessages.id, id), eq(sandboxMessages.chatId, chatId)))
      .returning()
      .get();
    return row ? toMessage(row) : undefined;
  }

  message(id: number): SandboxMessage | undefined {
    const row = this.db.select().from(sandboxMessages).where(eq(sandboxMessages.id, id)).get();
    return row ? toMessage(row) : undefined;
  }

  /** A chat's messages changed after `sinceRev` (all of them for 0), oldest first. */
  messages(chatId: string, sinceRev = 0, limit = 500): SandboxMessage[] {
    return this.db
      .select()
      .from(sandboxMessages)
      .where(and(eq(sandboxMessages.chatId, chatId), gt(sandboxMessages.rev, sinceRev)))
      .orderBy(asc(sandboxMessages.rev))
      .limit(limit)
      .all()
      .map(toMessage);
  }

  /** The highest rev handed out so far. */
  rev(): number {
    return this.db.select({ r: sql<number>`coalesce(max(${sandboxMessages.rev}), 0)` }).from(sandboxMessages).get()?.r ?? 0;
  }

  private nextRev(): number {
    return this.rev() + 1;
  }

  private freeId(table: typeof sandboxUsers | typeof sandboxChats, base: string): string {
    let id = `sandbox:${base}`;
    while (this.db.select({ id: table.id }).from(table).where(eq(table.id, id)).get()) id = `sandbox:${base}-${random()}`;
    return id;
  }
}

function toMessage(r: MessageRow): SandboxMessage {
  return { ...r, body: r.body as OutboundBody };
}

/** "Alice Wang" → "alice-wang"; names without Latin letters give "" (a random id is used). */
function slug(name: string): string {
  return name
    .toLowerCase()
    .replace(/[^a-z0-9]+/g, '-')
    .replace(/^-+|-+$/g, '')
    .slice(0, 24);
}

function random(): string {
  return randomBytes(3).toString('hex');
}
