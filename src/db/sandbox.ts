// The sandbox's own rows: its users, groups and the messages its page shows. Queries only; the
// routes decide and the platform delivers. `rev` is one increasing sequence over all messages
// (every insert and every in-place update takes the next value), so a client that remembers the
// highest rev it saw can ask for exactly what changed since, card updates included.
//
// Plain SQL with `?` placeholders and quoted camelCase aliases, so the same text runs on
// PostgreSQL (which folds unquoted aliases to lower case).

import { randomBytes } from 'node:crypto';
import type { SqlStatement as Statement } from './driver/types.ts';
import type { OutboundBody, UserRef } from '../domain/chat.ts';
import type { Db } from './connection.ts';
import type { sandboxChats, sandboxUsers } from './schema.ts';

export type SandboxUser = typeof sandboxUsers.$inferSelect;
export type SandboxChat = typeof sandboxChats.$inferSelect;

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

/** The demo people and group an empty sandbox starts with (the sandbox platform's choice). */
export interface SandboxSeed {
  users: readonly UserRef[];
  chats: readonly SandboxChat[];
}

const USER_COLUMNS = 'id, name';
const CHAT_COLUMNS = 'id, name, look';
const MESSAGE_COLUMNS = `id, chat_id as "chatId", sender_id as "senderId", body, reply_to as "replyTo", created_at as "createdAt",
  updated_at as "updatedAt", rev`;
/** The next rev, inside the statement that takes it (one max() on the rev index). */
const NEXT_REV = '(select coalesce(max(rev), 0) + 1 from sandbox_messages)';

type Row = Record<string, unknown>;

const userOf = (r: Row): SandboxUser => ({ id: r.id as string, name: r.name as string });
const chatOf = (r: Row): SandboxChat => ({ id: r.id as string, name: r.name as string, look: r.look as string | null });

/** A stored message, its body as given (the caller already has it parsed) or parsed from the row. */
function messageOf(r: Row, body: OutboundBody = JSON.parse(r.body as string) as OutboundBody): SandboxMessage {
  return {
    id: r.id as number,
    chatId: r.chatId as string,
    senderId: r.senderId as string | null,
    body,
    replyTo: r.replyTo as number | null,
    createdAt: r.createdAt as number,
    updatedAt: r.updatedAt as number,
    rev: r.rev as number,
  };
}

/**
 * Lists show the demo rows first, in the order they are seeded (the page picks the first user
 * and group as its defaults), then every other row by id. The tables have no column that
 * records insertion order, and the order must not depend on the backend's physical row order.
 */
function seedFirst<T extends { id: string }>(rows: T[], seeds: readonly { id: string }[]): T[] {
  const rank = new Map(seeds.map((s, i) => [s.id, i]));
  const of = (r: T) => rank.get(r.id) ?? seeds.length;
  return rows.sort((a, b) => of(a) - of(b));
}

export class SandboxStore {
  // Every query is a prepared statement compiled once per store: this store is on the delivery
  // path of every sandbox message, and building a query with drizzle costs more than running it.
  private readonly q: Record<
    | 'insertUser'
    | 'users'
    | 'user'
    | 'userByName'
    | 'userTaken'
    | 'insertChat'
    | 'chats'
    | 'chat'
    | 'chatByName'
    | 'chatTaken'
    | 'insertMessage'
    | 'updateMessage'
    | 'message'
    | 'messages'
    | 'rev',
    Statement
  >;

  /** Groups are never deleted or renamed, so one found is remembered (every delivery checks its group exists). */
  private readonly knownChats = new Map<string, SandboxChat>();

  constructor(
    db: Db,
    private readonly demo: SandboxSeed,
  ) {
    const p = (sql: string) => db.$client.prepare(sql);
    this.q = {
      insertUser: p('insert into sandbox_users (id, name) values (?, ?)'),
      users: p(`select ${USER_COLUMNS} from sandbox_users order by id`),
      user: p(`select ${USER_COLUMNS} from sandbox_users where id = ?`),
      userByName: p(`select ${USER_COLUMNS} from sandbox_users where name = ? order by id limit 1`),
      userTaken: p('select 1 as taken from sandbox_users where id = ?'),
      insertChat: p('insert into sandbox_chats (id, name, look) values (?, ?, ?)'),
      chats: p(`select ${CHAT_COLUMNS} from sandbox_chats order by id`),
      chat: p(`select ${CHAT_COLUMNS} from sandbox_chats where id = ?`),
      chatByName: p(`select ${CHAT_COLUMNS} from sandbox_chats where name = ? order by id limit 1`),
      chatTaken: p('select 1 as taken from sandbox_chats where id = ?'),
      insertMessage: p(
        `insert into sandbox_messages (chat_id, sender_id, body, reply_to, created_at, updated_at, rev)
         values (?, ?, ?, ?, ?, ?, ${NEXT_REV}) returning ${MESSAGE_COLUMNS}`,
      ),
      updateMessage: p(`update sandbox_messages set body = ?, updated_at = ?, rev = ${NEXT_REV} where id = ? and chat_id = ? returning ${MESSAGE_COLUMNS}`),
      message: p(`select ${MESSAGE_COLUMNS} from sandbox_messages where id = ?`),
      messages: p(`select ${MESSAGE_COLUMNS} from sandbox_messages where chat_id = ? and rev > ? order by rev limit ?`),
      rev: p('select coalesce(max(rev), 0) as rev from sandbox_messages'),
    };
  }

  /** Fills empty tables with the demo people and group. Returns whether anything was added. */
  seed(): boolean {
    let added = false;
    if (this.users().length === 0) {
      for (const u of this.demo.users) this.q.insertUser.run(u.id, u.name);
      added = true;
    }
    if (this.chats().length === 0) {
      for (const c of this.demo.chats) this.q.insertChat.run(c.id, c.name, c.look);
      added = true;
    }
    return added;
  }

  users(): SandboxUser[] {
    return seedFirst((this.q.users.all() as Row[]).map(userOf), this.demo.users);
  }

  user(id: string): SandboxUser | undefined {
    const r = this.q.user.get(id) as Row | undefined;
    return r ? userOf(r) : undefined;
  }

  userByName(name: string): SandboxUser | undefined {
    const r = this.q.userByName.get(name) as Row | undefined;
    return r ? userOf(r) : undefined;
  }

  addUser(name: string): SandboxUser {
    const row = { id: this.freeId(this.q.userTaken, slug(name) || `u${random()}`), name };
    this.q.insertUser.run(row.id, row.name);
    return row;
  }

  chats(): SandboxChat[] {
    return seedFirst((this.q.chats.all() as Row[]).map(chatOf), this.demo.chats);
  }

  /** A group by id. */
  chat(id: string): SandboxChat | undefined {
    let c = this.knownChats.get(id);
    if (!c) {
      const r = this.q.chat.get(id) as Row | undefined;
      if (!r) return undefined;
      c = chatOf(r);
      this.knownChats.set(id, c);
    }
    return { ...c };
  }

  chatByName(name: string): SandboxChat | undefined {
    const r = this.q.chatByName.get(name) as Row | undefined;
    return r ? chatOf(r) : undefined;
  }

  addChat(name: string, look: string | null = null): SandboxChat {
    const row = { id: this.freeId(this.q.chatTaken, `g${random()}`), name, look };
    this.q.insertChat.run(row.id, row.name, row.look);
    return row;
  }

  /** Appends a message; returns it with its row id and rev. */
  addMessage(m: { chatId: string; senderId: string | null; body: OutboundBody; replyTo?: number | null; at: number }): SandboxMessage {
    const r = this.q.insertMessage.get(m.chatId, m.senderId, JSON.stringify(m.body), m.replyTo ?? null, m.at, m.at) as Row;
    // The body is the one just stored: no need to parse it back.
    return messageOf(r, m.body);
  }

  /** Replaces a message's body in place (a card update); undefined when it is not in that chat. */
  updateMessage(id: number, chatId: string, body: OutboundBody, at: number): SandboxMessage | undefined {
    const r = this.q.updateMessage.get(JSON.stringify(body), at, id, chatId) as Row | undefined;
    return r ? messageOf(r, body) : undefined;
  }

  message(id: number): SandboxMessage | undefined {
    const r = this.q.message.get(id) as Row | undefined;
    return r ? messageOf(r) : undefined;
  }

  /** A chat's messages changed after `sinceRev` (all of them for 0), oldest first. */
  messages(chatId: string, sinceRev = 0, limit = 500): SandboxMessage[] {
    return (this.q.messages.all(chatId, sinceRev, limit) as Row[]).map((r) => messageOf(r));
  }

  /** The highest rev handed out so far. */
  rev(): number {
    return (this.q.rev.get() as { rev: number }).rev;
  }

  private freeId(taken: Statement, base: string): string {
    let id = `sandbox:${base}`;
    while (taken.get(id)) id = `sandbox:${base}-${random()}`;
    return id;
  }
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
