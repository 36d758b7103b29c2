// The sandbox's own rows: its users, groups and the messages its page shows. Queries only; the
// routes decide and the platform delivers. `rev` is one increasing sequence over all messages
// (every insert and every in-place update takes the next value), so a client that remembers the
// highest rev it saw can ask for exactly what changed since, card updates included.

import { randomBytes } from 'node:crypto';
import type { Statement } from 'better-sqlite3';
import type { OutboundBody, UserRef } from '../../domain/chat.ts';
import type { Db } from '../../db/connection.ts';
import type { sandboxChats, sandboxMessages, sandboxUsers } from '../../db/schema.ts';

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
export const SEED_CHATS: readonly SandboxChat[] = [{ id: 'sandbox:g1', name: '【技术部】接口联调', look: null }];

const MESSAGE_SELECT = `select id, chat_id as chatId, sender_id as senderId, body, reply_to as replyTo, created_at as createdAt,
  updated_at as updatedAt, rev from sandbox_messages`;
const MESSAGE_RETURNING = `returning id, chat_id as chatId, sender_id as senderId, body, reply_to as replyTo, created_at as createdAt,
  updated_at as updatedAt, rev`;
/** The next rev, inside the statement that takes it (one max() on the rev index). */
const NEXT_REV = '(select coalesce(max(rev), 0) + 1 from sandbox_messages)';

type RawMessage = Omit<MessageRow, 'body'> & { body: string };

export class SandboxStore {
  // Every query is a prepared statement compiled once: this store is on the delivery path of
  // every sandbox message, and building a query with drizzle costs more than running it.
  private readonly statements = new Map<string, Statement>();

  constructor(private readonly db: Db) {}

  private st(sql: string): Statement {
    let s = this.statements.get(sql);
    if (!s) {
      s = this.db.$client.prepare(sql);
      this.statements.set(sql, s);
    }
    return s;
  }

  /** Fills empty tables with the demo people and group. Returns whether anything was added. */
  seed(): boolean {
    let added = false;
    if (this.users().length === 0) {
      for (const u of SEED_USERS) this.st('insert into sandbox_users (id, name) values (?, ?)').run(u.id, u.name);
      added = true;
    }
    if (this.chats().length === 0) {
      for (const c of SEED_CHATS) this.st('insert into sandbox_chats (id, name, look) values (?, ?, ?)').run(c.id, c.name, c.look);
      added = true;
    }
    return added;
  }

  users(): SandboxUser[] {
    return this.st('select id, name from sandbox_users order by rowid').all() as SandboxUser[];
  }

  user(id: string): SandboxUser | undefined {
    return this.st('select id, name from sandbox_users where id = ?').get(id) as SandboxUser | undefined;
  }

  userByName(name: string): SandboxUser | undefined {
    return this.st('select id, name from sandbox_users where name = ? limit 1').get(name) as SandboxUser | undefined;
  }

  addUser(name: string): SandboxUser {
    const row = { id: this.freeId('sandbox_users', slug(name) || `u${random()}`), name };
    this.st('insert into sandbox_users (id, name) values (?, ?)').run(row.id, row.name);
    return row;
  }

  chats(): SandboxChat[] {
    return this.st('select id, name, look from sandbox_chats order by rowid').all() as SandboxChat[];
  }

  /**
   * A group by id. Groups are never deleted or renamed, so one found is remembered (every
   * delivery checks its group exists).
   */
  chat(id: string): SandboxChat | undefined {
    let c = this.knownChats.get(id);
    if (!c) {
      c = this.st('select id, name, look from sandbox_chats where id = ?').get(id) as SandboxChat | undefined;
      if (c) this.knownChats.set(id, c);
    }
    return c ? { ...c } : undefined;
  }

  private readonly knownChats = new Map<string, SandboxChat>();

  chatByName(name: string): SandboxChat | undefined {
    return this.st('select id, name, look from sandbox_chats where name = ? limit 1').get(name) as SandboxChat | undefined;
  }

  addChat(name: string, look: string | null = null): SandboxChat {
    const row = { id: this.freeId('sandbox_chats', `g${random()}`), name, look };
    this.st('insert into sandbox_chats (id, name, look) values (?, ?, ?)').run(row.id, row.name, row.look);
    return row;
  }

  /** Appends a message; returns it with its row id and rev. */
  addMessage(m: { chatId: string; senderId: string | null; body: OutboundBody; replyTo?: number | null; at: number }): SandboxMessage {
    const row = this.st(
      `insert into sandbox_messages (chat_id, sender_id, body, reply_to, created_at, updated_at, rev)
       values (?, ?, ?, ?, ?, ?, ${NEXT_REV}) ${MESSAGE_RETURNING}`,
    ).get(m.chatId, m.senderId, JSON.stringify(m.body), m.replyTo ?? null, m.at, m.at) as RawMessage;
    // The body is the one just stored: no need to parse it back.
    return { ...row, body: m.body };
  }

  /** Replaces a message's body in place (a card update); undefined when it is not in that chat. */
  updateMessage(id: number, chatId: string, body: OutboundBody, at: number): SandboxMessage | undefined {
    const row = this.st(`update sandbox_messages set body = ?, updated_at = ?, rev = ${NEXT_REV} where id = ? and chat_id = ? ${MESSAGE_RETURNING}`).get(
      JSON.stringify(body),
      at,
      id,
      chatId,
    ) as RawMessage | undefined;
    return row ? { ...row, body } : undefined;
  }

  message(id: number): SandboxMessage | undefined {
    const row = this.st(`${MESSAGE_SELECT} where id = ?`).get(id) as RawMessage | undefined;
    return row ? toMessage(row) : undefined;
  }

  /** A chat's messages changed after `sinceRev` (all of them for 0), oldest first. */
  messages(chatId: string, sinceRev = 0, limit = 500): SandboxMessage[] {
    return (this.st(`${MESSAGE_SELECT} where chat_id = ? and rev > ? order by rev limit ?`).all(chatId, sinceRev, limit) as RawMessage[]).map(toMessage);
  }

  /** The highest rev handed out so far. */
  rev(): number {
    return (this.st('select coalesce(max(rev), 0) as r from sandbox_messages').get() as { r: number }).r;
  }

  private freeId(table: 'sandbox_users' | 'sandbox_chats', base: string): string {
    let id = `sandbox:${base}`;
    const taken = this.st(`select 1 from ${table} where id = ?`);
    while (taken.get(id)) id = `sandbox:${base}-${random()}`;
    return id;
  }
}

function toMessage(r: RawMessage): SandboxMessage {
  return { ...r, body: JSON.parse(r.body) as OutboundBody };
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
