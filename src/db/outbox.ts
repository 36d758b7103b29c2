// Outbox delivery queries (queries only): which rows are next per chat and what became of a send.
// Writing rows to the outbox stays with the transaction that decides them (Repo.enqueue); the
// order, retries and backoff are the dispatcher's (src/scheduler/dispatcher.ts).
//
// Statements are prepared once per store, on first use: every send runs several of them.

import type { SqlStatement as Statement } from './driver/types.ts';
import type { OutboxRow, Repo } from './repo.ts';

/** An outbox row as stored: the body stays JSON text until the row is sent. */
export type StoredOutboxRow = Omit<OutboxRow, 'body' | 'urgent' | 'sentAt' | 'platformMessageId' | 'lastError'> & { body: string; urgent: number };
/** The oldest pending row of a chat, with its due time. */
export interface OutboxHead {
  id: number;
  platform: string;
  chatId: string;
  due: number;
}

const ROW_COLUMNS = `id, platform, chat_id as chatId, body, reply_to as replyTo, urgent, card_key as cardKey, item_id as itemId, status,
  attempts, next_attempt_at as nextAttemptAt, created_at as createdAt`;
/** The oldest pending row of each chat, with its due time (through the (chat_id, status, id) index). */
const HEADS = `select id, platform, chat_id as chatId, next_attempt_at as due from outbox
  where id in (select min(id) from outbox where status = 'pending' group by chat_id)`;
const ROW = `select ${ROW_COLUMNS} from outbox where id = ?`;
/** The oldest pending row of a chat (through the (chat_id, status, id) index). */
const NEXT_OF_CHAT = `select id, platform, chat_id as chatId, next_attempt_at as due from outbox where chat_id = ? and status = 'pending' order by id limit 1`;
const MARK_SENT = `update outbox set status = 'sent', sent_at = ?, platform_message_id = ?, attempts = ?, last_error = null where id = ?`;
const RETRY_LATER = `update outbox set attempts = ?, next_attempt_at = ?, last_error = ? where id = ?`;
const MARK_FAILED = `update outbox set status = 'failed', attempts = ?, last_error = ? where id = ?`;
const PENDING_COUNT = `select count(*) as n from outbox where status = 'pending'`;

export class OutboxStore {

  constructor(private readonly repo: Repo) {}

  /** Compiled once per SQL text by the repo, which keeps them. */
  private st(sql: string): Statement {
    return this.repo.statement(sql);
  }

  /** The head row of every chat with pending rows. */
  heads(): OutboxHead[] {
    return this.st(HEADS).all() as OutboxHead[];
  }

  nextOfChat(chatId: string): OutboxHead | undefined {
    return this.st(NEXT_OF_CHAT).get(chatId) as OutboxHead | undefined;
  }

  row(id: number): StoredOutboxRow | undefined {
    return this.st(ROW).get(id) as StoredOutboxRow | undefined;
  }

  markSent(id: number, at: number, platformMessageId: string, attempts: number): void {
    this.st(MARK_SENT).run(at, platformMessageId, attempts, id);
  }

  retryLater(id: number, attempts: number, nextAttemptAt: number, error: string): void {
    this.st(RETRY_LATER).run(attempts, nextAttemptAt, error, id);
  }

  markFailed(id: number, attempts: number, error: string): void {
    this.st(MARK_FAILED).run(attempts, error, id);
  }

  /** Rows waiting to be sent (the outbox backlog metric). */
  pendingCount(): number {
    return (this.st(PENDING_COUNT).get() as { n: number }).n;
  }
}
