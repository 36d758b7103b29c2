// The drizzle schema for PostgreSQL: the same tables, columns and indexes as schema.ts (SQLite),
// in PostgreSQL's types. Millisecond timestamps and ids are bigint, read back as numbers;
// flags stay 0/1 integers and JSON stays text, so the stores' SQL reads the same on both.
// Migrations in migrations/pg/ are generated from this file (`npm run db:generate:pg -- --name
// <what>`); a test checks the two agree, and another that this schema matches schema.ts.

import { sql } from 'drizzle-orm';
import { bigint, bigserial, index, integer, pgTable, primaryKey, text, uniqueIndex } from 'drizzle-orm/pg-core';

const now = sql`((extract(epoch from clock_timestamp()) * 1000)::bigint)`;
const ms = (name: string) => bigint(name, { mode: 'number' });
const ref = (name: string) => bigint(name, { mode: 'number' });

/** Every collaboration record: request, task, ask, issue, minutes, note. `#id` is shown to users. */
export const items = pgTable(
  'items',
  {
    id: bigserial('id', { mode: 'number' }).primaryKey(),
    kind: text('kind').notNull(),
    platform: text('platform').notNull(),
    chatId: text('chat_id').notNull(),
    title: text('title').notNull(),
    state: text('state').notNull(),
    initiatorId: text('initiator_id').notNull(),
    ownerId: text('owner_id'),
    priority: text('priority'),
    urgent: integer('urgent').notNull().default(0),
    /** Deadline (ms since epoch). */
    dueAt: ms('due_at'),
    /** Response clock: when the person asked to act must have answered (ms). */
    clockAt: ms('clock_at'),
    parentId: ref('parent_id'),
    /** Seed-style number, e.g. 2026-技-005. */
    seqNo: text('seq_no'),
    /** Kind-specific fields (standard, evidence, reason, progress…), JSON. */
    data: text('data').notNull().default('{}'),
    /** Collaboration type of a request (internal, customer, supplier, partner, emergency or a configured one). */
    process: text('process'),
    /** The request's current stage id in its type; 'done' after the last one is signed off. */
    stage: text('stage'),
    /** When the current stage's clock runs out (ms); null when the stage has no clock. */
    stageDueAt: ms('stage_due_at'),
    /** Optimistic concurrency: every transition bumps it; a stale version loses. */
    version: integer('version').notNull().default(1),
    createdAt: ms('created_at').notNull().default(now),
    updatedAt: ms('updated_at').notNull().default(now),
  },
  (t) => [
    index('items_chat_state').on(t.chatId, t.state),
    // Only children are looked up by parent: top-level items (most of them) stay out of it.
    index('items_parent').on(t.parentId).where(sql`${t.parentId} is not null`),
    // The scheduler's nudge planning walks tasks in progress chat by chat.
    index('items_kind_state').on(t.kind, t.state, t.chatId),
  ],
);

/** People attached to an item and where each stands (contact confirmations, reviewers…). */
export const itemPeople = pgTable(
  'item_people',
  {
    id: bigserial('id', { mode: 'number' }).primaryKey(),
    itemId: ref('item_id')
      .notNull()
      .references(() => items.id, { onDelete: 'cascade' }),
    userId: text('user_id').notNull(),
    role: text('role').notNull(),
    status: text('status').notNull().default('pending'),
    duty: text('duty'),
    note: text('note'),
    updatedAt: ms('updated_at').notNull().default(now),
  },
  (t) => [uniqueIndex('item_people_unique').on(t.itemId, t.userId, t.role), index('item_people_user').on(t.userId)],
);

/** Known users' display names, for rendering mentions. */
export const users = pgTable('users', {
  id: text('id').primaryKey(),
  name: text('name').notNull(),
  updatedAt: ms('updated_at').notNull().default(now),
});

/** Group chats the bot is in, with their project binding (/setup). */
export const chats = pgTable('chats', {
  id: text('id').primaryKey(),
  platform: text('platform').notNull(),
  name: text('name'),
  project: text('project'),
  dept: text('dept'),
  /** The group's leader (部门负责人 / 项目负责人, `/设置 负责人:@X`): the last step of escalation. */
  leaderId: text('leader_id'),
  createdAt: ms('created_at').notNull().default(now),
});

/** Audit trail: one row per applied transition or recorded change. */
export const audit = pgTable(
  'audit',
  {
    id: bigserial('id', { mode: 'number' }).primaryKey(),
    itemId: ref('item_id')
      .notNull()
      .references(() => items.id, { onDelete: 'cascade' }),
    at: ms('at').notNull(),
    actorId: text('actor_id').notNull(),
    action: text('action').notNull(),
    fromState: text('from_state'),
    toState: text('to_state'),
    detail: text('detail').notNull().default('{}'),
  },
  (t) => [index('audit_item').on(t.itemId, t.id)],
);

/** Durable outbox: every outbound message is a row, written in the same transaction as its cause. */
export const outbox = pgTable(
  'outbox',
  {
    id: bigserial('id', { mode: 'number' }).primaryKey(),
    platform: text('platform').notNull(),
    chatId: text('chat_id').notNull(),
    body: text('body').notNull(),
    replyTo: text('reply_to'),
    urgent: integer('urgent').notNull().default(0),
    cardKey: text('card_key'),
    itemId: ref('item_id'),
    status: text('status').notNull().default('pending'),
    attempts: integer('attempts').notNull().default(0),
    nextAttemptAt: ms('next_attempt_at').notNull(),
    lastError: text('last_error'),
    platformMessageId: text('platform_message_id'),
    createdAt: ms('created_at').notNull(),
    sentAt: ms('sent_at'),
  },
  (t) => [index('outbox_due').on(t.status, t.nextAttemptAt), index('outbox_chat').on(t.chatId, t.status, t.id)],
);

/** Where each card (by stable key) lives on its platform, so it can be updated in place. */
export const cardRefs = pgTable(
  'card_refs',
  {
    cardKey: text('card_key').primaryKey(),
    platform: text('platform').notNull(),
    chatId: text('chat_id').notNull(),
    itemId: ref('item_id'),
    platformMessageId: text('platform_message_id').notNull(),
  },
  (t) => [index('card_refs_message').on(t.platform, t.platformMessageId)],
);

/** Inbound events, stored before they are acknowledged; the key de-duplicates platform retries. */
export const inboundEvents = pgTable(
  'inbound_events',
  {
    platform: text('platform').notNull(),
    eventId: text('event_id').notNull(),
    receivedAt: ms('received_at').notNull(),
    status: text('status').notNull().default('pending'),
    payload: text('payload').notNull(),
    /** The instance acting on a pending event, and until when; an expired claim is anyone's to recover. */
    claimedBy: text('claimed_by'),
    claimedUntil: ms('claimed_until'),
  },
  (t) => [primaryKey({ columns: [t.platform, t.eventId] }), index('inbound_status').on(t.status, t.receivedAt)],
);

/**
 * Messages and events already acted on: the exactly-once claim written in the transaction that
 * acts (a crash between acting and marking the stored event done must not act twice on
 * recovery). Key `<platform>:<message id>` (or `<platform>:event:<event id>`). Forgotten with
 * the inbound events.
 */
export const handled = pgTable('handled', {
  key: text('key').primaryKey(),
  at: ms('at').notNull(),
});

/** Named counters (seed-style request numbers per year and department). */
export const counters = pgTable('counters', {
  key: text('key').primaryKey(),
  value: integer('value').notNull(),
});

/** The sandbox platform's own side: its users, groups and the messages shown in its page. */
export const sandboxUsers = pgTable('sandbox_users', {
  id: text('id').primaryKey(),
  name: text('name').notNull(),
});

export const sandboxChats = pgTable('sandbox_chats', {
  id: text('id').primaryKey(),
  name: text('name').notNull(),
  /** Drawn as a Feishu or a DingTalk group (a demo of linked groups across platforms); null: plain. */
  look: text('look'),
});

export const sandboxMessages = pgTable(
  'sandbox_messages',
  {
    id: bigserial('id', { mode: 'number' }).primaryKey(),
    chatId: text('chat_id').notNull(),
    /** null: the bot. */
    senderId: text('sender_id'),
    body: text('body').notNull(),
    replyTo: ref('reply_to'),
    createdAt: ms('created_at').notNull(),
    updatedAt: ms('updated_at').notNull(),
    /** Bumped on every in-place update so pollers see the change. */
    rev: integer('rev').notNull().default(1),
  },
  (t) => [index('sandbox_messages_chat').on(t.chatId, t.id), index('sandbox_messages_rev').on(t.rev)],
);

/** Small key-value settings the bot generates for itself (e.g. the download-link signing key). */
export const settings = pgTable('settings', {
  key: text('key').primaryKey(),
  value: text('value').notNull(),
});

/**
 * Planned and fired reminders. `key` is unique per rule firing (item, clock or deadline value,
 * round), so a restart or a second scheduler instance never fires the same reminder twice.
 * The tick reads only due rows through the pending rows' index on fire_at.
 */
export const reminders = pgTable(
  'reminders',
  {
    id: bigserial('id', { mode: 'number' }).primaryKey(),
    key: text('key').notNull(),
    itemId: ref('item_id'),
    platform: text('platform').notNull(),
    chatId: text('chat_id').notNull(),
    rule: text('rule').notNull(),
    round: integer('round').notNull().default(0),
    fireAt: ms('fire_at').notNull(),
    urgent: integer('urgent').notNull().default(0),
    status: text('status').notNull().default('pending'),
    createdAt: ms('created_at').notNull(),
    firedAt: ms('fired_at'),
  },
  // The due index covers pending rows only: firing a reminder removes it (it is not re-inserted
  // under another status), so the index stays as small as the plan however long the history
  // grows. An item's reminders are found by key prefix (keys start with the rule letter and the
  // item id), so no index by item: every index a tick writes costs about one page per reminder.
  (t) => [uniqueIndex('reminders_key').on(t.key), index('reminders_pending_due').on(t.fireAt).where(sql`${t.status} = 'pending'`)],
);

/**
 * Groups linked into one collaboration (`/关联`): each row puts `chatId` into the collaboration of
 * `homeId`, the group whose code was redeemed. A group linked as external (外部) sees only what
 * faces the partner. Unlinking deletes the row; the chat audit keeps the history.
 */
export const chatLinks = pgTable('chat_links', {
  chatId: text('chat_id').primaryKey(),
  homeId: text('home_id').notNull(),
  external: integer('external').notNull().default(0),
  linkedBy: text('linked_by').notNull(),
  linkedAt: ms('linked_at').notNull(),
});

/** One-time link codes: valid until `expiresAt`, used once. */
export const linkCodes = pgTable('link_codes', {
  code: text('code').primaryKey(),
  chatId: text('chat_id').notNull(),
  createdBy: text('created_by').notNull(),
  expiresAt: ms('expires_at').notNull(),
  usedAt: ms('used_at'),
  usedIn: text('used_in'),
});

/** Who has been seen in which group (a sender or a mentioned member): where a card for them goes. */
export const chatMembers = pgTable(
  'chat_members',
  {
    chatId: text('chat_id').notNull(),
    userId: text('user_id').notNull(),
    seenAt: ms('seen_at').notNull(),
  },
  (t) => [primaryKey({ columns: [t.chatId, t.userId] }), index('chat_members_user').on(t.userId)],
);

/** Group-level events (linking, unlinking) that belong to no item, as the groups' audit shows them. */
export const chatAudit = pgTable(
  'chat_audit',
  {
    id: bigserial('id', { mode: 'number' }).primaryKey(),
    chatId: text('chat_id').notNull(),
    at: ms('at').notNull(),
    actorId: text('actor_id').notNull(),
    action: text('action').notNull(),
    detail: text('detail').notNull().default('{}'),
  },
  (t) => [index('chat_audit_chat').on(t.chatId, t.at)],
);

/**
 * Time-limited claims that instances sharing one PostgreSQL database take before work only one
 * of them may do at a time (sending a chat's outbox in order); an expired lease is free again.
 */
export const leases = pgTable('leases', {
  name: text('name').primaryKey(),
  owner: text('owner').notNull(),
  until: ms('until').notNull(),
});

/** Running instances and their last heartbeat: the platforms' rate limits are shared among the live ones. */
export const instances = pgTable('instances', {
  id: text('id').primaryKey(),
  startedAt: ms('started_at').notNull(),
  seenAt: ms('seen_at').notNull(),
});
