// What an archive reads, in one pass: a chat, the items of its groups, and the people, audit
// rows and user names of a set of items. Rows come back in the shapes of src/db/repo.ts.
// Id lists are passed as one JSON parameter, so each query is one statement whatever the count.

import type { Db } from './connection.ts';
import { perConnection, prepared } from './prepared.ts';
import type { AuditRow, ChatRow, ItemRow, PersonRow } from './repo.ts';

type Raw = Record<string, unknown>;

const ITEM_SELECT = `select id as id, kind as kind, platform as platform, chat_id as chatId, title as title, state as state,
  initiator_id as initiatorId, owner_id as ownerId, priority as priority, urgent as urgent, due_at as dueAt, clock_at as clockAt,
  parent_id as parentId, seq_no as seqNo, data as data, process as process, stage as stage, stage_due_at as stageDueAt,
  version as version, created_at as createdAt, updated_at as updatedAt from items`;

function itemOf(r: Raw): ItemRow {
  return { ...(r as unknown as ItemRow), urgent: r.urgent === 1, data: JSON.parse((r.data as string) || '{}') as Record<string, unknown> };
}

function auditOf(r: Raw): AuditRow {
  return { ...(r as unknown as AuditRow), detail: JSON.parse((r.detail as string) || '{}') as Record<string, unknown> };
}

export class SnapshotStore {
  private readonly chatById;
  private readonly itemsOfChats;
  private readonly peopleOfItems;
  private readonly auditOfItems;
  private readonly changedOfItems;
  private readonly usersById;

  constructor(db: Db) {
    const ints = db.sql.jsonInts();
    const texts = db.sql.jsonTexts();
    this.chatById = prepared(
      db,
      'select id as id, platform as platform, name as name, project as project, dept as dept, leader_id as leaderId, created_at as createdAt from chats where id = ?',
    );
    this.itemsOfChats = prepared(db, `${ITEM_SELECT} where chat_id in (${texts}) order by id`);
    this.peopleOfItems = prepared(
      db,
      `select id as id, item_id as itemId, user_id as userId, role as role, status as status, duty as duty, note as note, updated_at as updatedAt
         from item_people where item_id in (${ints}) order by id`,
    );
    this.auditOfItems = prepared(
      db,
      `select id as id, item_id as itemId, at as at, actor_id as actorId, action as action, from_state as fromState, to_state as toState, detail as detail
         from audit where item_id in (${ints}) order by at, id`,
    );
    this.changedOfItems = prepared(
      db,
      `select distinct item_id as itemId from audit where item_id in (${ints}) and at >= ? and at < ?`,
    );
    this.usersById = prepared(db, `select id as id, name as name from users where id in (${texts})`);
  }

  chat(id: string): ChatRow | undefined {
    return this.chatById().get(id) as ChatRow | undefined;
  }

  /** The items of these groups, by id ascending. */
  items(chatIds: readonly string[]): ItemRow[] {
    return (this.itemsOfChats().all(JSON.stringify(chatIds)) as Raw[]).map(itemOf);
  }

  /** The people of these items, by id ascending. */
  people(itemIds: readonly number[]): PersonRow[] {
    return this.peopleOfItems().all(JSON.stringify(itemIds)) as PersonRow[];
  }

  /** The audit rows of these items, in time order. */
  audit(itemIds: readonly number[]): AuditRow[] {
    return (this.auditOfItems().all(JSON.stringify(itemIds)) as Raw[]).map(auditOf);
  }

  /** Which of these items have an audit row (any change) in [from, to). */
  changedIn(itemIds: readonly number[], from: number, to: number): number[] {
    return (this.changedOfItems().all(JSON.stringify(itemIds), from, to) as Array<{ itemId: number }>).map((r) => r.itemId);
  }

  /** The known users among these ids, with their names. */
  users(ids: readonly string[]): Array<{ id: string; name: string }> {
    return this.usersById().all(JSON.stringify(ids)) as Array<{ id: string; name: string }>;
  }
}

/** The archive queries of this connection. */
export const snapshotOf = perConnection((db) => new SnapshotStore(db));
